// The gateways: how the engine talks to the world (the hexagonal "ports"; named gateways so that
// "port" in this code base always means a TCP port). They live in contract/ because both sides of
// each gateway import them — the engine (which uses them) and the adapters in kube/ and os/ (which
// implement them); engine/gateways.ts re-exports them for the engine's own modules.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { KubefwdError } from './errors.js';
import type { KContext, KEndpoints, KEvent, KNamespace, KPod, KService } from './kube.js';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a log line is about (a forward: its serviceKey, namespace, context, podName… as the API names
 * them), for programs that read the log: JSON lines and the API's /logs carry it as fields of their
 * own. Text lines leave it out, their message names it already (`web.shop: lost connection to …`).
 */
export type LogSubject = Record<string, string | undefined>;

/** The field under which a line's subject travels from a `withSubject` logger to the daemon's. */
export const SUBJECT_FIELD = 'subject';

/**
 * A logger that adds `subject()` (read when each line is written) to every line; a subject the line
 * already has (from a logger wrapped inside this one) is more specific and wins key by key.
 */
export const withSubject = (logger: Logger, subject: () => LogSubject): Logger => {
  const add = (fields: Record<string, unknown> | undefined) => ({
    ...fields,
    [SUBJECT_FIELD]: {
      ...Object.fromEntries(Object.entries(subject()).filter(([, v]) => v !== undefined)),
      ...(fields?.[SUBJECT_FIELD] as LogSubject | undefined),
    },
  });
  return {
    debug: (m, f) => logger.debug(m, add(f)),
    info: (m, f) => logger.info(m, add(f)),
    warn: (m, f) => logger.warn(m, add(f)),
    error: (m, f) => logger.error(m, add(f)),
  };
};

/** Time, injectable so backoff and debouncing are testable. */
export interface Clock {
  now(): number;
  /** Monotonic ms with a fraction, for timing what may take under a millisecond; default now(). */
  elapsed?(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  elapsed: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

// ---------------------------------------------------------------- cluster

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/** Receives the changes of a list+watch. Never silently stopped: errors arrive via onError while it retries. */
export interface InformerHandler<T> {
  onAdd(obj: T): void;
  onUpdate(obj: T, old: T): void;
  onDelete(obj: T): void;
  /** After the initial list and after each relist (410 Gone, reconnect). */
  onSynced?(): void;
  /** The watch failed and is being retried (with backoff); `retryInMs` until the next attempt. */
  onError?(err: KubefwdError, retryInMs: number): void;
  /**
   * A watch is open (the server accepted it): the cache follows the cluster again. After an error
   * this is the recovery — a watch resumed from its resourceVersion is not followed by onSynced.
   */
  onWatching?(): void;
}

export interface Informer<T> {
  /** Resolves after the first complete list. Rejects only if stopped before then. */
  readonly synced: Promise<void>;
  /** The current cache. */
  list(): T[];
  /**
   * The watch's connection may be dead without knowing it (the machine slept, the network
   * changed): drop it, or the wait before the next attempt, and watch again now, on a new
   * connection, from the last resourceVersion (a list if that is what comes next).
   */
  restartWatch(): void;
  stop(): void;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface PodLogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

/**
 * One multiplexed port-forward connection to a pod (SPDY, tunnel), or its equivalent (WebSocket
 * opens one connection per stream). Every local TCP connection becomes one stream.
 */
export interface PodSession {
  /** Establishes the underlying connection (if not yet) and proves it works. Rejects with a KubefwdError. */
  ready(): Promise<void>;
  /**
   * Opens a stream to a pod port. The Duplex is destroyed with a KubefwdError carrying the kubelet's
   * message when the pod side fails (e.g. CONNECTION_REFUSED), without affecting other streams.
   */
  openStream(port: number): Promise<Duplex>;
  /**
   * Proves the connection still works (after the machine slept, or the network changed): true when
   * the server answers within `timeoutMs` (any bytes count, as for the keep-alive), or when there is
   * no shared connection to prove (not connected yet; v4's connection per stream). A silent one is
   * ended as dead (`closed` resolves with TIMEOUT) and the answer is false.
   */
  check(timeoutMs: number): Promise<boolean>;
  /** Resolves once the underlying connection is gone (ping timeout, cut, GOAWAY, close()). */
  readonly closed: Promise<KubefwdError | undefined>;
  /** Which wire protocol carries it: 'tunnel' | 'spdy' | 'websocket'. */
  readonly transport: string;
  /**
   * Closes the connection. With `drain`, a connection the server is going away from (GOAWAY) lets
   * its streams in flight finish first: the holder moved new ones to a fresh connection already.
   */
  close(opts?: { drain?: boolean }): void;
}

/** Access to one cluster (one kubeconfig context). */
export interface ClusterGateway {
  readonly context: string;
  /** The context's default namespace (kubeconfig), or "default". */
  readonly defaultNamespace: string;
  watchServices(
    namespace: string,
    selectors: Selectors,
    handler: InformerHandler<KService>,
  ): Informer<KService>;
  watchPods(namespace: string, handler: InformerHandler<KPod>): Informer<KPod>;
  watchEndpoints(namespace: string, handler: InformerHandler<KEndpoints>): Informer<KEndpoints>;
  getService(namespace: string, name: string): Promise<KService>;
  listServices(namespace: string, selectors?: Selectors): Promise<KService[]>;
  listNamespaces(): Promise<KNamespace[]>;
  listPods(namespace: string, selectors?: Selectors): Promise<KPod[]>;
  getPod(namespace: string, name: string): Promise<KPod>;
  getEndpoints(namespace: string, name: string): Promise<KEndpoints>;
  listEvents(namespace: string, selectors?: Selectors): Promise<KEvent[]>;
  podLogs(namespace: string, name: string, options: PodLogOptions): Promise<string>;
  /**
   * Follows a pod's log (`follow=true`): `onLine` per line as the container writes it. Resolves when
   * the log ends (container gone) or `signal` aborts; rejects on an API error. Optional: adapters
   * without streaming (test fakes) leave it out and the API says so.
   */
  followPodLogs?(
    namespace: string,
    name: string,
    options: PodLogOptions,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** Checks what kubefwd needs in a namespace; returns the missing permissions as "verb resource" (empty = ok). */
  checkAccess(namespace: string): Promise<string[]>;
  /** Opens (or shares) the port-forward session to a pod. */
  openSession(pod: PodRef): PodSession;
  /** Releases sockets and timers. */
  close(): void;
}

/** The kubeconfig's contexts, and a ClusterGateway per context (created on first use, then cached). */
export interface ClusterProvider {
  currentContext(): string;
  contexts(): KContext[];
  /** Throws KubefwdError CONTEXT_NOT_FOUND for an unknown context. */
  cluster(context?: string): ClusterGateway;
  close(): void;
}

// ---------------------------------------------------------------- machine

/** The hosts file: read-modify-write under an exclusive lock, atomic where the filesystem allows. */
export interface HostsFileGateway {
  readonly path: string;
  read(): Promise<string>;
  /** Applies `transform` to the current content and writes the result if it changed. */
  update(transform: (content: string) => string): Promise<void>;
}

/** Loopback aliases (macOS needs `ifconfig lo0 alias`; Linux none). */
export interface LoopbackGateway {
  ensure(ip: string): Promise<void>;
  release(ip: string): Promise<void>;
}

export interface LocalListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A loopback address held by this process against other kubefwd processes on the machine (held
 * while `held`), or the other kubefwd that holds it.
 */
export type AddressClaim =
  { readonly held: true; release(): Promise<void> } | { readonly held: false; holder: string };

/** Binds exact loopback addresses. Throws KubefwdError PORT_IN_USE when taken. */
export interface ListenerGateway {
  listen(address: string, port: number, onConnection: (socket: Socket) => void): Promise<LocalListener>;
  /**
   * Claims an address for this process, so that two kubefwd processes (with separate hosts files)
   * never serve names on one address. Optional: without it only a port that is taken shows a clash.
   */
  claim?(address: string): Promise<AddressClaim>;
  /**
   * Whether another program holds `port` on every address (it listens on 0.0.0.0 or [::]), which
   * no other address escapes. Optional: without it a taken port moves the forward on as any other.
   */
  takenOnAllAddresses?(port: number): Promise<boolean>;
}

// ---------------------------------------------------------------- traffic

/** One local connection's bytes, seen by the metrics and the HTTP sniffer (engine/traffic). */
export interface ConnectionTap {
  /** Local client → pod (counts as bytesOut). */
  toPod(chunk: Buffer): void;
  /** Pod → local client (counts as bytesIn). */
  fromPod(chunk: Buffer): void;
  closed(error?: string): void;
}

/** The forward a connection belongs to, as the traffic figures name it. */
export interface TrafficForward {
  key: string;
  serviceKey: string;
  podName: string;
  localIP: string;
  localPort: string;
  podPort: string;
}

export interface TrafficRecorder {
  connectionOpened(forward: TrafficForward): ConnectionTap;
  /**
   * A connection through the forward failed (the pod refused it, its stream broke): counted, and
   * the last reason kept, so a forward that is Active but whose pod turns connections away shows it.
   */
  connectionFailed(forward: TrafficForward, reason: string): void;
  /** The forward is gone; its figures may be dropped. */
  forwardRemoved(forwardKey: string): void;
}
