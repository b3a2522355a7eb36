import { describe, expect, it, vi } from 'vitest';
import { followAgain } from './follow-again.js';

describe('followAgain', () => {
  it('starts again after each end, saying why, and a failure is a reason too', async () => {
    const reasons: string[] = [];
    let n = 0;
    const close = followAgain(
      () => (++n === 2 ? Promise.reject(new Error('refused')) : Promise.resolve(`ended ${n}`)),
      (r) => reasons.push(r),
      1,
    );
    await vi.waitFor(() => expect(reasons.length).toBeGreaterThanOrEqual(3));
    close();
    expect(reasons.slice(0, 3)).toEqual(['ended 1', 'Error: refused', 'ended 3']);
  });

  it('close aborts the attempt in flight and reports nothing after', async () => {
    const reasons: string[] = [];
    let signal: AbortSignal | undefined;
    const close = followAgain(
      (s) =>
        new Promise<string>((resolve) => {
          signal = s;
          s.addEventListener('abort', () => resolve('aborted'));
        }),
      (r) => reasons.push(r),
      1,
    );
    await vi.waitFor(() => expect(signal).toBeDefined());
    close();
    expect(signal?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(reasons).toEqual([]);
  });
});
