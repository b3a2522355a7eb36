// Is a long-running process leaking? A least-squares line through its samples says how fast a
// figure (RSS, open handles) grows per hour; one sample against another would read a GC cycle or
// a burst of connections as a trend. Pure, so the soak's verdict rests on tested arithmetic.

export interface Sample {
  /** When, in minutes since the start. */
  min: number;
  value: number;
}

export interface Trend {
  /** Growth per hour (least-squares slope), in the samples' unit; NaN below two distinct times. */
  perHour: number;
  /** Samples the line was fitted to. */
  samples: number;
}

/** The least-squares slope of `value` over time, per hour. */
export const slopePerHour = (samples: readonly Sample[]): Trend => {
  const n = samples.length;
  if (n < 2) return { perHour: NaN, samples: n };
  let sx = 0;
  let sy = 0;
  for (const s of samples) {
    sx += s.min;
    sy += s.value;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    sxy += (s.min - mx) * (s.value - my);
    sxx += (s.min - mx) ** 2;
  }
  if (sxx === 0) return { perHour: NaN, samples: n };
  return { perHour: (sxy / sxx) * 60, samples: n };
};

/**
 * The samples a trend is fitted to: those after the warm-up (caches filling, the JIT, the first
 * connections), which is 2 minutes or the first fifth of a shorter run.
 */
export const afterWarmup = <T extends { min: number }>(samples: readonly T[], runMinutes: number): T[] => {
  const warmup = Math.min(2, runMinutes / 5);
  return samples.filter((s) => s.min >= warmup);
};

/** Whether a trend is flat: growth per hour at most `limit` (a NaN slope is not flat). */
export const isFlat = (t: Trend, limitPerHour: number): boolean =>
  Number.isFinite(t.perHour) && t.perHour <= limitPerHour;
