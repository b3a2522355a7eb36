// The byte queue under the incremental frame parsers (SPDY, WebSocket): bytes arrive in chunks of
// any size; a parser peeks at a header and takes whole frames once they are complete, copying only
// when a read spans chunks.
export class ByteQueue {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The first n queued bytes (n ≤ length), without consuming them. */
  peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (off === n) break;
    }
    return out;
  }

  /** Consumes and returns n bytes (n ≤ length). */
  take(n: number): Buffer {
    this.size -= n;
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0];
      if (c === undefined) break;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  /** Consumes and returns up to n bytes without copying: at most the rest of the first chunk. */
  takeUpTo(n: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined || n <= 0) return Buffer.alloc(0);
    if (first.length <= n) {
      this.chunks.shift();
      this.size -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(n);
    this.size -= n;
    return first.subarray(0, n);
  }
}
