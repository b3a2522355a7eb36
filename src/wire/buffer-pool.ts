// Reused output buffers for what we write to the API connection (masked WebSocket frames, coalesced
// SPDY frames). A fresh buffer of 64 KiB or more per write is memory the kernel must map and fault
// in, and the allocator unmap again: measured here at 2.7 CPU s per GiB for 128 KiB buffers against
// 0.04 s to write into a warm one (and a TLS socket given several buffers at once copies them into
// a fresh one itself). A buffer goes back to the pool once the socket's write callback says it has
// taken the bytes, so a busy connection cycles through a few warm buffers. Idle buffers are dropped
// after a second without use: thousands of idle connections hold none.
export class BufferPool {
  private readonly free: Buffer[] = [];
  private used = false;
  private sweeper: NodeJS.Timeout | undefined;
  constructor(
    /** Capacity of each buffer. */
    readonly size: number,
    /** Idle buffers kept. */
    private readonly keep: number,
  ) {}

  take(): Buffer {
    this.used = true;
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(b: Buffer): void {
    if (this.free.length < this.keep && b.length === this.size) this.free.push(b);
    this.sweeper ??= setTimeout(this.sweep, 1_000).unref();
  }

  clear(): void {
    clearTimeout(this.sweeper);
    this.sweeper = undefined;
    this.free.length = 0;
  }

  private readonly sweep = (): void => {
    this.sweeper = undefined;
    if (!this.used) this.free.length = 0;
    else if (this.free.length > 0) this.sweeper = setTimeout(this.sweep, 1_000).unref();
    this.used = false;
  };
}

/**
 * Splits a list of buffers into consecutive groups of at most `max` bytes each (a buffer larger
 * than that is cut), without copying: for writes that must fit a pooled buffer.
 */
export function splitParts(parts: readonly Buffer[], max: number): Buffer[][] {
  const groups: Buffer[][] = [];
  let group: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    let p = part;
    while (p.length > 0) {
      const room = max - size;
      if (p.length <= room) {
        group.push(p);
        size += p.length;
        break;
      }
      if (room > 0) group.push(p.subarray(0, room));
      groups.push(group);
      p = p.subarray(room);
      group = [];
      size = 0;
    }
  }
  if (group.length > 0 || groups.length === 0) groups.push(group);
  return groups;
}
