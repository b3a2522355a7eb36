// A WebSocket over an already upgraded byte pipe (the HTTP handshake is the caller's:
// kube/portforward/websocket-client.ts, and the simulated API server). Messages in and out,
// ping/pong, the close handshake, pause/resume for backpressure. As a client every frame we send
// is masked with a fresh random key; as a server frames go out unmasked.
//
// Two receiving modes: 'messages' reassembles fragmented messages (the v4 channel protocol gives
// message boundaries meaning) and emits 'message'; 'bytes' emits every binary payload piece as it
// arrives ('bytes' event, zero-copy), for byte streams tunnelled in WebSocket.
import { randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { FrameReader, Opcode, WsProtocolError, encodeFrame, headerLength, type WsFrame } from './frames.js';
import { BufferPool } from '../buffer-pool.js';
import { loadMasking, type Masking } from './masking.js';

export interface WebSocketEvents {
  /** 'messages' mode: one whole message. */
  message: [data: Buffer, isBinary: boolean];
  /**
   * 'bytes' mode: the next piece of the binary stream, as it arrives. A byte stream ignores the
   * flags; a message protocol read in pieces (v4 channels) uses them: `start`, the piece is the
   * first of a message; `end`, the last (an empty piece may carry only `end`).
   */
  bytes: [data: Buffer, start: boolean, end: boolean];
  /** The connection is over: 1000 normal, 1005 no code, 1006 dropped without a close frame. */
  close: [code: number, reason: string];
  error: [err: Error];
}

/**
 * Masks come from a pre-filled random pool: one getrandom call per 128 frames, not per frame. Small
 * (512 bytes, from Node's shared slab) because every pod session's tunnel owns one: 4 KiB each was
 * 8 MB at 2,000 idle sessions (issue 18), and 128 frames are up to 8 MiB of traffic.
 */
class MaskSource {
  private pool = Buffer.alloc(0);
  private off = 0;
  next(): Buffer {
    if (this.off + 4 > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(512));
      this.off = 0;
    }
    const m = this.pool.subarray(this.off, this.off + 4);
    this.off += 4;
    return m;
  }
}

/** Frames with less payload than this are allocated as they come (Node's slab makes that cheap). */
const POOLED_FRAME_MIN = 8 * 1024;
/**
 * Payload of the largest masked frame written into a pooled buffer; byte streams are sent in
 * messages of at most this size (WebSocketByteStream). 64–256 KiB single writes cost a TLS socket
 * the least CPU per byte here: smaller ones pay the per-write overhead more often, larger ones
 * grow OpenSSL's output buffers.
 */
export const POOLED_FRAME_MAX = 256 * 1024;

/**
 * A pool of frame buffers to share between connections (WebSocketOptions.pool): the frames of
 * many connections then cycle through a few warm buffers instead of each connection warming its
 * own (with 16 busy v4 connections, ~9 % less CPU per byte in the benchmark). Room for the frame
 * header (at most 14 bytes) and POOLED_FRAME_MAX of payload.
 */
export const newFramePool = (keep = 32): BufferPool => new BufferPool(POOLED_FRAME_MAX + 14, keep);

export interface WebSocketOptions {
  /** Largest frame payload accepted. Default 64 MiB. */
  maxPayload?: number;
  /** 'client' (default) masks what it sends; 'server' does not. */
  role?: 'client' | 'server';
  /** 'messages' (default) or 'bytes' (see the file comment). */
  mode?: 'messages' | 'bytes';
  /** How payloads are masked and unmasked; default: native when bufferutil loads (masking.ts). */
  masking?: Masking;
  /** Frame buffers shared with other connections (newFramePool); default: the connection's own. */
  pool?: BufferPool;
}

type WriteCallback = (err?: Error) => void;

/**
 * Frames waiting for our write in flight: several coalesced into one pooled buffer (`buf`, filled
 * to `bytes`), or the parts of one frame too large for a pooled buffer.
 */
interface QueuedWrite {
  buf: Buffer | undefined;
  parts: Buffer[];
  bytes: number;
  cbs: WriteCallback[];
}

const payloadLength = (p: Buffer | Buffer[]): number => {
  if (!Array.isArray(p)) return p.length;
  let n = 0;
  for (const b of p) n += b.length;
  return n;
};

export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  private readonly socket: Duplex;
  private readonly reader: FrameReader;
  private readonly masks: MaskSource | undefined;
  private readonly byteMode: boolean;
  private readonly masking: Masking;
  private readonly pool: BufferPool | undefined;
  /** The pool is this connection's alone: emptied when it closes. */
  private readonly ownPool: boolean;
  private fragments: Buffer[] = [];
  /** 'bytes' mode: inside a data frame's payload (more pieces of it follow). */
  private inFrame = false;
  /** 'bytes' mode: a message has begun and none of its bytes were emitted yet. */
  private messageStart = false;
  private fragmentOpcode = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closeSent = false;
  private closeCode = 1006;
  private closeReason = '';
  private closeTimer: NodeJS.Timeout | undefined;
  private paused = false;
  /** Reads from the socket so far (checkAlive's sign of life). */
  private reads = 0;
  /** Our socket writes not yet called back. */
  private inFlight = 0;
  /** Frames sent while a write was in flight (see writeFrame). */
  private queue: QueuedWrite[] = [];
  private queuedBytes = 0;
  private drainWaiters: (() => void)[] = [];
  private endWhenFlushed = false;

  constructor(socket: Duplex, head: Buffer = Buffer.alloc(0), options: WebSocketOptions = {}) {
    super();
    this.socket = socket;
    this.byteMode = options.mode === 'bytes';
    this.masks = options.role === 'server' ? undefined : new MaskSource();
    this.masking = options.masking ?? loadMasking();
    // A client masks every payload into a copy anyway; a server copies large ones into one buffer
    // only when its socket is TLS (which would otherwise copy a vectored write into fresh memory).
    const pooled = this.masks !== undefined || socket instanceof TLSSocket;
    this.ownPool = pooled && options.pool === undefined;
    this.pool = pooled ? (options.pool ?? newFramePool(8)) : undefined;
    this.reader = new FrameReader({
      masking: this.masking,
      maxPayload: options.maxPayload,
      streamData: this.byteMode,
      masked: options.role === 'server',
    });
    // Bytes that came with the upgrade answer go first; as socket data they are delivered after
    // the caller has attached its listeners (a microtask would run before the caller's await).
    if (head.length > 0) socket.unshift(head);
    socket.on('data', this.onData);
    socket.on('close', this.onSocketClose);
    socket.on('end', this.onSocketEnd);
    socket.on('error', this.onSocketError);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Whether the connection emits 'bytes' (byte-stream mode) rather than 'message'. */
  get isByteMode(): boolean {
    return this.byteMode;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes sent and not yet written to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  /**
   * Sends one message (several buffers are sent as one message, without concatenating them first);
   * `cb` runs once it is handed to the socket. Returns false when the socket is full.
   */
  send(data: Buffer | Buffer[] | string, binary: boolean, cb?: (err?: Error) => void): boolean {
    if (this.state !== 'open') {
      cb?.(new Error('WebSocket is not open'));
      return false;
    }
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return this.writeFrame(binary ? Opcode.BINARY : Opcode.TEXT, payload, cb);
  }

  /** Runs `fn` once everything sent has been written (after a send() that returned false). */
  onceDrain(fn: () => void): void {
    if (this.state === 'closed') fn();
    else if (this.inFlight === 0 && this.queue.length === 0) process.nextTick(fn);
    else this.drainWaiters.push(fn);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.state !== 'closed') this.socket.resume();
  }

  /**
   * Proves the connection works now, as SpdySession.checkAlive does: a PING, and `timeoutMs` for
   * anything to arrive (a wait while our reads are paused counts as alive). Silence drops the
   * connection with an 'error' and resolves false.
   */
  checkAlive(timeoutMs: number): Promise<boolean> {
    if (this.state !== 'open') return Promise.resolve(false);
    const readsBefore = this.reads;
    // As for SPDY: output already waiting (an upload) leaves the verdict to the peer's answers later.
    const backedUp = this.bufferedAmount > 0;
    this.writeFrame(Opcode.PING, Buffer.alloc(0));
    return new Promise((resolve) => {
      setTimeout(() => {
        if (this.state === 'closed') resolve(false);
        else if (this.reads !== readsBefore || backedUp || this.paused) resolve(true);
        else {
          if (this.listenerCount('error') > 0)
            this.emit(
              'error',
              new Error(`no answer to a PING within ${timeoutMs} ms: the connection is dead`),
            );
          this.socket.destroy();
          resolve(false);
        }
      }, timeoutMs).unref();
    });
  }

  /** Starts the close handshake; the socket is ended when the peer answers (or after 2 s). */
  close(code = 1000, reason = ''): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.sendClose(code, reason);
    this.closeTimer = setTimeout(() => this.socket.destroy(), 2_000);
  }

  /** Drops the connection at once. */
  terminate(): void {
    if (this.state === 'closed') return;
    this.socket.destroy();
  }

  /**
   * Sends one frame; false when more than the socket's highWaterMark is waiting. With a pool of
   * frame buffers, frames sent while one of our writes is in flight are masked (or copied) one
   * after the other into a pooled buffer and written together when it completes: what Node's
   * stream would otherwise queue and hand to the TLS socket as a vectored write, which it copies
   * into fresh, zeroed memory (memmove and page faults in the forwarder's profile). The timing is
   * the stream's own: queued writes also wait for the one in flight.
   */
  private writeFrame(opcode: number, payload: Buffer | Buffer[], cb?: WriteCallback): boolean {
    const mask = this.masks?.next();
    const pool = this.pool;
    const len = payloadLength(payload);
    const bytes = headerLength(len, mask !== undefined) + len;
    const fits = pool !== undefined && bytes <= pool.size;
    const cbs = cb === undefined ? [] : [cb];
    if (pool !== undefined && (this.inFlight > 0 || this.queue.length > 0)) {
      this.queuedBytes += bytes;
      const last = this.queue.at(-1);
      if (last?.buf !== undefined && last.buf.length - last.bytes >= bytes) {
        encodeFrame(opcode, payload, true, mask, this.masking, last.buf.subarray(last.bytes));
        last.bytes += bytes;
        last.cbs.push(...cbs);
      } else if (fits) {
        const buf = pool.take();
        encodeFrame(opcode, payload, true, mask, this.masking, buf);
        this.queue.push({ buf, parts: [], bytes, cbs });
      } else {
        const parts = encodeFrame(opcode, payload, true, mask, this.masking);
        this.queue.push({ buf: undefined, parts, bytes, cbs });
      }
    } else {
      const into = fits && len >= POOLED_FRAME_MIN ? pool.take() : undefined;
      this.write(encodeFrame(opcode, payload, true, mask, this.masking, into), into, cbs);
    }
    return this.bufferedAmount < this.socket.writableHighWaterMark;
  }

  /** Writes a frame's parts (several: one vectored write); `buf` goes back to the pool after. */
  private write(parts: Buffer[], buf: Buffer | undefined, cbs: WriteCallback[]): void {
    this.inFlight++;
    const done = (err?: Error | null): void => {
      this.inFlight--;
      if (buf !== undefined) this.pool!.give(buf);
      for (const cb of cbs) cb(err ?? undefined);
      this.writeNext();
    };
    const last = parts.length - 1;
    if (last > 0) this.socket.cork();
    for (let i = 0; i < last; i++) this.socket.write(parts[i]!);
    this.socket.write(parts[last]!, done);
    if (last > 0) this.socket.uncork();
  }

  /** After a write: the next queued one, or, with nothing left, the drain waiters. */
  private writeNext(): void {
    if (this.inFlight > 0 || this.socket.destroyed) return;
    const next = this.queue.shift();
    if (next !== undefined) {
      this.queuedBytes -= next.bytes;
      this.write(
        next.buf === undefined ? next.parts : [next.buf.subarray(0, next.bytes)],
        next.buf,
        next.cbs,
      );
      if (this.queue.length === 0 && this.endWhenFlushed) this.socket.end();
      return;
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const fn of waiters) fn();
  }

  /** Ends our side of the socket once the frames queued so far are written. */
  private endSocket(): void {
    if (this.queue.length === 0) this.socket.end();
    else this.endWhenFlushed = true;
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    const r = Buffer.from(reason, 'utf8');
    const payload = Buffer.allocUnsafe(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    if (!this.socket.destroyed && this.socket.writable) this.writeFrame(Opcode.CLOSE, payload);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === 'closed') return;
    this.reads++;
    let frames: WsFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(err instanceof WsProtocolError ? err : new WsProtocolError(String(err)));
      return;
    }
    for (const f of frames) {
      this.handle(f);
      if (this.socket.destroyed) return;
    }
  };

  private handle(f: WsFrame): void {
    switch (f.opcode) {
      case Opcode.PING:
        if (this.state === 'open') this.writeFrame(Opcode.PONG, f.payload);
        return;
      case Opcode.PONG:
        return;
      case Opcode.CLOSE: {
        this.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        this.closeReason = f.payload.length > 2 ? f.payload.toString('utf8', 2) : '';
        // Answer with the same code, then end our side; the server closes the TCP connection.
        this.sendClose(this.closeCode === 1005 ? 1000 : this.closeCode, '');
        this.state = 'closing';
        this.endSocket();
        return;
      }
      case Opcode.TEXT:
      case Opcode.BINARY:
        if (this.byteMode) {
          this.onBytes(f);
          return;
        }
        if (this.fragments.length > 0) {
          this.fail(new WsProtocolError('new message inside a fragmented one'));
          return;
        }
        if (f.fin) this.emitMessage(f.payload, f.opcode === Opcode.BINARY);
        else {
          this.fragmentOpcode = f.opcode;
          this.fragments.push(f.payload);
        }
        return;
      case Opcode.CONTINUATION:
        if (this.byteMode) {
          this.onBytes(f);
          return;
        }
        if (this.fragments.length === 0) {
          this.fail(new WsProtocolError('continuation frame without a message'));
          return;
        }
        this.fragments.push(f.payload);
        if (f.fin) {
          const parts = this.fragments;
          this.fragments = [];
          this.emitMessage(Buffer.concat(parts), this.fragmentOpcode === Opcode.BINARY);
        }
        return;
      default:
        this.fail(new WsProtocolError(`unknown opcode ${f.opcode}`));
    }
  }

  private onBytes(f: WsFrame): void {
    if (f.opcode === Opcode.TEXT) {
      this.fail(new WsProtocolError('text message in a binary byte stream', 1003));
      return;
    }
    if (!this.inFrame && f.opcode !== Opcode.CONTINUATION) this.messageStart = true;
    this.inFrame = f.more;
    const end = f.fin && !f.more;
    if (this.state === 'closed' || (f.payload.length === 0 && !end)) return;
    const start = this.messageStart && f.payload.length > 0;
    if (start) this.messageStart = false;
    this.emit('bytes', f.payload, start, end);
  }

  private emitMessage(data: Buffer, binary: boolean): void {
    if (this.state !== 'open') return;
    this.emit('message', data, binary);
  }

  private fail(err: WsProtocolError): void {
    this.closeCode = err.closeCode;
    this.closeReason = err.message;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.sendClose(err.closeCode, err.message.slice(0, 120));
    this.socket.destroy();
  }

  private readonly onSocketEnd = (): void => {
    if (this.state === 'open') this.state = 'closing';
    this.endSocket();
  };

  private readonly onSocketError = (err: Error): void => {
    if (this.state === 'closed') return;
    this.closeReason ||= err.message;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  };

  private readonly onSocketClose = (): void => {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.closeTimer);
    const closed = new Error('WebSocket closed');
    for (const w of this.queue.splice(0)) {
      if (w.buf !== undefined) this.pool!.give(w.buf);
      for (const cb of w.cbs) cb(closed);
    }
    this.queuedBytes = 0;
    if (this.ownPool) this.pool?.clear();
    this.socket.off('data', this.onData);
    this.emit('close', this.closeCode, this.closeReason);
  };
}
