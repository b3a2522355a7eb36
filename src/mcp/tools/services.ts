// Individual forwarded services: add, remove, list, inspect, search.
import { SERVICE_KEY_DESCRIPTION, resolveServiceKey } from '../../contract/service-key.js';
import { KubefwdError } from '../../contract/errors.js';
import { closeKeys } from './close-keys.js';
import { explainNotForwarded } from './not-forwarded.js';
import { z } from 'zod';
import { formatDuration, retrySuffix } from '../../domain/time-format.js';
import { failingConnectionsText } from '../../domain/diagnosis.js';
import type { ForwardView, ServiceView } from '../../contract/state.js';
import { classifyPort, connectionDetails, connectionLines } from '../connection-strings.js';
import { contextField, keyField, namespaceField, portField, searchText, serviceNameField } from '../input.js';
import { matchesTerms, queryTerms, searchServices, type SearchableService } from '../service-search.js';
import { didYouMean } from '../../domain/did-you-mean.js';
import { byIpNote, namesOnlyIn } from './names-only-in.js';
import { connectionStringOut, portOut, serviceOut, summaryOut } from './shapes.js';
import { READ_ONLY, defineTool } from './define.js';
import { DEFAULT_SETTLE_MS, pendingNote, settleFailure, waitForForwards } from './settle.js';

const num = (v: string | number): number => (typeof v === 'number' ? v : Number.parseInt(v, 10));

export const addService = defineTool({
  name: 'add_service',
  title: 'Forward one service',
  description:
    'Forward one Kubernetes service to this machine. Returns its local IP, the hostnames added to the hosts file ' +
    '(connect by service name, e.g. "postgres:5432"), its ports, and ready-to-use connection strings and env vars. ' +
    'The forward stays up while pods change. Waits a few seconds for the forward to be active; status ' +
    '"pending" means it is still starting (the note says why), and a forward that fails (e.g. its address is ' +
    'held by another program) is an error naming the cause and the fix. Requires namespace and service_name ' +
    '(find them with list_k8s_services). `ports` has no effect (accepted so calls written for the original ' +
    'kubefwd still work): it neither picks nor remaps ports. Every TCP port of the service is forwarded on the ' +
    'same local port number; another local port takes kubefwd restarted with -m svcPort:localPort, which no ' +
    'tool here can do.',
  input: z.strictObject({
    namespace: namespaceField,
    service_name: serviceNameField.describe('Kubernetes service name, e.g. "postgres"'),
    context: contextField.optional(),
    ports: z
      .array(
        z.union([
          z.number().int().min(1).max(65535),
          z.string().regex(/^\d{1,5}(:\d{1,5})?$/, 'must be "port" or "local:remote"'),
        ]),
      )
      .max(64)
      .describe(
        'has no effect (kept for kubefwd compatibility): it neither picks nor remaps ports; every TCP port of the service is forwarded on the same local port number',
      )
      .optional(),
  }),
  output: z.object({
    success: z.boolean(),
    key: z.string(),
    serviceName: z.string(),
    namespace: z.string(),
    context: z.string(),
    /** "active" once every forward listens; "pending" when the wait ended first. */
    status: z.enum(['active', 'pending']),
    note: z.string().optional(),
    localIP: z.string(),
    hostnames: z.array(z.string()),
    ports: z.array(portOut),
    envVars: z.record(z.string(), z.string()),
    connectionStrings: z.array(connectionStringOut),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ namespace, service_name, context, ports: asked }, api, ctx) {
    const res = await api.addService({
      namespace,
      serviceName: service_name,
      ...(context ? { context } : {}),
    });
    // registryKey, not serviceKey: a headless service is forwarded as one service per pod.
    const [{ settled }, hostsFile] = await Promise.all([
      waitForForwards(api, (f) => f.registryKey === res.key, ctx.settleMs ?? DEFAULT_SETTLE_MS),
      namesOnlyIn(api),
    ]);
    if (settled.state === 'failed')
      throw settleFailure(
        `${res.serviceName} (key ${res.key}) is registered but could not be forwarded`,
        settled.failed,
      );
    const note = settled.state === 'pending' ? pendingNote(settled.waiting) : undefined;
    const ports = res.ports.map((p) => ({
      localPort: num(p.localPort),
      remotePort: num(p.remotePort),
      protocol: p.protocol ?? 'TCP',
      ...(p.name ? { name: p.name } : {}),
    }));
    // With --hosts-path the names resolve for no program: the strings and commands use the IP.
    const host = hostsFile !== undefined ? res.localIP : (res.hostnames[0] ?? res.serviceName);
    const details = connectionDetails(res.serviceName, host, res.localIP, ports);
    const data = {
      success: true,
      key: res.key,
      serviceName: res.serviceName,
      namespace: res.namespace,
      context: res.context,
      status: settled.state,
      ...(note ? { note } : {}),
      localIP: res.localIP,
      hostnames: res.hostnames,
      ports,
      ...details,
    };
    const text = [
      settled.state === 'active'
        ? `Forwarding ${res.serviceName} (${res.namespace}, context ${res.context}) as ${res.hostnames[0] ?? res.serviceName} at ${res.localIP}; key ${res.key}.`
        : `${res.serviceName} (${res.namespace}, context ${res.context}) will be reachable as ${res.hostnames[0] ?? res.serviceName} at ${res.localIP}; key ${res.key}. ${note ?? ''}`,
      ...(hostsFile !== undefined ? [byIpNote(hostsFile)] : []),
      `Ports: ${ports.map((p) => `${p.localPort}`).join(', ')}`,
      // Said, not silently dropped: whoever sent "15432:5432" expects 15432 to listen.
      ...(asked !== undefined && asked.length > 0
        ? [
            `\`ports\` (${asked.join(', ')}) was not applied: every TCP port is forwarded on the same local port number; another local port takes kubefwd restarted with -m svcPort:localPort.`,
          ]
        : []),
      ...connectionLines(details),
    ].join('\n');
    return { data, text };
  },
});

export const removeService = defineTool({
  name: 'remove_service',
  title: 'Stop forwarding a service',
  description:
    'Stop forwarding one service: closes its forwards, removes its hosts-file entries and releases its IP. ' +
    'When its whole namespace is forwarded, the service stays out until add_service or add_namespace asks for it again. ' +
    'Requires the service key "service.namespace.context" as shown by list_services, or a short form ("postgres", "postgres.shop") that names one service. ' +
    'A service that is not forwarded (e.g. already removed) is not an error: removed is false.',
  input: z.strictObject({ key: keyField.describe(SERVICE_KEY_DESCRIPTION) }),
  output: z.object({
    success: z.boolean(),
    key: z.string(),
    /** false: nothing of that name was forwarded (already removed), so nothing was stopped. */
    removed: z.boolean(),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ key: asked }, api) {
    // The API resolves a short key ("postgres") to the full one; report that one.
    const removed = await api.removeService(asked).catch(async (err: unknown) => {
      // Idempotent, as annotated (and as remove_namespace): a service already removed is where the
      // caller wants it. The engine calls a short name it cannot resolve an invalid key; an
      // ambiguous short name stays an error (the API lists the candidates).
      if (!(err instanceof KubefwdError) || !['SERVICE_NOT_FOUND', 'INVALID_KEY'].includes(err.code))
        throw err;
      const { services } = await api.listServices();
      if (
        resolveServiceKey(
          asked,
          services.map((s) => s.key),
        ).kind !== 'missing'
      )
        throw err;
      return { key: asked, close: closeKeys(asked, services) };
    });
    if ('close' in removed) {
      const message = `${removed.key} is not forwarded (nothing to stop)`;
      const hint =
        removed.close.length > 0 ? ` Still forwarded with a close name: ${removed.close.join(', ')}.` : '';
      return {
        data: { success: true, key: removed.key, removed: false, message },
        text: `${message}.${hint}`,
      };
    }
    return {
      data: { success: true, key: removed.key, removed: true, message: 'Service forwarding stopped' },
      text: `Stopped forwarding ${removed.key}.`,
    };
  },
});

const SERVICE_STATUS = ['active', 'error', 'partial', 'pending', 'waiting', 'all'] as const;

export const listServices = defineTool({
  name: 'list_services',
  title: 'List forwarded services',
  description:
    'List the services kubefwd forwards now, each with its key, status (active, error, partial, pending, ' +
    'waiting), forward counts and traffic totals, plus a summary. Filter by namespace or status; set ' +
    'include_forwards for per-pod details (IP, ports, hostnames, errors).',
  input: z.strictObject({
    namespace: namespaceField.optional(),
    status: z
      .enum(SERVICE_STATUS)
      .optional()
      .describe('filter by status; "all" or omitted for every service'),
    include_forwards: z.boolean().optional().describe('include per-pod forward details'),
  }),
  output: z.object({ services: z.array(serviceOut), summary: summaryOut, count: z.number() }),
  annotations: READ_ONLY,
  async run({ namespace, status, include_forwards }, api) {
    const { services, summary } = await api.listServices();
    const picked = services
      .filter((s) => !namespace || s.namespace === namespace)
      .filter((s) => !status || status === 'all' || s.status === status)
      .map((s) => (include_forwards ? s : withoutForwards(s)));
    // The counts of what is listed: the daemon's summary is of every service, whatever the filter.
    const filtered = Boolean(namespace) || (status !== undefined && status !== 'all');
    const active = picked.filter((s) => s.activeCount > 0).length;
    const errors = picked.reduce((n, s) => n + s.errorCount, 0);
    const text =
      `${picked.length} service(s) (${active} active, ${errors} forward error(s))${filtered ? `; ${summary.totalServices} forwarded in all` : ''}:\n` +
      picked.map((s) => `- ${s.key} [${s.status}] ${s.activeCount} active, ${s.errorCount} error`).join('\n');
    return { data: { services: picked, summary, count: picked.length }, text };
  },
});

const withoutForwards = (s: ServiceView): ServiceView => {
  const { forwards: _f, ...rest } = s;
  return rest;
};

export const getService = defineTool({
  name: 'get_service',
  title: 'Inspect a forwarded service',
  description:
    'Detailed state of one forwarded service: every port forward with its pod, local IP and port, hostnames, ' +
    'status, last error and reason, next retry, and traffic bytes/rates. Requires the key from list_services.',
  input: z.strictObject({ key: keyField.describe(SERVICE_KEY_DESCRIPTION) }),
  output: serviceOut,
  annotations: READ_ONLY,
  async run({ key }, api) {
    const s = await api.getService(key).catch((err: unknown) => explainNotForwarded(api, key, err));
    const now = Date.now();
    const fwd = (s.forwards ?? []).map(
      (f) =>
        `- ${f.podName ? `${f.podName} ` : ''}${f.localIP}:${f.localPort} -> ${f.podPort} [${f.status}]${f.error ? ` error: ${f.error}` : ''}${f.reason ? ` (${f.reason})` : ''}${retrySuffix(f.nextRetryAt, now)}` +
        connectionFailureLine(f, now),
    );
    return {
      data: s,
      text: `${s.key} [${s.status}] ${s.activeCount} active, ${s.errorCount} error\n${fwd.join('\n')}`,
    };
  },
});

/**
 * A forward's last failed connection, said as current only while domain/diagnosis counts it as
 * failing (lately, and no connection got the pod's answer since); an older one is marked as past, so
 * an RBAC error lifted minutes ago is not read as the reason next to [Active].
 */
const connectionFailureLine = (f: ForwardView, now: number): string => {
  if (!f.lastConnectionError) return '';
  const n = f.failedConnections ?? 1;
  if (failingConnectionsText(f, now) !== undefined)
    return `\n  connections fail now: ${n} failed, the last at ${f.lastConnectionErrorAt ?? '?'}: ${f.lastConnectionError}`;
  const at = f.lastConnectionErrorAt ? Date.parse(f.lastConnectionErrorAt) : Number.NaN;
  const answered = f.lastAnsweredAt !== undefined && !Number.isNaN(at) && Date.parse(f.lastAnsweredAt) > at;
  // Not Active: the forward's own status and error above say what is wrong now.
  const since = f.status !== 'Active' ? [] : [answered ? 'since resolved' : 'none failed since'];
  const when = [...(Number.isNaN(at) ? [] : [`${formatDuration(now - at)} ago`]), ...since];
  return `\n  earlier${when.length > 0 ? ` (${when.join(', ')})` : ''}: ${n} connection(s) failed, the last: ${f.lastConnectionError}`;
};

/**
 * Why a search found nothing, when a word of it (or the namespace asked) matches no forwarded
 * service at all: that word, with the forwarded names, namespaces and contexts close to it — the
 * misspelling ("shopp") is the likely reason.
 */
const nothingMatches = (
  services: readonly (ServiceView & SearchableService)[],
  query: string | undefined,
  namespace: string | undefined,
): string => {
  const words = [...new Set(services.flatMap((s) => [s.serviceName, s.namespace, s.context]))];
  const namespaces = [...new Set(services.map((s) => s.namespace))];
  const unmatched = queryTerms(query ?? '').filter((t) => !services.some((s) => matchesTerms(s, [t])));
  const said = [
    ...(namespace !== undefined && !namespaces.includes(namespace)
      ? [`nothing is forwarded from namespace ${namespace}${didYouMean(namespace, namespaces)}`]
      : []),
    ...unmatched.map((t) => `"${t}" names nothing forwarded${didYouMean(t, words)}`),
  ];
  return said.length === 0 ? '' : `: ${said.join('; ')}`;
};

export const findServices = defineTool({
  name: 'find_services',
  title: 'Search forwarded services',
  description:
    'Search forwarded services by words (query), port number (matches local or pod port) or namespace. The query ' +
    'may be the user\'s own words: "postgres in shop", "shop/redis", "the database", "kafka broker" — every word ' +
    'must match the name, namespace, a hostname or the kind of a port (database, cache, queue, web...). Returns each ' +
    'match, best first, with key, local IP, hostnames and ports. Use to find how to reach something already forwarded.',
  input: z.strictObject({
    query: searchText(253)
      .optional()
      .describe('words or a name fragment, e.g. "postgres in shop", "redis", "database"'),
    port: portField.optional(),
    namespace: namespaceField.optional(),
  }),
  output: z.object({
    services: z.array(
      z.object({
        key: z.string(),
        service: z.string(),
        namespace: z.string(),
        context: z.string(),
        status: z.string(),
        localIP: z.string(),
        hostnames: z.array(z.string()),
        ports: z.array(z.number()),
      }),
    ),
    count: z.number(),
  }),
  annotations: READ_ONLY,
  async run({ query, port, namespace }, api) {
    const { services } = await api.listServices();
    const withFwd = await Promise.all(
      services.map(async (s) => (s.forwards ? s : await api.getService(s.key).catch(() => s))),
    );
    const all = withFwd.map((s) => {
      const fwds = s.forwards ?? [];
      const kinds = fwds.map((f) =>
        classifyPort({ localPort: num(f.localPort), remotePort: num(f.podPort) }, s.serviceName),
      );
      return { ...s, hostnames: [...new Set(fwds.flatMap((f) => f.hostnames))], kinds };
    });
    // Namespace and port first: the search ranks among the services that are candidates.
    const searchable = all
      .filter((s) => !namespace || s.namespace === namespace)
      .filter(
        (s) =>
          port === undefined ||
          (s.forwards ?? []).some((f) => Number(f.localPort) === port || Number(f.podPort) === port),
      );
    const found = searchServices(searchable, query ?? '').map((s) => {
      const fwds = s.forwards ?? [];
      return {
        key: s.key,
        service: s.serviceName,
        namespace: s.namespace,
        context: s.context,
        status: s.status,
        localIP: fwds[0]?.localIP ?? '',
        hostnames: s.hostnames,
        ports: [...new Set(fwds.map((f) => Number(f.localPort)))],
      };
    });
    return {
      data: { services: found, count: found.length },
      text:
        found.length === 0
          ? `No forwarded service matches${nothingMatches(all, query, namespace)}. Use list_k8s_services to find services to forward.`
          : found
              .map((s) => `- ${s.key} ${s.localIP} ${s.hostnames[0] ?? ''} ports ${s.ports.join(', ')}`)
              .join('\n'),
    };
  },
});
