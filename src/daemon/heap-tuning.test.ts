import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  defaultHeapTuningDeps,
  growingPercentFor,
  MAX_GROWING_PERCENT,
  MIN_GROWING_PERCENT,
  MIN_HEADROOM_BYTES,
  tuneHeapForForwarding,
} from './heap-tuning.js';

const MB = 1024 * 1024;
/** The old generation's limit V8 computes from a live heap and a growing percent. */
const limit = (live: number, percent: number): number => live * (1 + percent / 100);

describe('growingPercentFor', () => {
  it('leaves at least MIN_HEADROOM_BYTES above a small live heap', () => {
    for (const live of [6, 10, 18, 22, 24]) {
      const p = growingPercentFor(live * MB);
      expect(limit(live * MB, p) - live * MB).toBeGreaterThanOrEqual(MIN_HEADROOM_BYTES);
      // ...and not much more (one step of 25%).
      expect(limit(live * MB, p - 25) - live * MB).toBeLessThan(MIN_HEADROOM_BYTES);
    }
    expect(growingPercentFor(22 * MB)).toBe(225); // the soak's daemon: ~72 MB, not 110 at factor 5
  });

  it('leaves twice the live heap above a big one', () => {
    expect(growingPercentFor(24 * MB)).toBe(MIN_GROWING_PERCENT);
    expect(growingPercentFor(100 * MB)).toBe(MIN_GROWING_PERCENT);
    expect(growingPercentFor(2000 * MB)).toBe(MIN_GROWING_PERCENT);
  });

  it('caps tiny or unknown heaps', () => {
    expect(growingPercentFor(1 * MB)).toBe(MAX_GROWING_PERCENT);
    expect(growingPercentFor(0)).toBe(MAX_GROWING_PERCENT);
    expect(growingPercentFor(Number.NaN)).toBe(MAX_GROWING_PERCENT);
  });

  it('moves in steps of 25', () => {
    for (let live = 2 * MB; live < 40 * MB; live += 0.37 * MB) expect(growingPercentFor(live) % 25).toBe(0);
  });
});

describe('tuneHeapForForwarding', () => {
  it('sets the flag at once and again after full collections, only when it changes', () => {
    const flags: string[] = [];
    let used = 10 * MB;
    let collected: (() => void) | undefined;
    let stopped = false;
    const tuning = tuneHeapForForwarding({
      setV8Flags: (f) => flags.push(f),
      usedHeapBytes: () => used,
      afterFullCollection: (fn) => {
        collected = fn;
        return () => (stopped = true);
      },
    });
    expect(flags).toEqual(['--heap-growing-percent=500']);
    // The heap at start is not a live heap: it is known after the first full collection.
    expect([tuning.liveBytes, tuning.fullCollections]).toEqual([undefined, 0]);
    collected?.(); // same live heap: nothing to change
    expect(flags).toHaveLength(1);
    expect([tuning.liveBytes, tuning.fullCollections]).toEqual([10 * MB, 1]);
    used = 22 * MB;
    collected?.();
    expect(flags.at(-1)).toBe('--heap-growing-percent=225');
    expect(tuning.percent).toBe(225);
    used = 300 * MB;
    collected?.();
    expect(flags.at(-1)).toBe(`--heap-growing-percent=${MIN_GROWING_PERCENT}`);
    expect([tuning.liveBytes, tuning.fullCollections]).toEqual([300 * MB, 3]);
    tuning.stop();
    expect(stopped).toBe(true);
  });

  it('follows real full collections of this process (V8 gc entries)', async () => {
    // A real mark-compact: expose V8's gc() to a new context (it is not exposed to tests).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const flags: string[] = [];
    let reads = 0;
    const tuning = tuneHeapForForwarding({
      setV8Flags: (f) => flags.push(f),
      usedHeapBytes: () => {
        reads++;
        return defaultHeapTuningDeps().usedHeapBytes();
      },
    });
    expect(reads).toBe(1); // at once
    reads = 0;
    try {
      gc();
      // gc entries are delivered asynchronously, after the collection.
      for (let i = 0; i < 50 && reads === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(reads).toBeGreaterThan(0);
      expect(flags[0]).toMatch(/^--heap-growing-percent=\d+$/);
    } finally {
      tuning.stop();
    }
  });
});
