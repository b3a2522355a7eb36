// One SPDY stream as a Node Duplex: write() sends DATA frames, end() sends an empty DATA with FIN
// (half-close), a FIN from the peer ends the readable side, reset() sends RST_STREAM.
// Backpressure: write callbacks are held while the connection's pipe is congested; a stream that
// holds more than the session's streamBufferLimit unread pauses the whole connection's reads (SPDY
// as the kubelet speaks it has no working flow control, so that is the only bounded option) until
// this stream is read again.
import { Duplex } from 'node:stream';
import { KubefwdError } from '../../contract/errors.js';
import { RstStatus, rstStatusName } from './frames.js';
import type { SpdyHeaders } from './headers.js';

/** What a stream needs from its session (kept narrow so the two files stay independent). */
export interface StreamHost {
  sendData(stream: SpdyStream, chunk: Buffer, fin: boolean, cb: (err?: Error | null) => void): void;
  sendReply(stream: SpdyStream, headers: SpdyHeaders): void;
  sendReset(stream: SpdyStream, status: number): void;
  readResumed(stream: SpdyStream): void;
  streamGone(stream: SpdyStream): void;
}

export interface SpdyStreamEvents {
  /** Client role: the peer's SYN_REPLY arrived. */
  reply: [headers: SpdyHeaders];
  /** The peer reset the stream (before the stream is destroyed). */
  reset: [status: number];
}

export class SpdyStream extends Duplex {
  /** Stream id: odd when the client opened it, even when the server did. */
  readonly id: number;
  /** The headers of the SYN_STREAM that opened it (lower-case names). */
  readonly headers: SpdyHeaders;
  /** Whether this side opened the stream. */
  readonly local: boolean;
  /** The SYN_REPLY headers, once received (local streams) or sent (remote streams). */
  replyHeaders: SpdyHeaders | undefined;
  /** The RST_STREAM status received from the peer, if it reset the stream. */
  resetStatus: number | undefined;

  private readonly host: StreamHost;
  /** We sent FIN (or the stream was opened unidirectional/half-closed from our side). */
  localFin = false;
  /** The peer sent FIN. */
  remoteFin = false;
  private replied: boolean;
  private gone = false;
  private readonly errors: boolean;
  /** Payload bytes handed to the session for sending so far. */
  sentBytes = 0;
  /** Writes (and the FIN) kept back by holdWrites(), in order; undefined when not holding. */
  private held: { chunk: Buffer | undefined; cb: (err?: Error | null) => void }[] | undefined;

  constructor(
    host: StreamHost,
    init: { id: number; headers: SpdyHeaders; local: boolean; highWaterMark: number; errors: boolean },
  ) {
    super({ allowHalfOpen: true, highWaterMark: init.highWaterMark, decodeStrings: true });
    this.host = host;
    this.id = init.id;
    this.headers = init.headers;
    this.local = init.local;
    this.errors = init.errors;
    // A locally opened stream needs no reply from us; a remote one must be replied to before data.
    this.replied = init.local;
  }

  /** Server role: accept the stream with a SYN_REPLY (empty headers by default). Idempotent. */
  reply(headers: SpdyHeaders = {}): void {
    if (this.replied || this.destroyed) return;
    this.replied = true;
    this.replyHeaders = headers;
    this.host.sendReply(this, headers);
  }

  /** Abort the stream: sends RST_STREAM (CANCEL by default) and destroys it locally without error. */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.gone) return;
    this.host.sendReset(this, status);
    this.gone = true;
    this.host.streamGone(this);
    this.destroy();
  }

  /**
   * Keep what is written (and the FIN) here instead of sending it, until releaseWrites() or the
   * first byte from the peer (which proves the peer serves the stream). For a peer that never
   * reads a stream it failed to serve (the kubelet), so bytes are only sent once it is known good.
   * The Writable's own buffering and backpressure apply meanwhile (callbacks wait).
   */
  holdWrites(): void {
    this.held ??= [];
  }

  /** Sends what holdWrites() kept back, and stops holding. */
  releaseWrites(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    for (const w of held) {
      if (w.chunk === undefined) this._final(w.cb);
      else this._write(w.chunk, 'latin1', w.cb); // the encoding is unused: chunks are Buffers
    }
  }

  /** Whether writes are being held back. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.gone) {
      cb(new KubefwdError('STREAM_ERROR', `SPDY stream ${this.id} is closed`));
      return;
    }
    if (this.held !== undefined) {
      this.held.push({ chunk, cb });
      return;
    }
    this.reply();
    this.sentBytes += chunk.length;
    this.host.sendData(this, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.gone || this.localFin) {
      cb();
      return;
    }
    if (this.held !== undefined) {
      this.held.push({ chunk: undefined, cb });
      return;
    }
    this.reply();
    this.localFin = true;
    this.host.sendData(this, Buffer.alloc(0), true, (err) => {
      cb(err);
      this.maybeDone();
    });
  }

  override _read(): void {
    this.host.readResumed(this);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.held = undefined; // never sent: the peer must not get bytes of a stream we gave up
    if (!this.gone) {
      this.gone = true;
      // Destroyed before both directions finished: tell the peer so it frees the stream.
      if (!(this.localFin && this.remoteFin) && this.resetStatus === undefined) {
        this.host.sendReset(this, RstStatus.CANCEL);
      }
      this.host.streamGone(this);
    }
    cb(err);
  }

  // ------------------------------------------------------------ called by the session

  /** @internal Delivers DATA payload; returns false when the reader is behind (session pauses). */
  onData(data: Buffer, fin: boolean): boolean {
    if (this.destroyed || this.remoteFin) return true;
    if (data.length > 0) this.releaseWrites();
    let ok = true;
    if (data.length > 0) ok = this.push(data);
    if (fin) this.onRemoteFin();
    return ok;
  }

  /** @internal */
  onRemoteFin(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    this.push(null);
    this.maybeDone();
  }

  /** @internal */
  onReply(headers: SpdyHeaders): void {
    this.replyHeaders = headers;
    this.emit('reply', headers);
  }

  /** @internal The peer reset the stream. CANCEL is an ordinary close; anything else an error. */
  onReset(status: number): void {
    if (this.gone) return;
    this.resetStatus = status;
    this.gone = true;
    this.host.streamGone(this);
    this.emit('reset', status);
    if (status === RstStatus.CANCEL) this.destroy();
    else
      this.destroySafely(
        new KubefwdError('STREAM_ERROR', `SPDY stream ${this.id} reset by peer (${rstStatusName(status)})`),
      );
  }

  /** @internal The connection ended under the stream. */
  onSessionEnd(err: Error | undefined): void {
    if (this.gone) return;
    this.gone = true;
    this.destroySafely(err);
  }

  /**
   * Destroys with the error only when the session asks for stream errors and someone listens for
   * 'error': a server that does not care about one stream's failure must not crash because of it.
   */
  private destroySafely(err: Error | undefined): void {
    if (err !== undefined && this.errors && this.listenerCount('error') > 0) this.destroy(err);
    else this.destroy();
  }

  private maybeDone(): void {
    if (this.localFin && this.remoteFin && !this.gone) {
      this.gone = true;
      this.host.streamGone(this);
    }
  }
}
