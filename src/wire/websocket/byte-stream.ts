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

  /**
   * Done as soon as the socket took the frame (not when it flushed it): waiting for the flush
   * costs an event-loop turn per message, which is latency on every new connection. When the
   * socket holds more than the write budget, the callback waits for its 'drain' — that is the
   * backpressure. (Not at the socket's own highWaterMark: at Node's default 16 KiB every message
   * of a busy tunnel would wait for a drain, a round of callbacks per message.)
   */
  private sendNow(data: Buffer | Buffer[], cb: (err?: Error | null) => void): void {
    let failed = false;
    const onSent = (err?: Error): void => {
      if (err && !failed) {
        failed = true;
        this.destroy(err);
      }
    };
    let accepted = true;
    const total = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.length;
    if (total <= POOLED_FRAME_MAX) accepted = this.ws.send(data, true, onSent);
    else
      for (const group of splitParts(Array.isArray(data) ? data : [data], POOLED_FRAME_MAX))
        accepted = this.ws.send(group, true, onSent);
    if (!this.ws.isOpen) cb(new Error('WebSocket is closed'));
    else if (accepted || this.ws.bufferedAmount < this.writeBudget) cb();
    else this.ws.onceDrain(() => cb());
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
