import { describe, expect, it } from 'vitest';
import { afterWarmup, isFlat, slopePerHour } from '../../bench/lib/slope.js';

describe('slopePerHour', () => {
  it('is the growth per hour of a straight line', () => {
    // 1 MiB a minute is 60 MiB an hour.
    const s = [0, 1, 2, 3, 4].map((min) => ({ min, value: 100 + min }));
    expect(slopePerHour(s)).toEqual({ perHour: 60, samples: 5 });
  });

  it('is zero for a flat series and negative for a shrinking one', () => {
    expect(slopePerHour([0, 10, 20].map((min) => ({ min, value: 7 }))).perHour).toBe(0);
    expect(slopePerHour([0, 30].map((min) => ({ min, value: 100 - min }))).perHour).toBeCloseTo(-60);
  });

  it('fits a line through noise instead of comparing the ends', () => {
    // A sawtooth (GC cycles) around a flat level: the last sample is high, the trend is not.
    const s = Array.from({ length: 60 }, (_, i) => ({ min: i / 2, value: 100 + (i % 6) * 5 }));
    const t = slopePerHour(s);
    expect(Math.abs(t.perHour)).toBeLessThan(10); // vs 50 per hour from the ends
    expect(s[s.length - 1]!.value - s[0]!.value).toBe(25);
  });

  it('has no slope below two distinct times', () => {
    expect(slopePerHour([]).perHour).toBeNaN();
    expect(slopePerHour([{ min: 1, value: 5 }]).perHour).toBeNaN();
    expect(slopePerHour([1, 1].map((min) => ({ min, value: min }))).perHour).toBeNaN();
  });
});

describe('afterWarmup and isFlat', () => {
  it('drops the first 2 minutes, or the first fifth of a short run', () => {
    const s = [0, 0.5, 1, 2, 3].map((min) => ({ min }));
    expect(afterWarmup(s, 30).map((x) => x.min)).toEqual([2, 3]);
    expect(afterWarmup(s, 3).map((x) => x.min)).toEqual([1, 2, 3]);
  });

  it('calls a trend flat up to the limit, and never a NaN one', () => {
    expect(isFlat({ perHour: 10, samples: 9 }, 10)).toBe(true);
    expect(isFlat({ perHour: 10.5, samples: 9 }, 10)).toBe(false);
    expect(isFlat({ perHour: -3, samples: 9 }, 10)).toBe(true);
    expect(isFlat({ perHour: NaN, samples: 1 }, 10)).toBe(false);
  });
});
