// Port-forward over WebSocket "v4.channel.k8s.io": one WebSocket per local TCP connection (the
// protocol cannot multiplex connections), data on channel 0 and error text on channel 1, each
// starting with the 2-byte port prefix. Works through the most proxies; costs an upgrade (and a
// TLS handshake) per connection.
//
// v4 has no half-close: when the local side ends we keep the WebSocket open so the answer can
// still arrive (client-node closes it and loses the download). The pod never sees EOF, so a pod
// program that waits for it (an echo, what `nc -N` talks to, some dump tools) would keep the
// connection open for good. Hence a bounded wait: after the local side ended, once the pod has sent
// nothing for `halfCloseLingerMs` (default 5 s), the connection ends as if the pod had finished.
// The forwarder warns about this when it settles on v4 (README, "Half-close over WebSocket v4").
import { Duplex } from 'node:stream';
import { KubefwdError } from '../../contract/errors.js';
import { ChannelDemuxer, V4_BINARY_PROTOCOL } from '../../wire/channel/index.js';
import { sendWithBudget, type WebSocketConnection } from '../../wire/websocket/index.js';
import type { ClusterConnection } from '../connection.js';
import { podStreamError } from './pod-error.js';
import { checkPort, portForwardPath, type PodTarget } from './spdy-pod-session.js';
import { openWebSocket } from './websocket-client.js';

/** How long a half-closed v4 connection waits for more from the pod before it ends. */
export const DEFAULT_HALF_CLOSE_LINGER_MS = 5000;

/**
 * Bytes the WebSocket's socket may hold unwritten before writes wait for its 'drain'. A quarter of
 * the tunnel's budget: v4 has a socket per connection, and the kernel's buffers add more.
 */
const WRITE_BUDGET = 256 * 1024;

/** One local connection carried by one v4 WebSocket, as a Duplex. */
export class V4Stream extends Duplex {
  private readonly ws: WebSocketConnection;
  private readonly demux = new ChannelDemuxer();
  /** The channel of the message being read (its first byte), -1 before the first. */
  private channel = -1;
  private readonly podName: string;
  private readonly port: number;
  private errorText = '';
  /** Channel 0 (data), the first byte of every binary message we send. */
  private readonly dataPrefix = Buffer.from([0]);
  private readonly lingerMs: number;
  /** Armed once the local side ended: ends the stream when the pod stays quiet (file comment). */
  private linger: NodeJS.Timeout | undefined;

  constructor(
    ws: WebSocketConnection,
    podName: string,
    port: number,
    lingerMs = DEFAULT_HALF_CLOSE_LINGER_MS,
  ) {
    super({ allowHalfOpen: true, highWaterMark: 256 * 1024 });
    this.lingerMs = lingerMs;
    this.ws = ws;
    this.podName = podName;
    this.port = port;
    ws.on('bytes', this.onBytes);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
  }

  /**
   * The connection is read in pieces as they arrive ('bytes' mode), not as whole messages: a
   * message spanning several TLS records is not copied into one buffer first. Each message starts
   * with its channel byte; error text is collected until its message ends.
   */
  private readonly onBytes = (piece: Buffer, start: boolean, end: boolean): void => {
    let payload = piece;
    if (start) {
      this.channel = piece[0]!;
      payload = piece.subarray(1);
    }
    if (this.channel < 0) return;
    const { error, portIndex, data } = this.demux.push({ channel: this.channel, payload });
    if (portIndex !== 0) return;
    if (error) {
      this.errorText += data.toString('utf8');
      if (end && this.errorText !== '') this.destroy(podStreamError(this.errorText, this.podName, this.port));
      return;
    }
    if (data.length === 0) return;
    if (this.linger) this.armLinger();
    if (!this.push(data)) this.ws.pause();
  };

  private armLinger(): void {
    clearTimeout(this.linger);
    this.linger = setTimeout(() => {
      if (this.destroyed || this.readableEnded) return;
      this.push(null);
      this.once('end', () => this.destroy());
    }, this.lingerMs);
    this.linger.unref();
  }

  private readonly onClose = (code: number): void => {
    if (this.destroyed) return;
    if (code === 1000 || code === 1005) {
      // The pod side ended: end our readable; nothing more can be written either.
      this.push(null);
      this.once('end', () => this.destroy());
      return;
    }
    this.destroy(
      new KubefwdError('STREAM_ERROR', `WebSocket to pod ${this.podName} closed abnormally (code ${code})`),
    );
  };

  private readonly onError = (err: Error): void => {
    this.destroy(
      new KubefwdError('STREAM_ERROR', `WebSocket to pod ${this.podName} failed: ${err.message}`, {
        cause: err,
      }),
    );
  };

  /** Proves the stream's own connection works; a dead one fails the stream (see WebSocketConnection.checkAlive). */
  check(timeoutMs: number): Promise<boolean> {
    return this.ws.checkAlive(timeoutMs);
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sendNow([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.sendNow(
      chunks.map((c) => c.chunk),
      cb,
    );
  }

  /** Each message starts with the channel byte (byte-stream.ts sendWithBudget). */
  private sendNow(chunks: Buffer[], cb: (err?: Error | null) => void): void {
    if (!this.ws.isOpen) {
      cb(new KubefwdError('STREAM_ERROR', `WebSocket to pod ${this.podName} is closed`));
      return;
    }
    sendWithBudget(this.ws, chunks, {
      budget: WRITE_BUDGET,
      fail: (err) => this.destroy(err),
      done: cb,
      prefix: this.dataPrefix,
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    // No half-close in v4 (see the file comment): keep reading, for as long as the pod talks.
    this.armLinger();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    clearTimeout(this.linger);
    this.ws.off('bytes', this.onBytes);
    this.ws.off('close', this.onClose);
    this.ws.off('error', this.onError);
    this.ws.on('error', () => {});
    this.ws.terminate();
    cb(err);
  }
}

export class WebSocketPodSession {
  readonly transport = 'websocket' as const;
  readonly closed: Promise<KubefwdError | undefined>;
  private resolveClosed!: (e: KubefwdError | undefined) => void;
  private readonly streams = new Set<V4Stream>();
  private isClosed = false;

  constructor(
    private readonly conn: ClusterConnection,
    private readonly pod: PodTarget,
    private readonly opts: { connectTimeoutMs: number; halfCloseLingerMs?: number },
  ) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
  }

  /** Nothing to establish: v4 opens one connection per stream. */
  async ready(): Promise<void> {
    if (this.isClosed)
      throw new KubefwdError('STREAM_ERROR', `port-forward session to pod ${this.podName} was closed`);
  }

  private get podName(): string {
    return `${this.pod.namespace}/${this.pod.name}`;
  }

  async openStream(port: number): Promise<Duplex> {
    checkPort(port);
    await this.ready();
    const { ws } = await openWebSocket(this.conn, {
      path: portForwardPath(this.pod, `?ports=${port}`),
      protocols: [V4_BINARY_PROTOCOL],
      timeoutMs: this.opts.connectTimeoutMs,
      what: `port-forward (websocket) to pod ${this.podName} port ${port}`,
      mode: 'bytes',
    });
    if (this.isClosed) {
      ws.terminate();
      throw new KubefwdError('STREAM_ERROR', `port-forward session to pod ${this.podName} was closed`);
    }
    const stream = new V4Stream(ws, this.podName, port, this.opts.halfCloseLingerMs);
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }

  /** Each stream has its own connection: a dead one fails only its stream; the session stays. */
  async check(timeoutMs: number): Promise<boolean> {
    await Promise.all([...this.streams].map((s) => s.check(timeoutMs)));
    return true;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const s of [...this.streams]) s.destroy();
    this.resolveClosed(undefined);
  }
}
