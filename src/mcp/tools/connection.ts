// How to reach forwarded services: connection strings, env vars, hosts entries.
import { z } from 'zod';
import { retrySuffix } from '../../domain/time-format.js';
import { KubefwdError } from '../../contract/errors.js';
import { didYouMean } from '../../domain/did-you-mean.js';
import type { ForwardView, ServiceView } from '../../contract/state.js';
import { failingConnectionsText } from '../../domain/diagnosis.js';
import type { KubefwdBackend } from '../backend.js';
import { connectionDetails, connectionLines, type PortInfo } from '../connection-strings.js';
import { contextField, namespaceField, portField, serviceNameField } from '../input.js';
import { byIpNote, namesOnlyIn } from './names-only-in.js';
import { goneFromCluster, notForwardable } from './not-forwarded.js';
import { connectionStringOut, portOut } from './shapes.js';
import { READ_ONLY, defineTool } from './define.js';

/** The pod entries of a headless service: kubefwd forwards each pod as `<pod>.<service>`. */
const headlessPods = (services: readonly ServiceView[], name: string, namespace: string, context: string) =>
  services.filter(
    (s) =>
      s.headless && s.namespace === namespace && s.context === context && s.serviceName.endsWith(`.${name}`),
  );

/**
 * Why no forwarded service matched: the name is forwarded elsewhere (the namespace or context was
 * wrong), or is not forwarded at all (with the forwarded names close to it).
 */
const notForwarded = (
  services: readonly ServiceView[],
  serviceName: string,
  namespace: string | undefined,
  context: string | undefined,
): KubefwdError => {
  const elsewhere = services.filter((s) => s.serviceName === serviceName);
  if (elsewhere.length > 0)
    return new KubefwdError(
      'SERVICE_NOT_FOUND',
      `'${serviceName}' is not forwarded from ${namespace ? `namespace ${namespace}` : ''}${namespace && context ? ', ' : ''}${context ? `context ${context}` : ''}, but from: ${elsewhere.map((s) => `${s.namespace} (context ${s.context})`).join(', ')}`,
      {
        hint: 'Pass that namespace (and context), or forward this one with add_service.',
        field: namespace && !elsewhere.some((s) => s.namespace === namespace) ? 'namespace' : 'context',
      },
    );
  return new KubefwdError(
    'SERVICE_NOT_FOUND',
    `No forwarded service named '${serviceName}'${didYouMean(serviceName, [...new Set(services.map((s) => s.serviceName))])}`,
    {
      hint: 'Forward it first with add_service (namespace and service_name), or check the name with find_services.',
      field: 'service_name',
    },
  );
};

/**
 * A namespace asked for that does not exist is a typo, not a service to forward: said so, with the
 * close names and where the service is forwarded from. Unknown when namespaces cannot be listed.
 */
const namespaceMustExist = async (
  api: KubefwdBackend,
  services: readonly ServiceView[],
  serviceName: string,
  namespace: string,
  context: string | undefined,
): Promise<void> => {
  const listed = await api.k8sNamespaces(context ? { context } : {}).catch(() => undefined);
  if (!listed || listed.namespaces.some((n) => n.name === namespace)) return;
  const elsewhere = services.filter(
    (s) => s.serviceName === serviceName && (!context || s.context === context),
  );
  throw new KubefwdError(
    'NAMESPACE_NOT_FOUND',
    `namespace "${namespace}" does not exist in context ${listed.context}${didYouMean(
      namespace,
      listed.namespaces.map((n) => n.name),
    )}${elsewhere.length > 0 ? `; '${serviceName}' is forwarded from ${elsewhere.map((s) => `${s.namespace} (context ${s.context})`).join(', ')}` : ''}`,
    {
      field: 'namespace',
      hint:
        elsewhere.length === 1
          ? `Pass namespace "${elsewhere[0]!.namespace}".`
          : 'Pass a namespace that exists; list_k8s_namespaces lists them.',
    },
  );
};

/**
 * The one forwarded service a name (and optional namespace/context) means, with the per-pod entries
 * when it is headless; errors say how to disambiguate.
 */
export const pickService = async (
  api: KubefwdBackend,
  serviceName: string,
  namespace: string | undefined,
  context: string | undefined,
): Promise<{ service: ServiceView; pods: ServiceView[] }> => {
  const { services } = await api.listServices();
  const where = (s: ServiceView): boolean =>
    (!namespace || s.namespace === namespace) && (!context || s.context === context);
  let matches = services.filter((s) => s.serviceName === serviceName && where(s));
  if (matches.length === 0) {
    // A headless service may be forwarded only as its pods: one match per namespace/context.
    const seen = new Set<string>();
    matches = services
      .filter((s) => s.headless && s.serviceName.endsWith(`.${serviceName}`) && where(s))
      .filter((s) => !seen.has(`${s.namespace}/${s.context}`) && seen.add(`${s.namespace}/${s.context}`));
  }
  const first = matches[0];
  if (!first) {
    if (namespace) await namespaceMustExist(api, services, serviceName, namespace, context);
    const gone = await goneFromCluster(api, serviceName, namespace, context, 'service_name');
    // Forwarded from another namespace says where; else a service the cluster lacks says so, and
    // one it has but kubefwd cannot forward (ExternalName, UDP only) says why.
    const elsewhere = services.some((s) => s.serviceName === serviceName);
    if (gone && (gone.deleted || !elsewhere)) throw gone.error;
    const unforwardable = elsewhere
      ? undefined
      : await notForwardable(api, serviceName, namespace, context, services, 'service_name');
    throw unforwardable ?? notForwarded(services, serviceName, namespace, context);
  }
  if (matches.length > 1)
    throw new KubefwdError(
      'INVALID_INPUT',
      `Several forwarded services are named '${serviceName}': ${matches.map((s) => `${s.namespace} (context ${s.context})`).join(', ')}`,
      { hint: 'Pass namespace (and context) to pick one.', field: 'namespace' },
    );
  const service = first.forwards ? first : await api.getService(first.key);
  const pods = await Promise.all(
    headlessPods(services, serviceName, first.namespace, first.context).map(async (p) =>
      p.forwards ? p : api.getService(p.key).catch(() => p),
    ),
  );
  return { service, pods };
};

/** What a service status means for someone about to connect (the status word alone reads badly). */
const STATUS_WORDS: Record<ServiceView['status'], string> = {
  active: 'active',
  error: 'failing',
  partial: 'partly failing',
  pending: 'still starting',
  waiting: 'waiting',
};

/**
 * Why connecting may not work now, inline: a service that is not active says its forwards' reasons
 * (a pod not ready, an RBAC error), and an active forward whose connections fail lately says that
 * too — the connection strings above are right, but what answers them is not.
 */
export const stateNotes = (svc: ServiceView, pods: readonly ServiceView[], now: number): string[] => {
  const forwards = [svc, ...pods].flatMap((s) => s.forwards ?? []);
  const why = (f: ForwardView): string =>
    `${f.reason ?? f.error ?? f.status}${retrySuffix(f.nextRetryAt, now)}`;
  const reasons = [
    ...new Set(
      forwards
        .filter((f) => f.status !== 'Active')
        .map((f) => {
          const text = why(f);
          return f.podName && !text.includes(f.podName) ? `pod ${f.podName}: ${text}` : text;
        }),
    ),
  ];
  const failing = [
    ...new Set(
      forwards.flatMap((f) =>
        failingConnectionsText(f, now) === undefined
          ? []
          : [`connections to pod ${f.podName || '?'} port ${f.podPort} fail: ${f.lastConnectionError ?? ''}`],
      ),
    ),
  ];
  return [
    ...(svc.status === 'active'
      ? []
      : [
          `Note: the service is ${STATUS_WORDS[svc.status]}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''} (get_service shows every forward).`,
        ]),
    ...(failing.length > 0
      ? [
          `Note: kubefwd forwards it, but ${failing.join('; ')} (lately; get_pod_logs shows why the pod turns them away).`,
        ]
      : []),
  ];
};

export const getConnectionInfo = defineTool({
  name: 'get_connection_info',
  title: 'Connection details for a forwarded service',
  description:
    'Everything needed to connect to a forwarded service: hostnames, local IP, ports, ready-to-paste environment ' +
    'variables (e.g. DATABASE_URL, REDIS_URL, <NAME>_HOST/_PORT) and connection strings with a test command for ' +
    'PostgreSQL, MySQL, Redis, MongoDB, Kafka, RabbitMQ, HTTP(S), gRPC, SMTP and more. Use after add_service or ' +
    'add_namespace. Give namespace (and context) when the same name is forwarded from several places; port limits ' +
    'the answer to one port.',
  input: z.strictObject({
    service_name: serviceNameField.describe('service name, e.g. "postgres"'),
    namespace: namespaceField.optional(),
    context: contextField.optional(),
    port: portField.optional().describe('only this port (local or remote)'),
  }),
  output: z.object({
    key: z.string(),
    service: z.string(),
    namespace: z.string(),
    context: z.string(),
    status: z.string(),
    localIP: z.string(),
    hostnames: z.array(z.string()),
    ports: z.array(portOut),
    envVars: z.record(z.string(), z.string()),
    connectionStrings: z.array(connectionStringOut),
    pods: z.array(z.object({ podName: z.string(), hostname: z.string(), ip: z.string() })).optional(),
  }),
  annotations: READ_ONLY,
  async run({ service_name, namespace, context, port }, api) {
    const [{ service: svc, pods }, hostsFile] = await Promise.all([
      pickService(api, service_name, namespace, context),
      namesOnlyIn(api),
    ]);
    const forwards = svc.forwards ?? [];
    // Port names come from the Service spec; best effort, the numbers alone still classify well.
    const specPorts = await api
      .k8sServices(svc.namespace, { context: svc.context })
      .then((r) => r.services.find((s) => s.name === service_name)?.ports ?? [])
      .catch(() => []);
    const seen = new Map<number, PortInfo & { protocol: string }>();
    for (const f of forwards) {
      const localPort = Number(f.localPort);
      if (!Number.isFinite(localPort) || seen.has(localPort)) continue;
      const spec = specPorts.find((p) => p.port === localPort || String(p.targetPort) === f.podPort);
      seen.set(localPort, {
        localPort,
        remotePort: spec?.port ?? Number(f.podPort),
        protocol: spec?.protocol ?? 'TCP',
        ...(spec?.name ? { name: spec.name } : {}),
      });
    }
    let ports = [...seen.values()].sort((a, b) => a.localPort - b.localPort);
    if (port !== undefined) {
      ports = ports.filter((p) => p.localPort === port || p.remotePort === port);
      if (ports.length === 0)
        throw new KubefwdError('INVALID_INPUT', `${svc.key} has no forwarded port ${port}`, {
          field: 'port',
          hint: 'Omit port to see every port of the service.',
        });
    }
    const hostnames = [...new Set(forwards.flatMap((f) => f.hostnames))];
    const localIP = forwards[0]?.localIP ?? '';
    // With --hosts-path the names resolve for no program: the strings and commands use the IP.
    const host = hostsFile !== undefined && localIP ? localIP : (hostnames[0] ?? svc.serviceName);
    const podHosts = pods.flatMap((p) => {
      const f = p.forwards?.[0];
      return f ? [{ podName: f.podName, hostname: f.hostnames[0] ?? p.serviceName, ip: f.localIP }] : [];
    });
    const details = connectionDetails(
      service_name,
      host,
      localIP || undefined,
      ports,
      podHosts.map((p) => (hostsFile !== undefined ? p.ip : p.hostname)),
    );
    const data = {
      key: svc.key,
      service: svc.serviceName,
      namespace: svc.namespace,
      context: svc.context,
      status: svc.status,
      localIP,
      hostnames,
      ports,
      ...details,
      ...(podHosts.length > 0 ? { pods: podHosts } : {}),
    };
    const text = [
      `${svc.serviceName} (${svc.namespace}, context ${svc.context}) — status ${svc.status}`,
      `Hostnames: ${hostnames.join(', ') || '(none yet)'}`,
      ...(hostsFile !== undefined ? [byIpNote(hostsFile)] : []),
      ...(podHosts.length > 0
        ? [
            `Pods (headless, each its own address): ${podHosts.map((p) => `${p.hostname} ${p.ip}`).join(', ')}`,
          ]
        : []),
      `IP: ${localIP || '(not assigned yet)'}`,
      `Ports: ${ports.map((p) => `${p.localPort}${p.name ? `/${p.name}` : ''}`).join(', ')}`,
      'Connection strings:',
      ...connectionLines(details, '  '),
      ...stateNotes(svc, pods, Date.now()),
    ].join('\n');
    return { data, text };
  },
});

export const listHostnames = defineTool({
  name: 'list_hostnames',
  title: 'List hosts-file entries',
  description:
    'List every hostname kubefwd put in the hosts file, with its IP and the service, namespace and context it ' +
    'belongs to. These names resolve on this machine only.',
  input: z.strictObject({}),
  output: z.object({
    hostnames: z.array(
      z.object({
        hostname: z.string(),
        ip: z.string(),
        service: z.string(),
        namespace: z.string(),
        context: z.string(),
      }),
    ),
    total: z.number(),
  }),
  annotations: READ_ONLY,
  async run(_args, api) {
    const [{ services }, hostsFile] = await Promise.all([api.listServices(), namesOnlyIn(api)]);
    const full = await Promise.all(
      services.map(async (s) => (s.forwards ? s : api.getService(s.key).catch(() => s))),
    );
    const seen = new Set<string>();
    const hostnames: { hostname: string; ip: string; service: string; namespace: string; context: string }[] =
      [];
    for (const s of full)
      for (const f of s.forwards ?? [])
        for (const h of f.hostnames) {
          if (seen.has(h)) continue;
          seen.add(h);
          hostnames.push({
            hostname: h,
            ip: f.localIP,
            service: s.serviceName,
            namespace: s.namespace,
            context: s.context,
          });
        }
    hostnames.sort((a, b) => a.hostname.localeCompare(b.hostname));
    return {
      data: { hostnames, total: hostnames.length },
      text:
        [
          ...(hostsFile !== undefined && hostnames.length > 0 ? [byIpNote(hostsFile)] : []),
          ...hostnames.map((h) => `${h.ip}\t${h.hostname}`),
        ].join('\n') || 'No hosts entries (nothing forwarded).',
    };
  },
});
