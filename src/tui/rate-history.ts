// Per-forward rate samples for the sparklines, collected by the TUI from the snapshots it renders
// (at most one sample a second), so both backends get trends without a history query.
import type { ForwardView } from '../contract/state.js';

export interface RateSeries {
  rateIn: number[];
  rateOut: number[];
}

export interface RateHistory {
  /** Records the forwards' current rates if a second has passed since the last sample; forgets gone forwards. */
  record: (forwards: readonly ForwardView[], now: number) => void;
  get: (forwardKey: string) => RateSeries | undefined;
  /** In + out per sample, oldest first. */
  total: (forwardKey: string) => number[];
}

export const createRateHistory = (capacity = 60, periodMs = 1000): RateHistory => {
  const series = new Map<string, RateSeries>();
  let last = -Infinity;
  return {
    record(forwards, now) {
      if (now - last < periodMs) return;
      last = now;
      const seen = new Set<string>();
      for (const f of forwards) {
        seen.add(f.key);
        let s = series.get(f.key);
        if (!s) series.set(f.key, (s = { rateIn: [], rateOut: [] }));
        s.rateIn.push(f.rateIn);
        s.rateOut.push(f.rateOut);
        if (s.rateIn.length > capacity) {
          s.rateIn.shift();
          s.rateOut.shift();
        }
      }
      for (const key of series.keys()) if (!seen.has(key)) series.delete(key);
    },
    get: (key) => series.get(key),
    total(key) {
      const s = series.get(key);
      return s ? s.rateIn.map((v, i) => v + (s.rateOut[i] ?? 0)) : [];
    },
  };
};
