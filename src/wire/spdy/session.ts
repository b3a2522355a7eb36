// A SPDY/3.1 session over any Duplex byte pipe, in client or server role.
//
// The pipe can be a raw upgraded socket (SPDY upgrade), or a WebSocket wrapped as a Duplex
// (KEP-4006 tunnel: binary messages are just bytes, boundaries mean nothing). The session does the
// framing, the per-direction header compression, the stream table, PING (keep-alive with a
// timeout), GOAWAY and a clean close; SETTINGS and WINDOW_UPDATE are parsed and ignored, as
// spdystream (kubelet, kubectl) does. See index.ts for the API summary.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { KubefwdError, errorMessage } from '../../contract/errors.js';
import { BufferPool, splitParts } from '../buffer-pool.js';
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameParser,
  MAX_FRAME_PAYLOAD,
  RstStatus,
  encodeDataHeader,
  encodeFrame,
  type SpdyFrame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';
import { SpdyStream, type StreamHost } from './stream.js';

/**
 * Pending frames above this size are written at once instead of at the end of the event loop's
 * turn. 64–256 KiB single writes cost a TLS socket the least CPU per byte here.
 */
const COALESCE_LIMIT = 256 * 1024;

export interface SpdySessionOptions {
  role: 'client' | 'server';
  /** Send a keep-alive PING this often (0 or absent: no keep-alive). */
  pingIntervalMs?: number;
  /** Close the session with a TIMEOUT error when nothing at all arrives this long after a keep-alive PING. Default 30 s. */
  pingTimeoutMs?: number;
  /** Readable buffer per stream before the connection's reads pause. Default 256 KiB. */
  streamHighWaterMark?: number;
  /** Bytes one stream may hold unread before the connection's reads pause. Default 1 MiB. */
  streamBufferLimit?: number;
  /** Bytes queued on the pipe before stream writes wait for it to drain. Default 1 MiB. */
  writeBufferBytes?: number;
  /** Largest DATA payload we send in one frame. Default 64 KiB. */
  maxDataFrame?: number;
  /** Names the peer in error messages, e.g. "pod shop/api-0". */
  label?: string;
  /** Counts what is written and read into this object (shared by several sessions if wanted). */
  stats?: SpdyWriteStats;
  /**
   * Destroy streams WITH an error when the peer resets them (other than CANCEL) or the connection
   * ends under them. Default: true for clients, false for servers (a server that pipes streams
   * must not crash because a client vanished; it learns of it from 'close').
   */
  streamErrors?: boolean;
}

/** What a session wrote, counted into a caller's object (the simulator shows it in the bench). */
export interface SpdyWriteStats {
  /** DATA frames sent, and their payload bytes. */
  dataFrames: number;
  dataBytes: number;
  /** Writes to the pipe (one per flush), and their bytes. */
  flushes: number;
  flushBytes: number;
  /** Bytes read from the pipe, and in how many reads. */
  reads: number;
  readBytes: number;
}

export interface SpdySessionEvents {
  /** Server role (or server-pushed streams): a new stream; call stream.reply() or stream.reset(). */
  stream: [stream: SpdyStream, headers: SpdyHeaders];
  /** The peer sent GOAWAY: no new streams may be opened; open ones continue. */
  goaway: [lastGoodStreamId: number, status: number];
  /** The session is over; `err` is undefined only after a local close() without a reason. */
  close: [err: Error | undefined];
  /** A frame we ignore (SETTINGS, WINDOW_UPDATE, unknown types); for diagnostics. */
  ignored: [frame: SpdyFrame];
}

interface PendingPing {
  resolve: (rttMs: number) => void;
  reject: (err: Error) => void;
  sentAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly role: 'client' | 'server';
  /** Resolves once the session is over: undefined after a clean local close(), else the reason. */
  readonly closed: Promise<Error | undefined>;

  private readonly pipe: Duplex;
  private readonly label: string;
  // DATA is streamed: a frame's bytes reach its stream as they arrive, never reassembled.
  private readonly parser = new FrameParser({ streamData: true });
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly highWaterMark: number;
  private readonly maxDataFrame: number;
  private readonly writeBudget: number;
  private readonly streamBufferLimit: number;
  private readonly streamErrors: boolean;
  private nextStreamId: number;
  private lastRemoteStreamId = 0;
  private nextPingId: number;
  private readonly pings = new Map<number, PendingPing>();
  private goawayReceived = false;
  private ended = false;
  private resolveClosed!: (err: Error | undefined) => void;

  // Backpressure state.
  private congested = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** The scheduled flush waits one more turn of the event loop (see openStream's `linger`). */
  private lingerFlush = false;
  /**
   * Set when the pipe is a TLS socket: Node's TLS copies the buffers of a vectored write into a
   * fresh one of their total size, so a flush is copied into a reused buffer here instead.
   */
  private readonly writePool: BufferPool | undefined;
  private waitingWrites: ((err?: Error | null) => void)[] = [];
  private readonly readBlockers = new Set<SpdyStream>();
  /** Streams that will never be read (see neverRead()); DATA for one stalls the connection. */
  private readonly unread = new WeakSet<SpdyStream>();
  private stalled = false;

  // Keep-alive state.
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private keepAliveDeadline: NodeJS.Timeout | undefined;
  private receivedSincePing = false;
  /** Reads from the pipe so far (checkAlive's sign of life). */
  private pipeReads = 0;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;

  private readonly host: StreamHost;
  private readonly stats: SpdyWriteStats | undefined;

  constructor(pipe: Duplex, options: SpdySessionOptions) {
    super();
    this.pipe = pipe;
    this.role = options.role;
    this.label = options.label ?? 'SPDY peer';
    this.highWaterMark = options.streamHighWaterMark ?? 256 * 1024;
    this.streamErrors = options.streamErrors ?? this.role === 'client';
    this.streamBufferLimit = Math.max(options.streamBufferLimit ?? 1024 * 1024, this.highWaterMark);
    this.writeBudget = Math.max(options.writeBufferBytes ?? 1024 * 1024, pipe.writableHighWaterMark);
    this.maxDataFrame = Math.min(options.maxDataFrame ?? 64 * 1024, MAX_FRAME_PAYLOAD);
    this.stats = options.stats;
    this.writePool = pipe instanceof TLSSocket ? new BufferPool(COALESCE_LIMIT + 1024, 8) : undefined;
    this.nextStreamId = this.role === 'client' ? 1 : 2;
    this.nextPingId = this.role === 'client' ? 1 : 2;
    this.pingIntervalMs = options.pingIntervalMs ?? 0;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 30_000;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.host = {
      sendData: (s, chunk, fin, cb) => this.sendData(s, chunk, fin, cb),
      sendReply: (s, headers) => this.writeFrame(this.headerFrame('syn_reply', s.id, headers, 0)),
      sendReset: (s, status) => this.writeFrame({ type: 'rst_stream', streamId: s.id, status, flags: 0 }),
      readResumed: (s) => this.unblock(s),
      streamGone: (s) => {
        this.streams.delete(s.id);
        this.unblock(s);
      },
    };

    pipe.on('data', this.onPipeData);
    pipe.on('drain', this.onDrain);
    pipe.on('end', this.onPipeEnd);
    pipe.on('close', this.onPipeClose);
    pipe.on('error', this.onPipeError);
    if (this.pingIntervalMs > 0) this.scheduleKeepAlive();
  }

  /** Whether the session is over (closed, failed, or the pipe ended). */
  get isClosed(): boolean {
    return this.ended;
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream: sends SYN_STREAM with `headers` (names are lower-cased). Returns at once; data
   * may be written immediately (it follows the SYN_STREAM on the wire). The peer's SYN_REPLY is
   * emitted as the stream's 'reply' event; a refusal arrives as RST_STREAM (stream 'reset' event,
   * then the stream is destroyed with a STREAM_ERROR). `fin`: open half-closed (we send nothing).
   * Throws KubefwdError STREAM_ERROR when the session is closed or the peer sent GOAWAY.
   *
   * `linger`: the frames of this turn of the event loop go out at the end of the NEXT turn. For a
   * stream that carries a just-accepted local socket: Node starts reading a new socket only in the
   * next poll phase, so without it the SYN_STREAMs would travel alone and the client's first bytes
   * (usually there already) in a second write — a second message for the server to wake up for.
   * A flush lingers at most once; a full batch (COALESCE_LIMIT) still goes at once.
   */
  openStream(headers: SpdyHeaders, options: { fin?: boolean; linger?: boolean } = {}): SpdyStream {
    if (this.ended) throw new KubefwdError('STREAM_ERROR', `connection to ${this.label} is closed`);
    if (this.goawayReceived)
      throw new KubefwdError('STREAM_ERROR', `${this.label} is going away and accepts no new streams`);
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this.host, {
      id,
      headers,
      local: true,
      highWaterMark: this.highWaterMark,
      errors: this.streamErrors,
    });
    this.streams.set(id, stream);
    const flags = options.fin === true ? FLAG_FIN : 0;
    if (options.fin === true) stream.localFin = true;
    const frame = this.headerFrame('syn_stream', id, headers, flags);
    this.writeFrame(frame);
    if (options.linger === true) this.lingerFlush = true;
    return stream;
  }

  /** Sends a PING and resolves with the round-trip time in ms; rejects on timeout or close. */
  ping(timeoutMs = this.pingTimeoutMs): Promise<number> {
    if (this.ended)
      return Promise.reject(new KubefwdError('STREAM_ERROR', `connection to ${this.label} is closed`));
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) >>> 0;
    return new Promise<number>((resolve, reject) => {
      const pending: PendingPing = { resolve, reject, sentAt: performance.now(), timer: undefined };
      pending.timer = setTimeout(() => {
        this.pings.delete(id);
        reject(new KubefwdError('TIMEOUT', `no PING answer from ${this.label} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(id, pending);
      this.writeFrame({ type: 'ping', id });
    });
  }

  /**
   * Proves the connection works now, not at the next keep-alive: a PING, and `timeoutMs` for
   * anything to arrive (the answer may queue behind data, so any bytes count, as for the
   * keep-alive; so does a wait while our own reads are paused). Silence ends the session with
   * TIMEOUT and resolves false; a session already over resolves false.
   */
  async checkAlive(timeoutMs: number): Promise<boolean> {
    if (this.ended) return false;
    const readsBefore = this.pipeReads;
    // Output already waiting (the kernel's buffer is full): an upload to a peer that sends
    // nothing back, its PING queued behind megabytes. A slow peer and a dead one look the same
    // for seconds, so this check does not judge; the keep-alive, with its 30 s, does.
    const backedUp = this.pipe.writableLength > 0;
    try {
      await this.ping(timeoutMs);
      return true;
    } catch {
      if (this.ended) return false;
      if (this.pipeReads !== readsBefore || backedUp || this.readBlockers.size > 0) return true;
      this.destroy(
        new KubefwdError(
          'TIMEOUT',
          `connection to ${this.label} is dead: no answer to a PING within ${timeoutMs} ms`,
        ),
      );
      return false;
    }
  }

  /**
   * For simulators of the kubelet: `stream` will never be read, and DATA with payload arriving for
   * it stops this connection's reads for good — as in spdystream, where the frame worker handing
   * such a frame to a stream nobody reads blocks, and with it every later frame.
   */
  neverRead(stream: SpdyStream): void {
    this.unread.add(stream);
  }

  /**
   * For simulators of the kubelet: sends DATA on a stream id that is already gone (reset by the
   * peer), as spdystream keeps doing for a while after RST_STREAM. `cb` runs when the pipe can
   * take more.
   */
  sendStrayData(streamId: number, chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.ended) {
      cb(new KubefwdError('STREAM_ERROR', `connection to ${this.label} is closed`));
      return;
    }
    this.write(encodeDataHeader(streamId, 0, chunk.length), chunk);
    if (this.congested) this.waitingWrites.push(cb);
    else cb();
  }

  /** Sends GOAWAY without closing: the peer opens no new streams; open ones continue. */
  goAway(status = 0): void {
    if (this.ended) return;
    this.writeFrame({ type: 'goaway', lastGoodStreamId: this.lastRemoteStreamId, status });
  }

  /**
   * Ends the session: GOAWAY(OK), flush, close the pipe. Open streams are destroyed — with `reason`
   * as their error when given (and 'error' is listened to), else quietly. Idempotent.
   */
  close(reason?: Error | string): void {
    if (this.ended) return;
    const err = typeof reason === 'string' ? new KubefwdError('STREAM_ERROR', reason) : reason;
    try {
      this.writeFrame({ type: 'goaway', lastGoodStreamId: this.lastRemoteStreamId, status: 0 });
    } catch {
      // The pipe may already be unwritable; closing anyway.
    }
    this.finish(err, 'graceful');
  }

  /** Ends the session at once (no GOAWAY, pipe destroyed). */
  destroy(err?: Error): void {
    this.finish(err, 'abort');
  }

  // ------------------------------------------------------------ writing

  private headerFrame(
    kind: 'syn_stream' | 'syn_reply',
    id: number,
    headers: SpdyHeaders,
    flags: number,
  ): SpdyFrame {
    const headerBlock = this.compressor.compress(headers);
    return kind === 'syn_stream'
      ? { type: 'syn_stream', streamId: id, associatedStreamId: 0, priority: 0, slot: 0, flags, headerBlock }
      : { type: 'syn_reply', streamId: id, flags, headerBlock };
  }

  /**
   * Frames written in one turn of the event loop go out as one pipe write (flushed at setImmediate:
   * a TLS read delivers its 16 KiB records with a nextTick queue run after each, so a nextTick
   * flush would write once per record). Over a WebSocket pipe one flush is one message, so
   * SYN_STREAM + FIN + SYN_STREAM + first DATA of a new connection travel together. Payloads are
   * queued as the caller's buffers, not copied; large batches flush at once.
   */
  private write(...bufs: Buffer[]): void {
    if (this.ended || this.pipe.destroyed || this.pipe.writableEnded) return;
    for (const b of bufs) {
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (this.pendingBytes >= COALESCE_LIMIT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.scheduledFlush);
    }
  }

  /** The flush at the end of a turn: once per batch it may wait a turn more (lingerFlush). */
  private readonly scheduledFlush = (): void => {
    if (this.lingerFlush && this.flushScheduled) {
      this.lingerFlush = false;
      setImmediate(this.flush);
      return;
    }
    this.flush();
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.lingerFlush = false;
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.pipe.destroyed || this.pipe.writableEnded) return;
    if (this.stats !== undefined) {
      this.stats.flushes++;
      for (const b of pending) this.stats.flushBytes += b.length;
    }
    const pool = this.writePool;
    if (pool !== undefined && pending.length > 1) {
      // One buffer per write (see writePool), copied into a reused one.
      for (const group of splitParts(pending, pool.size)) {
        if (group.length === 1) {
          this.pipe.write(group[0]!);
          continue;
        }
        const into = pool.take();
        let n = 0;
        for (const b of group) n += b.copy(into, n);
        this.pipe.write(into.subarray(0, n), () => pool.give(into));
      }
    } else {
      if (pending.length > 1) this.pipe.cork();
      for (const b of pending) this.pipe.write(b);
      if (pending.length > 1) this.pipe.uncork();
    }
    // Congested only past our own budget: waiting for 'drain' at the pipe's small default
    // highWaterMark would let one frame at a time through each hop.
    if (this.pipe.writableLength >= this.writeBudget) this.congested = true;
  };

  private writeFrame(frame: SpdyFrame): void {
    this.write(encodeFrame(frame));
  }

  private sendData(stream: SpdyStream, chunk: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (this.ended) {
      cb(new KubefwdError('STREAM_ERROR', `connection to ${this.label} is closed`));
      return;
    }
    if (chunk.length === 0) {
      this.write(encodeDataHeader(stream.id, fin ? FLAG_FIN : 0, 0));
    } else {
      for (let off = 0; off < chunk.length; off += this.maxDataFrame) {
        const part = chunk.subarray(off, Math.min(off + this.maxDataFrame, chunk.length));
        const last = off + this.maxDataFrame >= chunk.length;
        const flags = fin && last ? FLAG_FIN : 0;
        this.write(encodeDataHeader(stream.id, flags, part.length), part);
        if (this.stats !== undefined) {
          this.stats.dataFrames++;
          this.stats.dataBytes += part.length;
        }
      }
    }
    if (this.congested) this.waitingWrites.push(cb);
    else cb();
  }

  private readonly onDrain = (): void => {
    this.congested = false;
    const waiting = this.waitingWrites;
    this.waitingWrites = [];
    for (const cb of waiting) cb();
  };

  // ------------------------------------------------------------ reading

  private readonly onPipeData = (chunk: Buffer | string): void => {
    if (this.ended || this.stalled) return;
    this.receivedSincePing = true;
    this.pipeReads++;
    if (this.stats !== undefined) {
      this.stats.reads++;
      this.stats.readBytes += chunk.length;
    }
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      for (const frame of frames) {
        this.handleFrame(frame);
        if (this.ended || this.stalled) return;
      }
    } catch (err) {
      this.destroy(
        new KubefwdError('STREAM_ERROR', `protocol error from ${this.label}: ${errorMessage(err)}`, {
          cause: err,
        }),
      );
    }
  };

  // One switch over the SPDY frame types, each case short.
  private handleFrame(frame: SpdyFrame): void {
    switch (frame.type) {
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        // Data for a stream we already closed or reset: dropped (the peer had it in flight).
        if (stream === undefined) return;
        if (frame.data.length > 0 && this.unread.has(stream)) {
          this.stalled = true;
          this.pipe.pause();
          return;
        }
        const fin = (frame.flags & FLAG_FIN) !== 0;
        stream.onData(frame.data, fin);
        // Past its highWaterMark a stream keeps buffering up to the limit before the whole
        // connection pauses: pausing at once for every full stream would stall all the others
        // far more often than the protocol forces (head-of-line blocking is SPDY's, not ours).
        if (stream.readableLength >= this.streamBufferLimit) this.block(stream);
        return;
      }
      case 'syn_stream': {
        // Decompress first: the zlib context must see every header block, even of refused streams.
        const headers = this.decompressor.decompress(frame.headerBlock);
        const expectRemoteOdd = this.role === 'server';
        if ((frame.streamId % 2 === 1) !== expectRemoteOdd || frame.streamId <= this.lastRemoteStreamId) {
          this.writeFrame({
            type: 'rst_stream',
            streamId: frame.streamId,
            status: RstStatus.PROTOCOL_ERROR,
            flags: 0,
          });
          return;
        }
        this.lastRemoteStreamId = frame.streamId;
        if (this.listenerCount('stream') === 0) {
          this.writeFrame({
            type: 'rst_stream',
            streamId: frame.streamId,
            status: RstStatus.REFUSED_STREAM,
            flags: 0,
          });
          return;
        }
        const stream = new SpdyStream(this.host, {
          id: frame.streamId,
          headers,
          local: false,
          highWaterMark: this.highWaterMark,
          errors: this.streamErrors,
        });
        this.streams.set(frame.streamId, stream);
        if ((frame.flags & FLAG_UNIDIRECTIONAL) !== 0) stream.localFin = true;
        this.emit('stream', stream, headers);
        if ((frame.flags & FLAG_FIN) !== 0) stream.onRemoteFin();
        return;
      }
      case 'syn_reply': {
        const headers = this.decompressor.decompress(frame.headerBlock);
        const stream = this.streams.get(frame.streamId);
        if (stream === undefined) return;
        stream.onReply(headers);
        if ((frame.flags & FLAG_FIN) !== 0) stream.onRemoteFin();
        return;
      }
      case 'headers': {
        const headers = this.decompressor.decompress(frame.headerBlock);
        const stream = this.streams.get(frame.streamId);
        if (stream !== undefined) {
          stream.emit('headers', headers);
          if ((frame.flags & FLAG_FIN) !== 0) stream.onRemoteFin();
        }
        return;
      }
      case 'rst_stream':
        this.streams.get(frame.streamId)?.onReset(frame.status);
        return;
      case 'ping': {
        const ours = frame.id % 2 === (this.role === 'client' ? 1 : 0);
        if (!ours) {
          this.writeFrame({ type: 'ping', id: frame.id });
          return;
        }
        const pending = this.pings.get(frame.id);
        if (pending !== undefined) {
          this.pings.delete(frame.id);
          clearTimeout(pending.timer);
          pending.resolve(performance.now() - pending.sentAt);
        }
        return;
      }
      case 'goaway':
        this.goawayReceived = true;
        // Streams we opened after the last one the peer took were never seen by it (spdystream
        // drops their SYN_STREAM without an answer): refused, so their owners can retry elsewhere.
        for (const s of [...this.streams.values()])
          if (s.local && s.id > frame.lastGoodStreamId) s.onReset(RstStatus.REFUSED_STREAM);
        this.emit('goaway', frame.lastGoodStreamId, frame.status);
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        this.emit('ignored', frame);
        return;
    }
  }

  private block(stream: SpdyStream): void {
    if (this.readBlockers.size === 0) this.pipe.pause();
    this.readBlockers.add(stream);
  }

  private unblock(stream: SpdyStream): void {
    if (!this.readBlockers.delete(stream)) return;
    if (this.readBlockers.size === 0 && !this.ended && !this.stalled) this.pipe.resume();
  }

  // ------------------------------------------------------------ keep-alive

  private scheduleKeepAlive(): void {
    this.keepAliveTimer = setTimeout(() => {
      this.keepAliveTimer = undefined;
      if (this.ended) return;
      this.receivedSincePing = false;
      this.armKeepAliveDeadline();
      this.ping(this.pingTimeoutMs + 1_000).then(
        () => {
          clearTimeout(this.keepAliveDeadline);
          this.keepAliveDeadline = undefined;
          if (!this.ended) this.scheduleKeepAlive();
        },
        () => {
          // The deadline below decides; a late answer is not fatal on its own.
        },
      );
    }, this.pingIntervalMs);
  }

  /**
   * A connection is dead when NOTHING arrives for pingTimeoutMs after a keep-alive PING. Bytes of
   * any kind count as life (the answer may be queued behind data). While our own reads are paused
   * for backpressure, the answer cannot arrive, so the deadline waits instead of firing.
   */
  private armKeepAliveDeadline(): void {
    this.keepAliveDeadline = setTimeout(() => {
      this.keepAliveDeadline = undefined;
      if (this.ended) return;
      if (this.receivedSincePing || this.readBlockers.size > 0) {
        this.receivedSincePing = false;
        this.armKeepAliveDeadline();
        return;
      }
      this.destroy(
        new KubefwdError(
          'TIMEOUT',
          `connection to ${this.label} is dead: no answer to a keep-alive PING within ${this.pingTimeoutMs} ms`,
        ),
      );
    }, this.pingTimeoutMs);
  }

  // ------------------------------------------------------------ ending

  private readonly onPipeEnd = (): void => {
    this.finish(this.endError('closed the connection'), 'graceful');
  };

  private readonly onPipeClose = (): void => {
    this.finish(this.endError('connection closed'), 'abort');
  };

  private readonly onPipeError = (err: Error): void => {
    this.finish(
      new KubefwdError('STREAM_ERROR', `connection to ${this.label} failed: ${err.message}`, { cause: err }),
      'abort',
    );
  };

  private endError(what: string): KubefwdError {
    return new KubefwdError(
      'STREAM_ERROR',
      `${this.label} ${what}${this.goawayReceived ? ' (after GOAWAY)' : ''}`,
    );
  }

  private finish(err: Error | undefined, how: 'graceful' | 'abort'): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.keepAliveDeadline);
    this.keepAliveTimer = undefined;
    this.keepAliveDeadline = undefined;
    const pingErr = err ?? new KubefwdError('STREAM_ERROR', `connection to ${this.label} is closed`);
    for (const p of this.pings.values()) {
      clearTimeout(p.timer);
      p.reject(pingErr);
    }
    this.pings.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.readBlockers.clear();
    for (const s of streams) s.onSessionEnd(err);
    const waiting = this.waitingWrites;
    this.waitingWrites = [];
    for (const cb of waiting) cb(pingErr);
    this.pipe.off('data', this.onPipeData);
    this.pipe.off('drain', this.onDrain);
    this.pipe.off('end', this.onPipeEnd);
    this.pipe.off('close', this.onPipeClose);
    // Keep an error listener: a late socket error must not crash the process.
    this.pipe.off('error', this.onPipeError);
    this.pipe.on('error', () => {});
    if (how === 'graceful' && !this.pipe.destroyed && !this.pipe.writableEnded) {
      this.flush();
      this.pipe.resume();
      this.pipe.end(() => this.pipe.destroy());
      // If the peer never lets the flush finish, do not hold the socket forever.
      const t = setTimeout(() => this.pipe.destroy(), 2_000);
      this.pipe.once('close', () => clearTimeout(t));
    } else {
      this.pipe.destroy();
    }
    this.writePool?.clear();
    this.emit('close', err);
    this.resolveClosed(err);
  }
}
