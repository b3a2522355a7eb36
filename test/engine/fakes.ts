// Fakes of the engine's ports for fast, deterministic engine tests: an in-memory cluster whose
// informers the test drives, pod sessions that dial real local servers on 127.0.0.1, a real
// net-based listener port, an in-memory hosts file, a counting traffic recorder.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubefwdError } from '../../src/contract/errors.js';
import type { KContext, KEndpoints, KNamespace, KPod, KService } from '../../src/contract/kube.js';
import type {
  ClusterGateway,
  ClusterProvider,
  ConnectionTap,
  HostsFileGateway,
  Informer,
  InformerHandler,
  ListenerGateway,
  LocalListener,
  Logger,
  LoopbackGateway,
  PodRef,
  PodSession,
  TrafficRecorder,
} from '../../src/engine/gateways.js';

type Kind = 'services' | 'pods' | 'endpoints';
type Obj = KService | KPod | KEndpoints;

interface Watcher {
  kind: Kind;
  namespace: string;
  handler: InformerHandler<Obj>;
  stopped: boolean;
  labelSelector?: string | undefined;
  /** restartWatch() calls. */
  restarts: number;
}

const matchesLabels = (selector: string | undefined, labels: Record<string, string> | undefined): boolean => {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels?.[k.trim()] === v?.trim();
  });
};

export interface FakeSessionControl {
  pod: string;
  session: PodSession;
  /** Ends the session as a cut connection would. */
  cut(reason?: string): void;
  /** The connection went silent (a dead NAT, a suspended laptop): check() finds it dead. */
  silent: boolean;
  /** check() calls. */
  checks: number;
  streams: Duplex[];
}

/** Where each pod's ports go: pod name → (pod port → local server port on 127.0.0.1). */
export type PodBackends = Map<string, Map<number, number>>;

export class FakeCluster implements ClusterGateway {
  readonly context: string;
  readonly defaultNamespace = 'default';
  readonly store = new Map<string, Obj>();
  private readonly watchers: Watcher[] = [];
  readonly sessions: FakeSessionControl[] = [];
  readonly backends: PodBackends = new Map();
  missingPermissions: string[] = [];
  /** Pods whose sessions fail to become ready, with `dialError` (default: API_UNREACHABLE). */
  readonly failingPods = new Set<string>();
  dialError: KubefwdError | undefined;
  /** Pods whose sessions neither become ready nor fail (a server that took the request and hangs). */
  readonly hangingPods = new Set<string>();
  private rv = 1;
  private readonly forbidden = new Set<string>();

  constructor(context = 'sim') {
    this.context = context;
  }

  private key(kind: Kind, ns: string, name: string): string {
    return `${kind}/${ns}/${name}`;
  }

  private list(kind: Kind, ns: string): Obj[] {
    return [...this.store.entries()].filter(([k]) => k.startsWith(`${kind}/${ns}/`)).map(([, v]) => v);
  }

  private watch<T extends Obj>(
    kind: Kind,
    namespace: string,
    handler: InformerHandler<T>,
    labelSelector?: string,
  ): Informer<T> {
    const w: Watcher = {
      kind,
      namespace,
      handler: handler,
      stopped: false,
      labelSelector,
      restarts: 0,
    };
    this.watchers.push(w);
    const visible = (o: Obj): boolean =>
      kind !== 'services' || matchesLabels(labelSelector, o.metadata.labels);
    if (this.forbidden.has(`${kind}/${namespace}`)) {
      // As an informer whose list the API server refuses: never synced, onError while it retries.
      queueMicrotask(() =>
        handler.onError?.(
          new KubefwdError('PERMISSION_DENIED', `${kind} is forbidden in ${namespace}`),
          1000,
        ),
      );
      return {
        synced: new Promise(() => undefined),
        list: () =>
          this.forbidden.has(`${kind}/${namespace}`)
            ? []
            : (this.list(kind, namespace).filter(visible) as T[]),
        restartWatch: () => w.restarts++,
        stop: () => {
          w.stopped = true;
        },
      };
    }
    const synced = Promise.resolve().then(() => {
      for (const o of this.list(kind, namespace)) if (visible(o)) handler.onAdd(o as T);
      handler.onSynced?.();
    });
    return {
      synced,
      list: () => this.list(kind, namespace).filter(visible) as T[],
      restartWatch: () => w.restarts++,
      stop: () => {
        w.stopped = true;
      },
    };
  }

  /** Creates or replaces an object and tells the informers. */
  apply(kind: Kind, obj: Obj): void {
    const ns = obj.metadata.namespace ?? 'default';
    const k = this.key(kind, ns, obj.metadata.name);
    const old = this.store.get(k);
    const next = {
      ...obj,
      metadata: { ...obj.metadata, namespace: ns, resourceVersion: String(this.rv++) },
    } as Obj;
    this.store.set(k, next);
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === ns) {
        const vis = (o: Obj | undefined): boolean =>
          o !== undefined && (kind !== 'services' || matchesLabels(w.labelSelector, o.metadata.labels));
        if (vis(next) && vis(old)) w.handler.onUpdate(next, old as Obj);
        else if (vis(next)) w.handler.onAdd(next);
        else if (vis(old)) w.handler.onDelete(old as Obj);
      }
  }

  remove(kind: Kind, namespace: string, name: string): void {
    const k = this.key(kind, namespace, name);
    const old = this.store.get(k);
    if (!old) return;
    this.store.delete(k);
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === namespace) w.handler.onDelete(old);
  }

  /** The informers of a kind fail (onError), as a list or watch the API server refuses. */
  failWatch(kind: Kind, namespace: string, message: string): void {
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === namespace)
        w.handler.onError?.(new KubefwdError('API_UNREACHABLE', message), 1000);
  }

  /** Lists and watches of a kind in a namespace are refused (RBAC) from the next informer on. */
  forbid(kind: Kind, namespace: string): void {
    this.forbidden.add(`${kind}/${namespace}`);
  }

  /** Allowed again: the refused informers list (onAdd for each object, onSynced). */
  allow(kind: Kind, namespace: string): void {
    this.forbidden.delete(`${kind}/${namespace}`);
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === namespace) {
        for (const o of this.list(kind, namespace)) w.handler.onAdd(o);
        w.handler.onSynced?.();
      }
  }

  /** The informers of a kind list again successfully (onSynced). */
  relist(kind: Kind, namespace: string): void {
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === namespace) w.handler.onSynced?.();
  }

  /** The informers of a kind have a watch open again, resumed without a list (onWatching). */
  rewatch(kind: Kind, namespace: string): void {
    for (const w of this.watchers)
      if (!w.stopped && w.kind === kind && w.namespace === namespace) w.handler.onWatching?.();
  }

  /** restartWatch() calls over the informers of a kind in a namespace. */
  watchRestarts(kind: Kind, namespace: string): number {
    return this.watchers
      .filter((w) => w.kind === kind && w.namespace === namespace)
      .reduce((n, w) => n + w.restarts, 0);
  }

  activeWatchers(): number {
    return this.watchers.filter((w) => !w.stopped).length;
  }

  watchServices(
    namespace: string,
    selectors: { labelSelector?: string },
    handler: InformerHandler<KService>,
  ): Informer<KService> {
    return this.watch('services', namespace, handler, selectors.labelSelector);
  }
  watchPods(namespace: string, handler: InformerHandler<KPod>): Informer<KPod> {
    return this.watch('pods', namespace, handler);
  }
  watchEndpoints(namespace: string, handler: InformerHandler<KEndpoints>): Informer<KEndpoints> {
    return this.watch('endpoints', namespace, handler);
  }
  getService(namespace: string, name: string): Promise<KService> {
    const svc = this.store.get(this.key('services', namespace, name));
    if (!svc)
      return Promise.reject(
        new KubefwdError('SERVICE_NOT_FOUND', `services "${name}" not found in ${namespace}`),
      );
    return Promise.resolve(svc as KService);
  }
  listServices(namespace: string): Promise<KService[]> {
    return Promise.resolve(this.list('services', namespace) as KService[]);
  }
  /** The namespaces listNamespaces answers; undefined = listing is forbidden (namespace-scoped RBAC),
   * so kubefwd cannot tell whether a namespace exists and takes it on trust. */
  namespaces: string[] | undefined;
  listNamespaces(): Promise<KNamespace[]> {
    if (this.namespaces === undefined)
      return Promise.reject(
        new KubefwdError('PERMISSION_DENIED', 'namespaces is forbidden: cannot list namespaces'),
      );
    return Promise.resolve(this.namespaces.map((name): KNamespace => ({ metadata: { name } })));
  }
  listPods(namespace: string): Promise<KPod[]> {
    return Promise.resolve(this.list('pods', namespace) as KPod[]);
  }
  getPod(namespace: string, name: string): Promise<KPod> {
    const pod = this.store.get(this.key('pods', namespace, name));
    return pod ? Promise.resolve(pod as KPod) : Promise.reject(new KubefwdError('POD_NOT_FOUND', name));
  }
  getEndpoints(namespace: string, name: string): Promise<KEndpoints> {
    const ep = this.store.get(this.key('endpoints', namespace, name));
    return ep ? Promise.resolve(ep as KEndpoints) : Promise.reject(new KubefwdError('NOT_FOUND', name));
  }
  listEvents(): Promise<never[]> {
    return Promise.resolve([]);
  }
  podLogs(): Promise<string> {
    return Promise.resolve('');
  }
  checkAccess(): Promise<string[]> {
    return Promise.resolve([...this.missingPermissions]);
  }

  openSession(pod: PodRef): PodSession {
    let closeWith: (e: KubefwdError | undefined) => void = () => undefined;
    const closed = new Promise<KubefwdError | undefined>((r) => (closeWith = r));
    let isClosed = false;
    const control: FakeSessionControl = {
      pod: pod.name,
      streams: [],
      silent: false,
      checks: 0,
      session: undefined as unknown as PodSession,
      cut: (reason = 'connection cut') => {
        if (isClosed) return;
        isClosed = true;
        for (const s of control.streams) s.destroy(new KubefwdError('STREAM_ERROR', reason));
        closeWith(new KubefwdError('STREAM_ERROR', reason));
      },
    };
    const failing = this.failingPods.has(pod.name);
    const hanging = this.hangingPods.has(pod.name);
    const dialError = this.dialError;
    const backends = this.backends;
    control.session = {
      transport: 'fake',
      closed,
      ready: () =>
        hanging
          ? new Promise<void>(() => undefined)
          : failing
            ? Promise.reject(dialError ?? new KubefwdError('API_UNREACHABLE', `cannot dial pod ${pod.name}`))
            : isClosed
              ? Promise.reject(new KubefwdError('STREAM_ERROR', 'session closed'))
              : Promise.resolve(),
      openStream: (port: number) =>
        new Promise<Duplex>((resolve, reject) => {
          if (isClosed) {
            reject(new KubefwdError('STREAM_ERROR', 'session closed'));
            return;
          }
          const target = backends.get(pod.name)?.get(port);
          if (target === undefined) {
            reject(new KubefwdError('CONNECTION_REFUSED', `pod ${pod.name} does not listen on ${port}`));
            return;
          }
          const sock = createConnection({ host: '127.0.0.1', port: target, allowHalfOpen: true });
          sock.once('connect', () => {
            control.streams.push(sock);
            resolve(sock);
          });
          sock.once('error', reject);
        }),
      check: () => {
        control.checks++;
        if (isClosed) return Promise.resolve(false);
        if (!control.silent) return Promise.resolve(true);
        isClosed = true;
        const dead = new KubefwdError('TIMEOUT', 'connection is dead: no answer to a PING');
        for (const s of control.streams) s.destroy(dead);
        closeWith(dead);
        return Promise.resolve(false);
      },
      close: () => control.cut('closed'),
    };
    this.sessions.push(control);
    return control.session;
  }

  close(): void {
    for (const s of this.sessions) s.cut('cluster closed');
  }
}

export const fakeProvider = (...clusters: FakeCluster[]): ClusterProvider => ({
  currentContext: () => clusters[0]?.context ?? 'sim',
  contexts: (): KContext[] => clusters.map((c) => ({ name: c.context, cluster: c.context })),
  cluster(context?: string) {
    const c = clusters.find((x) => x.context === (context ?? clusters[0]?.context));
    if (!c) throw new KubefwdError('CONTEXT_NOT_FOUND', `context "${context}" not found`);
    return c;
  },
  close: () => undefined,
});

export class MemoryHosts implements HostsFileGateway {
  readonly path = '/tmp/fake-hosts';
  content: string;
  writes = 0;
  constructor(content = '127.0.0.1 localhost\n') {
    this.content = content;
  }
  read(): Promise<string> {
    return Promise.resolve(this.content);
  }
  update(transform: (content: string) => string): Promise<void> {
    const next = transform(this.content);
    if (next !== this.content) {
      this.content = next;
      this.writes++;
    }
    return Promise.resolve();
  }
}

export const netListeners = (): ListenerGateway & { closeAll(): Promise<void> } => {
  const open = new Set<LocalListener>();
  return {
    listen(address: string, port: number, onConnection: (socket: Socket) => void): Promise<LocalListener> {
      return new Promise((resolve, reject) => {
        const sockets = new Set<Socket>();
        const server: Server = createServer({ allowHalfOpen: true }, (s) => {
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
          onConnection(s);
        });
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new KubefwdError('PORT_IN_USE', `${address}:${port} is already in use`)
              : new KubefwdError('INTERNAL', err.message),
          ),
        );
        server.listen({ host: address, port, exclusive: true }, () => {
          const l: LocalListener = {
            address,
            port,
            close: () =>
              new Promise<void>((done) => {
                open.delete(l);
                for (const s of sockets) s.destroy();
                server.close(() => done());
              }),
          };
          open.add(l);
          resolve(l);
        });
      });
    },
    async closeAll() {
      await Promise.all([...open].map((l) => l.close()));
    },
  };
};

export const noLoopback: LoopbackGateway = {
  ensure: () => Promise.resolve(),
  release: () => Promise.resolve(),
};

export const countingTraffic = (): TrafficRecorder & {
  bytesIn: number;
  bytesOut: number;
  opened: number;
  closed: number;
} => {
  const t = {
    bytesIn: 0,
    bytesOut: 0,
    opened: 0,
    closed: 0,
    connectionOpened(): ConnectionTap {
      t.opened++;
      return {
        toPod: (c: Buffer) => (t.bytesOut += c.length),
        fromPod: (c: Buffer) => (t.bytesIn += c.length),
        closed: () => void t.closed++,
      };
    },
    connectionFailed: () => undefined,
    forwardRemoved: () => undefined,
  };
  return t;
};

export const memoryLogger = (): Logger & {
  lines: string[];
  entries: { line: string; fields?: Record<string, unknown> }[];
} => {
  const lines: string[] = [];
  const entries: { line: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (m: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${m}`);
    entries.push({ line: `${level} ${m}`, ...(fields ? { fields } : {}) });
  };
  return { lines, entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

// ---------------------------------------------------------------- objects

export const service = (
  name: string,
  namespace: string,
  ports: { port: number; targetPort?: number | string; name?: string; protocol?: 'TCP' | 'UDP' }[],
  opts: {
    selector?: Record<string, string> | null;
    headless?: boolean;
    type?: KService['spec']['type'];
    labels?: Record<string, string>;
  } = {},
): KService => ({
  metadata: { name, namespace, ...(opts.labels ? { labels: opts.labels } : {}) },
  spec: {
    type: opts.type ?? 'ClusterIP',
    clusterIP: opts.headless ? 'None' : '10.0.0.1',
    ...(opts.selector === null ? {} : { selector: opts.selector ?? { app: name } }),
    ports,
  },
});

export const pod = (
  name: string,
  namespace: string,
  labels: Record<string, string>,
  opts: { ready?: boolean; ports?: { name?: string; containerPort: number }[]; deleting?: boolean } = {},
): KPod => ({
  metadata: {
    name,
    namespace,
    labels,
    uid: `uid-${name}`,
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'main', ports: opts.ports ?? [] }] },
  status: {
    phase: opts.ready === false ? 'Pending' : 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

/** A TCP echo server on 127.0.0.1 that prefixes nothing (byte-exact). */
export const echoServer = async (
  tag = '',
): Promise<{ port: number; close(): Promise<void>; connections: number }> => {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createServer({ allowHalfOpen: true }, (s) => {
    state.connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    if (tag) s.write(tag);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
};

/** Sends `payload`, half-closes, and collects everything until the server closes. */
export const roundTrip = (host: string, port: number, payload: Buffer | string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = createConnection({ host, port, allowHalfOpen: true });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.once('error', reject);
    s.once('connect', () => s.end(payload));
    s.once('end', () => {
      s.end();
      resolve(Buffer.concat(chunks));
    });
  });

/** Polls until `check` passes (returns truthy) or fails after `ms`. */
export const eventually = async <T>(
  check: () => T | undefined | false,
  ms = 3000,
  what = 'condition',
): Promise<T> => {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
