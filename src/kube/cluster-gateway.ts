// One kubeconfig context as a ClusterGateway: typed list/get calls, informers, pod logs, the RBAC
// preflight and port-forward sessions — all over one ClusterConnection.
import { KubefwdError } from '../contract/errors.js';
import type { KEndpoints, KEvent, KNamespace, KPod, KService, WatchEvent } from '../contract/kube.js';
import { checkAccess } from './access.js';
import type { KubeConnection } from './auth/connection.js';
import type { BackoffPolicy } from './informer/backoff.js';
import type { Keyed } from './informer/diff.js';
import { createInformer, type ListResult, type ListWatchSource } from './informer/informer.js';
import type { RestClient } from './rest/client.js';
import type {
  ClusterGateway,
  Informer,
  InformerHandler,
  KubeClock,
  KubeLogger,
  PodLogOptions,
  PodRef,
  PodSession,
  Selectors,
  TransportChoice,
} from './types.js';

/** The transport helper's port-forwarder, as this module uses it (src/kube/portforward). */
export interface PortForwarderLike {
  openSession(pod: { namespace: string; name: string }): PodSession;
  close(): void;
}

export type PortForwarderFactory = (
  conn: KubeConnection,
  opts: { transport: TransportChoice; logger?: KubeLogger },
) => PortForwarderLike;

export interface ClusterGatewayDeps {
  conn: KubeConnection;
  rest: RestClient;
  logger: KubeLogger;
  clock: KubeClock;
  transport: TransportChoice;
  portForwarders: PortForwarderFactory;
  /** Informer resync (replay of the cache as updates); default none, as kubefwd's service informer. */
  resyncMs?: number;
  backoff?: BackoffPolicy;
  /** Server-side watch timeout range; each watch picks a value in it, like client-go. */
  watchTimeoutSeconds?: { min: number; max: number };
  random?: () => number;
}

interface KList<T> {
  items?: T[] | null;
  metadata?: { resourceVersion?: string; continue?: string };
}

const PAGE = 500;
const seg = encodeURIComponent;

const nsPath = (namespace: string, resource: string, name?: string): string =>
  `/api/v1/namespaces/${seg(namespace)}/${resource}${name === undefined ? '' : `/${seg(name)}`}`;

const selectorQuery = (s?: Selectors) => ({
  ...(s?.labelSelector ? { labelSelector: s.labelSelector } : {}),
  ...(s?.fieldSelector ? { fieldSelector: s.fieldSelector } : {}),
});

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks pod log options before they reach the server; errors name the option. */
/** How long a followed pod log may stay silent before the stream is taken for dead (the page reconnects). */
const FOLLOW_IDLE_MS = 15 * 60_000;

export function logQuery(options: PodLogOptions): Record<string, string | number | boolean | undefined> {
  const nonNeg = (v: number | undefined, field: string, min = 0): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < min)
      throw new KubefwdError('INVALID_INPUT', `${field} must be an integer ≥ ${min}, got ${v}`, { field });
    return v;
  };
  if (
    options.sinceTime !== undefined &&
    (!RFC3339.test(options.sinceTime) || Number.isNaN(Date.parse(options.sinceTime)))
  )
    throw new KubefwdError(
      'INVALID_INPUT',
      `sinceTime must be an RFC3339 time (e.g. 2024-01-02T15:04:05Z), got "${options.sinceTime}"`,
      {
        field: 'sinceTime',
      },
    );
  if (options.sinceTime !== undefined && options.sinceSeconds !== undefined)
    throw new KubefwdError('INVALID_INPUT', 'pass sinceSeconds or sinceTime, not both', {
      field: 'sinceSeconds',
    });
  return {
    container: options.container || undefined,
    tailLines: nonNeg(options.tailLines, 'tailLines'),
    sinceSeconds: nonNeg(options.sinceSeconds, 'sinceSeconds', 1),
    sinceTime: options.sinceTime,
    timestamps: options.timestamps ? true : undefined,
    previous: options.previous ? true : undefined,
    limitBytes: nonNeg(options.limitBytes, 'limitBytes', 1),
  };
}

// One closure on purpose: every gateway method shares the REST client and the port-forwarder.
export function createClusterGateway(deps: ClusterGatewayDeps): ClusterGateway {
  const { conn, rest, logger, clock } = deps;
  const context = conn.contextName;
  const informers = new Set<Informer<unknown>>();
  const random = deps.random ?? Math.random;
  const watchRange = deps.watchTimeoutSeconds ?? { min: 300, max: 600 };
  let forwarder: PortForwarderLike | undefined;
  let closed = false;

  const listAll = async <T>(
    path: string,
    resource: string,
    namespace: string | undefined,
    selectors?: Selectors,
    signal?: AbortSignal,
  ): Promise<ListResult<T>> => {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page: KList<T> = await rest.json<KList<T>>({
        path,
        query: { ...selectorQuery(selectors), limit: PAGE, ...(cont ? { continue: cont } : {}) },
        subject: { verb: 'list', resource, ...(namespace ? { namespace } : {}) },
        ...(signal ? { signal } : {}),
      });
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  };

  const source = <T>(
    path: string,
    resource: string,
    namespace: string,
    selectors?: Selectors,
  ): ListWatchSource<T> => ({
    list: (signal) => listAll<T>(path, resource, namespace, selectors, signal),
    watch: (resourceVersion, onEvent, signal, onOpen) => {
      const timeoutSeconds = Math.round(watchRange.min + (watchRange.max - watchRange.min) * random());
      return rest.lines(
        {
          path,
          query: {
            ...selectorQuery(selectors),
            watch: true,
            allowWatchBookmarks: true,
            resourceVersion,
            timeoutSeconds,
          },
          subject: { verb: 'watch', resource, namespace },
          // The server ends the stream after timeoutSeconds; silence well past that means a dead link.
          timeoutMs: (timeoutSeconds + 30) * 1000,
          signal,
        },
        (line) => {
          let ev: WatchEvent<T>;
          try {
            ev = JSON.parse(line) as WatchEvent<T>;
          } catch {
            logger.warn(
              `watch of ${resource} in ${namespace} (context ${context}) sent a line that is not JSON; ignored`,
            );
            return;
          }
          onEvent(ev);
        },
        onOpen,
      );
    },
  });

  const watch = <T extends Keyed>(
    resource: string,
    namespace: string,
    selectors: Selectors | undefined,
    handler: InformerHandler<T>,
  ): Informer<T> => {
    if (closed) throw new KubefwdError('INTERNAL', `cluster context "${context}" is closed`);
    const inf = createInformer<T>(
      source<T>(nsPath(namespace, resource), resource, namespace, selectors),
      handler,
      {
        name: `${resource} in namespace "${namespace}" (context "${context}")`,
        clock,
        logger,
        ...(deps.backoff ? { backoff: deps.backoff } : {}),
        ...(deps.resyncMs ? { resyncMs: deps.resyncMs } : {}),
        random,
      },
    );
    informers.add(inf);
    return {
      synced: inf.synced,
      list: () => inf.list(),
      restartWatch: () => {
        // Kept-alive connections idle through a sleep are as suspect as the watch's own.
        rest.dropIdleConnections();
        inf.restartWatch();
      },
      stop: () => {
        informers.delete(inf);
        inf.stop();
      },
    };
  };

  const get = <T>(resource: string, namespace: string, name: string): Promise<T> =>
    rest.json<T>({
      path: nsPath(namespace, resource, name),
      subject: { verb: 'get', resource, namespace, name },
    });

  return {
    context,
    defaultNamespace: conn.namespace,
    watchServices: (namespace, selectors, handler) =>
      watch<KService>('services', namespace, selectors, handler),
    watchPods: (namespace, handler) => watch<KPod>('pods', namespace, undefined, handler),
    watchEndpoints: (namespace, handler) => watch<KEndpoints>('endpoints', namespace, undefined, handler),
    getService: (namespace, name) => get<KService>('services', namespace, name),
    getPod: (namespace, name) => get<KPod>('pods', namespace, name),
    getEndpoints: (namespace, name) => get<KEndpoints>('endpoints', namespace, name),
    listServices: async (namespace, selectors) =>
      (await listAll<KService>(nsPath(namespace, 'services'), 'services', namespace, selectors)).items,
    listPods: async (namespace, selectors) =>
      (await listAll<KPod>(nsPath(namespace, 'pods'), 'pods', namespace, selectors)).items,
    listEvents: async (namespace, selectors) =>
      (await listAll<KEvent>(nsPath(namespace, 'events'), 'events', namespace, selectors)).items,
    listNamespaces: async () =>
      (await listAll<KNamespace>('/api/v1/namespaces', 'namespaces', undefined)).items,
    podLogs: async (namespace, name, options) =>
      rest.text({
        path: `${nsPath(namespace, 'pods', name)}/log`,
        query: logQuery(options),
        subject: { verb: 'get', resource: 'pods/log', namespace, name },
      }),
    followPodLogs: (namespace, name, options, onLine, signal) =>
      rest.lines(
        {
          path: `${nsPath(namespace, 'pods', name)}/log`,
          query: { ...logQuery(options), follow: true },
          subject: { verb: 'get', resource: 'pods/log', namespace, name },
          // A quiet container is normal: the idle deadline only reaps a dead connection.
          timeoutMs: FOLLOW_IDLE_MS,
          signal,
        },
        onLine,
      ),
    checkAccess: (namespace) => checkAccess(rest, namespace, logger),
    openSession(pod: PodRef): PodSession {
      if (closed) throw new KubefwdError('INTERNAL', `cluster context "${context}" is closed`);
      forwarder ??= deps.portForwarders(conn, { transport: deps.transport, logger });
      return forwarder.openSession({ namespace: pod.namespace, name: pod.name });
    },
    close() {
      if (closed) return;
      closed = true;
      for (const inf of informers) inf.stop();
      informers.clear();
      forwarder?.close();
      rest.close();
    },
  };
}
