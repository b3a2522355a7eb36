import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';

describe('backoff', () => {
  it('doubles from 1 s to a 5 min cap and resets', () => {
    const b = createBackoff();
    const seq = Array.from({ length: 11 }, () => b.next());
    expect(seq).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
    expect(b.attempt).toBe(11);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('waits at least as long as the server asked (Retry-After), up to the cap', () => {
    const b = createBackoff();
    expect(b.next(7_000)).toBe(7_000);
    expect(b.next(500)).toBe(2_000);
    expect(b.next(3_600_000)).toBe(300_000);
  });

  it('applies jitter downwards only', () => {
    const b = createBackoff({ jitter: 0.5, random: () => 1 });
    expect(b.next()).toBe(500);
  });
});
