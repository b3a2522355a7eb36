// A WebSocket as a plain byte Duplex, for protocols that tunnel a byte stream in binary messages
// (KEP-4006: SPDY inside WebSocket). Message boundaries carry no meaning: the connection must be in
// 'bytes' mode (payload pieces arrive as they come, uncopied); pending writes go out as messages of
// at most POOLED_FRAME_MAX bytes without being concatenated first (a client's masked copy of each
// lands in a reused buffer); a normal close (1000) is EOF, anything else an error.
import { Duplex } from 'node:stream';
import { splitParts } from '../buffer-pool.js';
import { POOLED_FRAME_MAX, type WebSocketConnection } from './connection.js';

export class WebSocketByteStream extends Duplex {
  private readonly ws: WebSocketConnection;
  private readonly writeBudget: number;

  constructor(
    ws: WebSocketConnection,
    options: {
      highWaterMark?: number;
      /** Bytes the socket may hold unwritten before writes wait for its 'drain'. Default 1 MiB. */
      writeBudget?: number;
    } = {},
  ) {
    super({ allowHalfOpen: false, highWaterMark: options.highWaterMark ?? 1024 * 1024 });
    this.writeBudget = options.writeBudget ?? 1024 * 1024;
    if (!ws.isByteMode) throw new Error('WebSocketByteStream needs a WebSocketConnection in bytes mode');
    this.ws = ws;
    ws.on('bytes', (data) => {
      if (data.length > 0 && !this.push(data)) ws.pause();
    });
    ws.on('close', (code, reason) => {
      if (this.destroyed) return;
      if (code === 1000 || code === 1005) this.push(null);
      else this.destroy(new Error(`WebSocket closed with code ${code}${reason ? `: ${reason}` : ''}`));
    });
    ws.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.ws.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sendNow(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.sendNow(
      chunks.map((c) => c.chunk),
      cb,
    );
  }

  private sendNow(data: Buffer | Buffer[], cb: (err?: Error | null) => void): void {
    sendWithBudget(this.ws, Array.isArray(data) ? data : [data], {
      budget: this.writeBudget,
      fail: (err) => this.destroy(err),
      done: cb,
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.ws.close(1000);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.ws.terminate();
    cb(err);
  }
}

/**
 * Sends `data` as binary messages of at most POOLED_FRAME_MAX bytes (`prefix`, when given, starts
 * each one), without joining the buffers first. `done` runs as soon as the socket took them, not
 * when it flushed them: waiting for the flush costs an event-loop turn per message, which is
 * latency on every new connection. When the socket holds `budget` bytes or more, `done` waits for
 * its 'drain' — that is the backpressure. (Not at the socket's own highWaterMark: at Node's
 * default 16 KiB every message of a busy stream would wait for a drain, a round of callbacks and a
 * small TLS write per message.) A write that fails is given to `fail`, once.
 */
export function sendWithBudget(
  ws: WebSocketConnection,
  data: Buffer[],
  o: { budget: number; fail: (err: Error) => void; done: (err?: Error | null) => void; prefix?: Buffer },
): void {
  let failed = false;
  const onSent = (err?: Error): void => {
    if (err && !failed) {
      failed = true;
      o.fail(err);
    }
  };
  const room = POOLED_FRAME_MAX - (o.prefix?.length ?? 0);
  let accepted = true;
  for (const group of data.reduce((n, b) => n + b.length, 0) <= room ? [data] : splitParts(data, room))
    accepted = ws.send(o.prefix ? [o.prefix, ...group] : group, true, onSent);
  if (!ws.isOpen) o.done(new Error('WebSocket is closed'));
  else if (accepted || ws.bufferedAmount < o.budget) o.done();
  else ws.onceDrain(() => o.done());
}
