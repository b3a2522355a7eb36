import { describe, expect, it } from 'vitest';
import { BufferPool, splitParts } from './buffer-pool.js';

const bytes = (n: number, start = 0): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (start + i) & 0xff));
const sizes = (groups: Buffer[][]): number[][] => groups.map((g) => g.map((b) => b.length));

describe('splitParts', () => {
  it('keeps buffers that fit together, in order, without copying', () => {
    const a = bytes(3);
    const b = bytes(4);
    const groups = splitParts([a, b], 10);
    expect(sizes(groups)).toEqual([[3, 4]]);
    expect(groups[0]![0]!.buffer).toBe(a.buffer);
  });

  it('cuts at the limit, also inside a buffer, and keeps every byte in order', () => {
    const parts = [bytes(3), bytes(25, 3), bytes(2, 28)];
    const groups = splitParts(parts, 10);
    expect(sizes(groups)).toEqual([[3, 7], [10], [8, 2]]);
    expect(Buffer.concat(groups.flat())).toEqual(bytes(30));
    for (const g of groups) expect(g.reduce((n, p) => n + p.length, 0)).toBeLessThanOrEqual(10);
  });

  it('an exact fit starts no empty group; no input gives one empty group', () => {
    expect(sizes(splitParts([bytes(10), bytes(10)], 10))).toEqual([[10], [10]]);
    expect(sizes(splitParts([bytes(20)], 10))).toEqual([[10], [10]]);
    expect(splitParts([], 10)).toEqual([[]]);
  });
});

describe('BufferPool', () => {
  it('hands back a returned buffer, keeps at most `keep`, and ignores foreign sizes', () => {
    const pool = new BufferPool(64, 1);
    const a = pool.take();
    const b = pool.take();
    expect(a.length).toBe(64);
    pool.give(a);
    pool.give(b); // over `keep`: dropped
    pool.give(Buffer.alloc(10)); // not one of ours
    expect(pool.take()).toBe(a);
    expect(pool.take()).not.toBe(b);
    pool.clear();
  });
});
