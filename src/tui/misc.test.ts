import { describe, expect, it } from 'vitest';
import { computeLayout } from './layout.js';
import { connectStrings } from './connect-strings.js';
import { createRateHistory } from './rate-history.js';
import { syntheticForward } from './fixtures.js';
import { resolveTheme } from './theme.js';

describe('layout', () => {
  it('gives the table 75 % and the logs 25 % of what the chrome leaves', () => {
    expect(computeLayout(120, 40, false)).toMatchObject({ page: 24, logLines: 8, bodyHeight: 37 });
    const f = computeLayout(120, 40, true);
    expect(f.page + f.logLines + 8 + 1).toBe(40);
    // Tiny terminals still get a usable minimum.
    expect(computeLayout(10, 3, false)).toMatchObject({ width: 40, height: 12 });
  });
});

describe('connectStrings', () => {
  it("lists every hostname with the local port, in the engine's order, at most 9", () => {
    const f = syntheticForward(1, { hostnames: ['a', 'a.b', 'a-b', 'a.b.c', 'a'], localPort: '80' });
    expect(connectStrings(f)).toEqual(['a:80', 'a.b:80', 'a-b:80', 'a.b.c:80']);
    const many = syntheticForward(1, { hostnames: Array.from({ length: 12 }, (_, i) => `h${i}`) });
    expect(connectStrings(many)).toHaveLength(9);
    expect(
      connectStrings(syntheticForward(1, { hostnames: [], serviceName: 'svc', localPort: '1' })),
    ).toEqual(['svc:1']);
  });
});

describe('rate history', () => {
  it('samples at most once a second, keeps `capacity` samples, forgets gone forwards', () => {
    const h = createRateHistory(3, 1000);
    const f = syntheticForward(1, { rateIn: 10, rateOut: 1 });
    h.record([f], 0);
    h.record([{ ...f, rateIn: 99 }], 500); // too soon
    for (let i = 1; i <= 4; i++) h.record([{ ...f, rateIn: i }], i * 1000);
    expect(h.get(f.key)?.rateIn).toEqual([2, 3, 4]);
    expect(h.total(f.key)).toEqual([3, 4, 5]);
    h.record([], 10_000);
    expect(h.get(f.key)).toBeUndefined();
    expect(h.total(f.key)).toEqual([]);
  });
});

describe('theme', () => {
  it('is dark unless light is asked for', () => {
    expect(resolveTheme(undefined).name).toBe('dark');
    expect(resolveTheme('LIGHT').name).toBe('light');
    expect(resolveTheme('solarized').name).toBe('dark');
  });
});
