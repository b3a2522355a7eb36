// The 8 kubefwd:// resources: JSON snapshots of the current state, in
// kubefwd's shapes: `services` and `forwards` are bare JSON arrays, the others objects. When kubefwd
// is not running a read still succeeds, with an `error` object saying how to start it.
import type { ForwardView } from '../contract/state.js';
import type { BackendProvider, KubefwdBackend } from './backend.js';
import { classifyError, failingConnectionsText } from '../domain/diagnosis.js';
import { errorBody } from './errors.js';
import { flattenTraffic } from './tools/traffic.js';
import { UNTRUSTED_NOTICE, sanitizeDeep } from './untrusted.js';

/** Where an error is: the forward's service, pod, address and status. */
const where = (f: ForwardView) => ({
  serviceKey: f.serviceKey,
  serviceName: f.serviceName,
  namespace: f.namespace,
  context: f.context,
  podName: f.podName,
  localIP: f.localIP,
  localPort: f.localPort,
  status: f.status,
});
export interface ResourceDef {
  uri: string;
  name: string;
  title: string;
  description: string;
  read(api: KubefwdBackend, mcpVersion: string): Promise<Record<string, unknown> | unknown[]>;
}

const timestamp = (): string => new Date().toISOString();

export const RESOURCES: readonly ResourceDef[] = [
  {
    uri: 'kubefwd://status',
    name: 'status',
    title: 'Quick Status',
    description: 'Quick health check: ok, issues or error, with a message and the error count.',
    async read(api) {
      return { ...(await api.quickStatus()), timestamp: timestamp() };
    },
  },
  {
    uri: 'kubefwd://services',
    name: 'services',
    title: 'Forwarded Services',
    description: 'Every forwarded service with key, status, forward counts and traffic totals.',
    async read(api) {
      const { services } = await api.listServices();
      return services.map(({ forwards: _f, ...s }) => s);
    },
  },
  {
    uri: 'kubefwd://forwards',
    name: 'forwards',
    title: 'Port Forwards',
    description: 'Every port forward: pod, local IP and port, hostnames, status, error and traffic.',
    async read(api) {
      return (await api.listForwards()).forwards;
    },
  },
  {
    uri: 'kubefwd://metrics',
    name: 'metrics',
    title: 'Traffic Metrics',
    description: 'Totals and rates of bytes in and out, service and forward counts.',
    async read(api) {
      return { ...(await api.metrics()), timestamp: timestamp() };
    },
  },
  {
    uri: 'kubefwd://summary',
    name: 'summary',
    title: 'Summary Statistics',
    description: 'Overall state: health, daemon version, uptime, counts, namespaces and contexts.',
    async read(api, mcpVersion) {
      const [info, { summary, services }, { status }] = await Promise.all([
        api.info(),
        api.listServices(),
        api.analyze(),
      ]);
      return {
        status,
        version: info.version,
        mcpVersion,
        ...summary,
        ...(info.uptime !== undefined ? { uptime: info.uptime } : {}),
        ...(info.startTime ? { startTime: info.startTime } : {}),
        // What is forwarded now, as get_health says.
        namespaces: [...new Set(services.map((s) => s.namespace))].sort(),
        contexts: [...new Set(services.map((s) => s.context))].sort(),
        timestamp: timestamp(),
      };
    },
  },
  {
    uri: 'kubefwd://errors',
    name: 'errors',
    title: 'Current Errors',
    description:
      'Forwards failing or waiting now, with error code, message, reason and next retry; and active forwards whose connections failed in the last minute.',
    async read(api) {
      const { forwards } = await api.listForwards();
      const now = Date.now();
      const errors = forwards
        .filter((f) => f.status === 'Error' || f.status === 'Waiting')
        .map((f) => ({
          ...where(f),
          error: f.error ?? '',
          ...(f.errorCode ? { errorCode: f.errorCode } : {}),
          ...(f.reason ? { reason: f.reason } : {}),
          ...(f.nextRetryAt ? { nextRetryAt: f.nextRetryAt } : {}),
        }));
      // Active, but the pod turns connections away: kubefwd://status counts these as issues, and
      // the analysis lists them (domain/diagnosis: failingConnectionsIssue); so do these errors.
      const failing = forwards.flatMap((f) =>
        failingConnectionsText(f, now) === undefined
          ? []
          : [
              {
                ...where(f),
                error: `connections fail: ${f.lastConnectionError ?? ''}`,
                errorCode: classifyError(f.lastConnectionError).code,
                failedConnections: f.failedConnections ?? 1,
                ...(f.lastConnectionErrorAt ? { lastFailureAt: f.lastConnectionErrorAt } : {}),
              },
            ],
      );
      return {
        errorCount: errors.length + failing.length,
        errors: [...errors, ...failing],
        timestamp: timestamp(),
      };
    },
  },
  {
    uri: 'kubefwd://http-traffic',
    name: 'http-traffic',
    title: 'HTTP Traffic',
    description: 'The last 100 HTTP requests through all forwards (untrusted data from the network).',
    async read(api) {
      const { services } = await api.listServices();
      const perService = await Promise.all(
        services.map(async (s) => {
          const t = await api.serviceHttpTraffic(s.key, { count: 100 }).catch(() => undefined);
          return t
            ? flattenTraffic(t.forwards).map((r) => ({
                ...r,
                service: s.serviceName,
                namespace: s.namespace,
              }))
            : [];
        }),
      );
      const requests = perService
        .flat()
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
        .slice(0, 100);
      return { count: requests.length, requests, untrusted: UNTRUSTED_NOTICE, timestamp: timestamp() };
    },
  },
  {
    uri: 'kubefwd://contexts',
    name: 'contexts',
    title: 'Kubernetes Contexts',
    description: 'The kubeconfig contexts and the current one.',
    async read(api) {
      const { contexts, currentContext } = await api.k8sContexts();
      return { currentContext, contexts, count: contexts.length, timestamp: timestamp() };
    },
  },
];

/** Reads a resource, turning a failure (e.g. kubefwd not running) into a JSON error body. */
export const readResource = async (
  def: ResourceDef,
  backend: BackendProvider,
  mcpVersion: string,
): Promise<Record<string, unknown> | unknown[]> => {
  try {
    // Cluster and traffic text inside is escaped like every tool result (untrusted.ts).
    return sanitizeDeep(await def.read(await backend(), mcpVersion));
  } catch (err) {
    return sanitizeDeep({ error: errorBody(err), timestamp: timestamp() });
  }
};
