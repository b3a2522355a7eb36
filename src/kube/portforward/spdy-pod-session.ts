// One multiplexed port-forward connection to a pod over SPDY/3.1: either a raw "Upgrade: SPDY/3.1"
// POST ('spdy'), or SPDY inside a WebSocket with subprotocol "SPDY/3.1+portforward.k8s.io"
// ('tunnel', KEP-4006, what kubectl ≥ 1.31 uses). Every local TCP connection becomes an error +
// data stream pair sharing a requestid header, exactly as client-go pairs them, so a kubelet (or an
// API server relaying the tunnel) sees what kubectl would send.
//
// Unlike kubectl we do not wait for SYN_REPLY before sending to a port the pod has accepted before
// on this connection: the first request bytes follow the SYN_STREAMs on the wire, so a new
// connection costs no extra round trip. A pod-side failure arrives as text on the error stream and
// destroys only that data stream's Duplex.
//
// The kubelet (moby/spdystream) never reads the data stream of a pair whose dial failed, and a
// DATA frame nobody reads blocks one of its five frame workers for the rest of the connection:
// every later stream handled by that worker stalls, then the whole connection. So bytes go onto a
// new pair at once only for a port already known good here; for any other port they are held until
// the data stream's SYN_REPLY plus FIRST_WRITE_GRACE_MS passed without an error (or the pod sent
// something). Should a pair fail after bytes were sent anyway (the pod stopped listening), this
// connection is retired: its streams finish, new ones go to a fresh connection. And once the
// kubelet ends a data stream (FIN), it reads no more of it: our side is ended then too.
import type { Duplex } from 'node:stream';
import { KubefwdError, errorMessage } from '../../contract/errors.js';
import { SpdySession } from '../../wire/spdy/index.js';
import { WebSocketByteStream } from '../../wire/websocket/index.js';
import type { ClusterConnection } from '../connection.js';
import type { KubeLogger } from '../types.js';
import { podStreamError } from './pod-error.js';
import { UpgradeError, upgrade } from './upgrade.js';
import { openWebSocket } from './websocket-client.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/**
 * How long after a new pair's data-stream SYN_REPLY an error may still come for a port not yet
 * known good. The kubelet replies to both streams, then dials the pod (a refusal on loopback in the
 * pod's network namespace takes well under a millisecond), then writes the error.
 */
export const FIRST_WRITE_GRACE_MS = 20;
/**
 * How long after a data stream closed the kubelet has to close its error stream before we reset
 * it. The kubelet closes both streams of a pair as soon as the pod connection is done, so the
 * reset is only a backstop: sent at once, it was one more frame each way per connection, racing
 * the kubelet's own FIN (and the server handling it while the next connection waits).
 */
export const ERROR_STREAM_CLOSE_GRACE_MS = 1_000;
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export interface PodTarget {
  namespace: string;
  name: string;
}

export interface SpdyPodSessionOptions {
  transport: 'tunnel' | 'spdy';
  pingIntervalMs: number;
  pingTimeoutMs: number;
  connectTimeoutMs: number;
  logger: KubeLogger;
  /** Default ERROR_STREAM_CLOSE_GRACE_MS. */
  errorStreamCloseGraceMs?: number;
}

export const portForwardPath = (pod: PodTarget, query = ''): string =>
  `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/portforward${query}`;

export const checkPort = (port: number): void => {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new KubefwdError('INVALID_INPUT', `pod port ${port} is not a port number (1-65535)`, {
      field: 'port',
    });
};

const headerIncludes = (v: string | string[] | undefined, needle: string): boolean =>
  (Array.isArray(v) ? v.join(',') : (v ?? '')).toLowerCase().includes(needle);

/** Opens the byte pipe the SPDY session runs over. */
async function dial(conn: ClusterConnection, pod: PodTarget, o: SpdyPodSessionOptions): Promise<Duplex> {
  const what = `port-forward (${o.transport}) to pod ${pod.namespace}/${pod.name}`;
  if (o.transport === 'tunnel') {
    const { ws } = await openWebSocket(conn, {
      path: portForwardPath(pod),
      protocols: [TUNNEL_PROTOCOL],
      timeoutMs: o.connectTimeoutMs,
      what,
      mode: 'bytes',
    });
    // Binary messages are concatenated into one byte stream; their boundaries mean nothing.
    return new WebSocketByteStream(ws);
  }
  const up = await upgrade(conn, {
    method: 'POST',
    path: portForwardPath(pod),
    timeoutMs: o.connectTimeoutMs,
    what,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'SPDY/3.1',
      'X-Stream-Protocol-Version': PORT_FORWARD_PROTOCOL,
      'Content-Length': '0',
    },
  });
  if (!headerIncludes(up.headers.upgrade, 'spdy/3.1')) {
    up.socket.destroy();
    throw new UpgradeError(
      'STREAM_ERROR',
      `${what}: the server upgraded to "${String(up.headers.upgrade)}", not SPDY/3.1`,
      {
        httpStatus: 101,
        fallback: true,
      },
    );
  }
  const negotiated = up.headers['x-stream-protocol-version'];
  if (negotiated !== undefined && !headerIncludes(negotiated, PORT_FORWARD_PROTOCOL)) {
    up.socket.destroy();
    throw new UpgradeError(
      'STREAM_ERROR',
      `${what}: unable to negotiate protocol (server chose "${String(negotiated)}")`,
      {
        httpStatus: 101,
        fallback: true,
      },
    );
  }
  if (up.head.length > 0) up.socket.unshift(up.head);
  return up.socket;
}

export class SpdyPodSession {
  readonly transport: 'tunnel' | 'spdy';
  readonly closed: Promise<KubefwdError | undefined>;
  private resolveClosed!: (e: KubefwdError | undefined) => void;
  private readonly conn: ClusterConnection;
  private readonly pod: PodTarget;
  private readonly opts: SpdyPodSessionOptions;
  private readyPromise: Promise<SpdySession> | undefined;
  private session: SpdySession | undefined;
  private requestId = 0;
  /** Ports of the current connection the pod accepted: new pairs to them send at once. */
  private goodPorts = new Set<number>();
  /** Connections given up after a failed pair was sent bytes: they close once their streams end. */
  private readonly retired = new Set<SpdySession>();
  private closedByUs = false;
  private draining = false;
  private done = false;

  constructor(conn: ClusterConnection, pod: PodTarget, opts: SpdyPodSessionOptions) {
    this.conn = conn;
    this.pod = pod;
    this.opts = opts;
    this.transport = opts.transport;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  ready(): Promise<void> {
    return this.connect().then(() => undefined);
  }

  private connect(): Promise<SpdySession> {
    this.readyPromise ??= this.establish();
    return this.readyPromise;
  }

  private async establish(): Promise<SpdySession> {
    if (this.closedByUs)
      throw new KubefwdError('STREAM_ERROR', `port-forward session to pod ${this.podName} was closed`);
    let pipe: Duplex;
    try {
      pipe = await dial(this.conn, this.pod, this.opts);
    } catch (err) {
      const e =
        err instanceof KubefwdError
          ? err
          : new KubefwdError('STREAM_ERROR', `port-forward to pod ${this.podName}: ${errorMessage(err)}`, {
              cause: err,
            });
      this.settle(e);
      throw e;
    }
    if (this.closedByUs) {
      pipe.destroy();
      throw new KubefwdError('STREAM_ERROR', `port-forward session to pod ${this.podName} was closed`);
    }
    const session = new SpdySession(pipe, {
      role: 'client',
      pingIntervalMs: this.opts.pingIntervalMs,
      pingTimeoutMs: this.opts.pingTimeoutMs,
      label: `pod ${this.podName} (${this.transport})`,
    });
    this.session = session;
    // GOAWAY: the server takes no new streams. The session counts as gone for its owner (which
    // opens a new one); the streams in flight finish, then the connection is closed.
    session.once('goaway', () => {
      if (this.retired.has(session)) {
        if (session.streamCount === 0) session.close();
        return;
      }
      this.draining = true;
      this.settle(
        new KubefwdError('STREAM_ERROR', `pod ${this.podName}: the API server is going away (GOAWAY)`),
      );
      if (session.streamCount === 0) session.close();
    });
    void session.closed.then((err) => {
      if (this.retired.delete(session)) return;
      if (err !== undefined)
        this.opts.logger.debug('port-forward connection ended', { pod: this.podName, error: err.message });
      this.settle(
        err === undefined || err instanceof KubefwdError
          ? err
          : new KubefwdError('STREAM_ERROR', err.message, { cause: err }),
      );
    });
    return session;
  }

  private get podName(): string {
    return `${this.pod.namespace}/${this.pod.name}`;
  }

  async openStream(port: number): Promise<Duplex> {
    checkPort(port);
    const session = await this.connect();
    const requestid = String(this.requestId++);
    const headers = { streamtype: 'error', port: String(port), requestid };
    // Error stream first, as client-go does: the kubelet pairs streams by requestid.
    const errorStream = session.openStream(headers);
    errorStream.end(); // we never write to it
    const goodPorts = this.goodPorts;
    // A known-good port gets the caller's first bytes at once: let them join the SYN_STREAMs.
    const data = session.openStream({ ...headers, streamtype: 'data' }, { linger: goodPorts.has(port) });
    let graceTimer: NodeJS.Timeout | undefined;
    if (!goodPorts.has(port)) {
      data.holdWrites();
      data.once('reply', () => {
        graceTimer = setTimeout(() => {
          if (data.destroyed) return;
          goodPorts.add(port);
          data.releaseWrites();
        }, FIRST_WRITE_GRACE_MS);
      });
    }

    let errorText = '';
    errorStream.on('data', (c: Buffer) => {
      errorText += c.toString('utf8');
      goodPorts.delete(port);
      if (data.destroyed) return;
      // Bytes the kubelet will never read are stuck in one of its frame workers: leave this
      // connection to the streams it has and open a new one for what comes next.
      if (data.sentBytes > 0) this.retire(session, port);
      // Fail the connection at once: the kubelet closes the data stream right after the text.
      data.destroy(podStreamError(errorText, this.podName, port));
    });
    errorStream.on('error', () => {
      // The session's end is reported on the data stream; nothing to add here.
    });
    data.once('end', () => {
      // The kubelet sent FIN: it has stopped reading this stream, so we stop sending on it.
      if (!data.writableEnded) data.end();
    });
    const closeIfDone = (): void => {
      if ((this.draining || this.retired.has(session)) && session.streamCount === 0) session.close();
    };
    data.once('close', () => {
      clearTimeout(graceTimer);
      if (errorStream.destroyed) {
        setImmediate(closeIfDone);
        return;
      }
      // Free the error stream if the kubelet does not close it (see ERROR_STREAM_CLOSE_GRACE_MS).
      const resetTimer = setTimeout(
        () => errorStream.reset(),
        this.opts.errorStreamCloseGraceMs ?? ERROR_STREAM_CLOSE_GRACE_MS,
      );
      errorStream.once('close', () => {
        clearTimeout(resetTimer);
        setImmediate(closeIfDone);
      });
    });
    return data;
  }

  /** Opens new streams on a fresh connection from now on; `session` closes when its streams end. */
  private retire(session: SpdySession, port: number): void {
    if (this.session !== session) return;
    this.opts.logger.debug('port-forward connection retired: a failed pair had been sent bytes', {
      pod: this.podName,
      port,
    });
    this.retired.add(session);
    this.session = undefined;
    this.readyPromise = undefined;
    this.goodPorts = new Set();
  }

  /**
   * Proves the connection (and any retired one still carrying streams) answers: a dead one is
   * ended, and its streams and this session's holder learn it now instead of at the keep-alive.
   */
  async check(timeoutMs: number): Promise<boolean> {
    const [alive] = await Promise.all([
      this.session === undefined ? true : this.session.checkAlive(timeoutMs),
      ...[...this.retired].map((r) => r.checkAlive(timeoutMs)),
    ]);
    return alive;
  }

  close(opts?: { drain?: boolean }): void {
    this.closedByUs = true;
    // After GOAWAY the connection's open streams may finish (closeIfDone closes it after the last):
    // the port-forwards carried by it are other people's downloads and database sessions.
    const drain = (s: SpdySession): boolean =>
      opts?.drain === true && (this.draining || this.retired.has(s)) && s.streamCount > 0;
    if (this.session !== undefined && !drain(this.session)) this.session.close();
    for (const r of this.retired) if (!drain(r)) r.close();
    this.settle(undefined);
  }

  private settle(err: KubefwdError | undefined): void {
    if (this.done) return;
    this.done = true;
    this.resolveClosed(this.closedByUs ? undefined : err);
  }
}
