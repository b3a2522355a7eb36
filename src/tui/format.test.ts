import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatBytes, formatPort, formatRate, sparkline } from './format.js';

describe('format', () => {
  it('formats bytes 1024-based like kubefwd', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TB');
    expect(formatBytes(Number.NaN)).toBe('0 B');
  });

  it('formats rates, 0 B/s below one byte a second', () => {
    expect(formatRate(0.4)).toBe('0 B/s');
    expect(formatRate(12)).toBe('12 B/s');
    expect(formatRate(2048)).toBe('2.0 KB/s');
  });

  it('draws sparklines relative to the window maximum', () => {
    expect(sparkline([], 5)).toBe('▁▁▁▁▁');
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
    expect(sparkline([0, 7, 14], 3)).toBe('▁▅█');
    expect(sparkline([100, 1, 2, 3], 3)).toBe('▃▆█');
    expect(sparkline([5], 4)).toBe('▁▁▁█');
  });

  it('sparklines are always exactly `width` bar characters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e12, noNaN: true })),
        fc.integer({ min: 0, max: 60 }),
        (v, w) => {
          const s = sparkline(v, w);
          expect(Array.from(s)).toHaveLength(w);
          expect(/^[▁▂▃▄▅▆▇█]*$/.test(s)).toBe(true);
        },
      ),
    );
  });

  it('shows local→pod ports, or one number when equal', () => {
    expect(formatPort('8080', '80')).toBe('8080→80');
    expect(formatPort('80', '80')).toBe('80');
  });
});
