// The port-forwarder of one cluster (one ClusterConnection): hands out one PodSession per pod and
// chooses the wire protocol. 'auto' tries tunnel → spdy → websocket on the first connection to the
// cluster, as kubectl does (a refused upgrade falls back, and so does a WebSocket GET that RBAC
// refuses, SPDY's POST being authorized by another verb; credentials, a missing pod or an
// unreachable server do not), then remembers the winner for every later session and logs it once.
import type { Duplex } from 'node:stream';
import { KubefwdError } from '../../contract/errors.js';
import { SUBJECT_FIELD } from '../../contract/gateways.js';
import type { ClusterConnection } from '../connection.js';
import { silentLogger, type KubeLogger, type PodSession } from '../types.js';
import { SpdyPodSession, type PodTarget } from './spdy-pod-session.js';
import { UpgradeError } from './upgrade.js';
import { DEFAULT_HALF_CLOSE_LINGER_MS, WebSocketPodSession } from './websocket-pod-session.js';

export type WireTransport = 'tunnel' | 'spdy' | 'websocket';
export type TransportChoice = 'auto' | WireTransport;

export interface PortForwarderOptions {
  transport: TransportChoice;
  /** Keep-alive PING period on multiplexed connections. Default 10 s (kubectl's tunnel value). */
  pingIntervalMs?: number;
  /** A connection is dead when nothing arrives this long after a PING. Default 30 s. */
  pingTimeoutMs?: number;
  /** Limit for each upgrade (TCP + TLS + HTTP 101). Default 30 s. */
  connectTimeoutMs?: number;
  /** WebSocket v4 only: after the local side ends, how long the pod may stay quiet. Default 5 s. */
  halfCloseLingerMs?: number;
  logger?: KubeLogger;
}

export interface PortForwarder {
  /** A session to the pod; nothing connects until ready() or openStream(). */
  openSession(pod: { namespace: string; name: string }): PodSession;
  /** The protocol in use: the configured one, or what 'auto' settled on (undefined before that). */
  negotiated(): WireTransport | undefined;
  /** Closes every session it handed out. */
  close(): void;
}

const ORDER: readonly WireTransport[] = ['tunnel', 'spdy', 'websocket'];
const DESCRIBE: Record<WireTransport, string> = {
  tunnel: 'SPDY tunnelled in WebSocket (SPDY/3.1+portforward.k8s.io)',
  spdy: 'SPDY/3.1 upgrade',
  websocket: 'WebSocket v4.channel.k8s.io (one connection per TCP connection)',
};

type Inner = SpdyPodSession | WebSocketPodSession;

// One closure on purpose: the transport choice is remembered per cluster and shared by every session.
export function createPortForwarder(conn: ClusterConnection, opts: PortForwarderOptions): PortForwarder {
  const logger = opts.logger ?? silentLogger;
  const pingIntervalMs = opts.pingIntervalMs ?? 10_000;
  const pingTimeoutMs = opts.pingTimeoutMs ?? 30_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 30_000;
  let chosen: WireTransport | undefined = opts.transport === 'auto' ? undefined : opts.transport;
  let logged = false;
  let negotiation: Promise<WireTransport | undefined> | undefined;
  const sessions = new Set<LazyPodSession>();
  let closed = false;

  const make = (pod: PodTarget, t: WireTransport): Inner =>
    t === 'websocket'
      ? new WebSocketPodSession(conn, pod, {
          connectTimeoutMs,
          ...(opts.halfCloseLingerMs !== undefined ? { halfCloseLingerMs: opts.halfCloseLingerMs } : {}),
        })
      : new SpdyPodSession(conn, pod, {
          transport: t,
          pingIntervalMs,
          pingTimeoutMs,
          connectTimeoutMs,
          logger,
        });

  const settle = (t: WireTransport): void => {
    chosen = t;
    if (!logged) {
      logged = true;
      // The message names context and protocol: for programs only (JSON logs, /logs), not text.
      const subject = { [SUBJECT_FIELD]: { context: conn.contextName, transport: t, mode: opts.transport } };
      logger.info(`port-forward transport for context "${conn.contextName}": ${DESCRIBE[t]}`, subject);
      if (t === 'websocket')
        logger.warn(
          `WebSocket v4 cannot pass a half-close to the pod (context "${conn.contextName}"): after a client ends its side (nc -N, dump tools), the pod's answer is read until the pod is quiet for ${Math.round((opts.halfCloseLingerMs ?? DEFAULT_HALF_CLOSE_LINGER_MS) / 1000)}s, then the connection ends; SPDY (--transport spdy or tunnel) carries half-close`,
          subject,
        );
    }
  };

  /** Connects to `pod` with the first protocol that works; records it for the cluster. */
  const negotiate = async (pod: PodTarget): Promise<Inner> => {
    const failures: string[] = [];
    let denied: UpgradeError | undefined;
    for (const t of ORDER) {
      const inner = make(pod, t);
      try {
        await inner.ready();
        settle(t);
        return inner;
      } catch (err) {
        inner.close();
        if (!(err instanceof UpgradeError) || !err.fallback) throw err;
        if (err.code === 'PERMISSION_DENIED') denied ??= err;
        failures.push(`${t}: ${err.message}`);
        logger.debug(`port-forward transport ${t} refused, trying the next`, {
          context: conn.contextName,
          error: err.message,
        });
      }
    }
    throw new KubefwdError(
      denied ? 'PERMISSION_DENIED' : 'STREAM_ERROR',
      `no port-forward protocol accepted by context "${conn.contextName}": ${failures.join('; ')}`,
      denied?.hint === undefined ? {} : { hint: denied.hint },
    );
  };

  const connectInner = async (pod: PodTarget): Promise<Inner> => {
    if (chosen !== undefined) {
      const t = chosen;
      const inner = make(pod, t);
      try {
        await inner.ready();
      } catch (err) {
        inner.close();
        // RBAC is per namespace: where the remembered protocol's verb is refused (a WebSocket GET
        // needs "get", SPDY's POST "create"), another protocol may be allowed. Tried for this pod
        // without a warning; the one that works is remembered.
        if (opts.transport === 'auto' && err instanceof UpgradeError && err.code === 'PERMISSION_DENIED') {
          logger.debug(
            `port-forward transport ${t} is refused for pod ${pod.namespace}/${pod.name}; trying the others`,
            {
              context: conn.contextName,
              error: err.message,
            },
          );
          return negotiate(pod);
        }
        // The remembered protocol is now refused (server or proxy changed): negotiate again.
        if (opts.transport === 'auto' && err instanceof UpgradeError && err.fallback && chosen === t) {
          logger.warn(
            `port-forward transport ${t} is no longer accepted by context "${conn.contextName}"; negotiating again`,
          );
          chosen = undefined;
          logged = false;
          return connectInner(pod);
        }
        // --transport chose it, and the server refuses it: say what would work.
        if (opts.transport !== 'auto' && err instanceof UpgradeError && err.fallback)
          throw new KubefwdError(
            err.code === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : 'STREAM_ERROR',
            `port-forward transport ${t} (--transport) is refused by context "${conn.contextName}": ${err.message}`,
            {
              hint:
                err.code === 'PERMISSION_DENIED'
                  ? `${err.hint ?? ''} Or leave --transport out: auto falls back to SPDY, which needs only "create".`.trim()
                  : 'Leave --transport out (auto tries tunnel, spdy and websocket in turn), or pick another.',
              cause: err,
            },
          );
        throw err;
      }
      settle(t);
      return inner;
    }
    // One negotiation at a time per cluster; others wait for its verdict and reuse it.
    while (chosen === undefined) {
      if (negotiation === undefined) {
        let verdict!: (t: WireTransport | undefined) => void;
        negotiation = new Promise((r) => (verdict = r));
        try {
          const inner = await negotiate(pod);
          verdict(chosen);
          return inner;
        } catch (err) {
          verdict(undefined);
          throw err;
        } finally {
          negotiation = undefined;
        }
      }
      await negotiation;
    }
    return connectInner(pod);
  };

  class LazyPodSession implements PodSession {
    readonly closed: Promise<KubefwdError | undefined>;
    private resolveClosed!: (e: KubefwdError | undefined) => void;
    private inner: Promise<Inner> | undefined;
    private innerNow: Inner | undefined;
    private isClosed = false;

    constructor(private readonly pod: PodTarget) {
      this.closed = new Promise((r) => {
        this.resolveClosed = r;
      });
    }

    get transport(): string {
      return this.innerNow?.transport ?? chosen ?? opts.transport;
    }

    private connect(): Promise<Inner> {
      this.inner ??= (async () => {
        if (this.isClosed || closed)
          throw new KubefwdError(
            'STREAM_ERROR',
            `port-forward session to pod ${this.pod.namespace}/${this.pod.name} was closed`,
          );
        try {
          const inner = await connectInner(this.pod);
          if (this.isClosed) {
            inner.close();
            throw new KubefwdError(
              'STREAM_ERROR',
              `port-forward session to pod ${this.pod.namespace}/${this.pod.name} was closed`,
            );
          }
          this.innerNow = inner;
          void inner.closed.then((e) => this.finish(e));
          return inner;
        } catch (err) {
          const e =
            err instanceof KubefwdError ? err : new KubefwdError('STREAM_ERROR', String(err), { cause: err });
          this.finish(e);
          throw e;
        }
      })();
      return this.inner;
    }

    async ready(): Promise<void> {
      await this.connect();
    }

    async openStream(port: number): Promise<Duplex> {
      const inner = await this.connect();
      return inner.openStream(port);
    }

    /** Not connected yet (or connecting: the dial has its own deadline): nothing to prove. */
    check(timeoutMs: number): Promise<boolean> {
      return this.innerNow?.check(timeoutMs) ?? Promise.resolve(true);
    }

    close(opts?: { drain?: boolean }): void {
      if (this.isClosed) return;
      this.isClosed = true;
      this.innerNow?.close(opts);
      this.finish(undefined);
    }

    private finish(e: KubefwdError | undefined): void {
      sessions.delete(this);
      this.resolveClosed(this.isClosed ? undefined : e);
    }
  }

  return {
    openSession(pod) {
      const s = new LazyPodSession({ namespace: pod.namespace, name: pod.name });
      if (closed) s.close();
      else sessions.add(s);
      return s;
    },
    negotiated: () => chosen,
    close() {
      closed = true;
      for (const s of [...sessions]) s.close();
    },
  };
}
