// One multiplexed port-forward connection to a pod over SPDY/3.1: either a raw "Upgrade: SPDY/3.1"
// POST ('spdy'), or SPDY inside a WebSocket with subprotocol "SPDY/3.1+portforward.k8s.io"
// ('tunnel', KEP-4006, what kubectl ≥ 1.31 uses). Every local TCP connection becomes an error +
// data stream pair sharing a requestid header, exactly as client-go pairs them, so a kubelet (or an
// API server relaying the tunnel) sees what kubectl would send.
//
// Unlike kubectl we do not wait for SYN_REPLY before sending: the first request bytes follow the
// SYN_STREAMs on the wire, so a new connection costs no extra round trip. A pod-side failure
// arrives as text on the error stream and destroys only that data stream's Duplex.
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
      this.draining = true;
      this.settle(
        new KubefwdError('STREAM_ERROR', `pod ${this.podName}: the API server is going away (GOAWAY)`),
      );
      if (session.streamCount === 0) session.close();
    });
    void session.closed.then((err) => {
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
    const data = session.openStream({ ...headers, streamtype: 'data' });

    let errorText = '';
    errorStream.on('data', (c: Buffer) => {
      errorText += c.toString('utf8');
      // Fail the connection at once: the kubelet closes the data stream right after the text.
      if (!data.destroyed) data.destroy(podStreamError(errorText, this.podName, port));
    });
    errorStream.on('error', () => {
      // The session's end is reported on the data stream; nothing to add here.
    });
    data.once('close', () => {
      // Free the error stream if the kubelet has not closed it yet (no RST is sent if it has).
      setImmediate(() => {
        if (!errorStream.destroyed) errorStream.reset();
        if (this.draining && session.streamCount === 0) session.close();
      });
    });
    return data;
  }

  close(): void {
    this.closedByUs = true;
    if (this.session !== undefined) this.session.close();
    this.settle(undefined);
  }

  private settle(err: KubefwdError | undefined): void {
    if (this.done) return;
    this.done = true;
    this.resolveClosed(this.closedByUs ? undefined : err);
  }
}
