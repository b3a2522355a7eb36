import { describe, expect, it } from 'vitest';
import type { ForwardView } from '../../contract/state.js';
import { judgeForwards, pollUntil } from './settle.js';

const fwd = (status: ForwardView['status']): ForwardView => ({ status }) as ForwardView;

describe('judgeForwards', () => {
  it('is active only when there are forwards and all are Active', () => {
    expect(judgeForwards([fwd('Active'), fwd('Active')])).toEqual({ state: 'active' });
    expect(judgeForwards([]).state).toBe('pending');
    expect(judgeForwards([fwd('Active'), fwd('Connecting')]).state).toBe('pending');
    expect(judgeForwards([fwd('Waiting')]).state).toBe('pending');
  });

  it('a failed forward decides, even while others still start', () => {
    const j = judgeForwards([fwd('Pending'), fwd('Error'), fwd('Active')]);
    expect(j.state).toBe('failed');
    expect(j.state === 'failed' && j.failed).toHaveLength(1);
  });
});

describe('pollUntil', () => {
  it('returns the first final value, passing the previous one', async () => {
    let n = 0;
    const seen: [number, number | undefined][] = [];
    const v = await pollUntil(
      async () => ++n,
      (x, prev) => {
        seen.push([x, prev]);
        return x === 3;
      },
      10_000,
    );
    expect(v).toBe(3);
    expect(seen).toEqual([
      [1, undefined],
      [2, 1],
      [3, 2],
    ]);
  });

  it('gives the last value when the budget is spent, and rethrows a read that keeps failing', async () => {
    expect(
      await pollUntil(
        async () => 'x',
        () => false,
        0,
      ),
    ).toBe('x');
    await expect(
      pollUntil(
        async () => {
          throw new Error('down');
        },
        () => true,
        200,
      ),
    ).rejects.toThrow('down');
  });
});
