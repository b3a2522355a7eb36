import { describe, expect, it } from 'vitest';
import { trafficTotals } from './traffic-totals.js';

describe('trafficTotals', () => {
  it('is zero for no forwards', () => {
    expect(trafficTotals([])).toEqual({ bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0 });
  });
  it('sums each figure on its own', () => {
    const f = (n: number) => ({ bytesIn: n, bytesOut: 10 * n, rateIn: 100 * n, rateOut: 1000 * n });
    expect(trafficTotals(new Set([f(1), f(2), f(3)]))).toEqual(f(6));
  });
});
