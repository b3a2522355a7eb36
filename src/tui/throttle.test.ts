import { describe, expect, it } from 'vitest';
import { EMPTY_SUMMARY, type TuiState } from './backend.js';
import { createThrottledSource, type TimerClock } from './throttle.js';

const fakeClock = () => {
  let now = 1000;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const clock: TimerClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
  };
  const advance = (ms: number): void => {
    now += ms;
    for (const t of timers.filter((x) => !x.cancelled && x.at <= now)) {
      t.cancelled = true;
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.filter((t) => !t.cancelled).length };
};

const backend = () => {
  let n = 0;
  const listeners = new Set<() => void>();
  const state = (): TuiState => ({
    forwards: [],
    namespaces: [],
    summary: { ...EMPTY_SUMMARY, totalForwards: n },
    currentContext: 'sim',
    logs: [],
    connected: true,
  });
  let current = state();
  return {
    getState: () => current,
    subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
    change() {
      n++;
      current = state();
      for (const l of listeners) l();
    },
    listeners,
  };
};

describe('createThrottledSource', () => {
  it('shows the first change at once and folds a burst into one trailing update per interval', () => {
    const { clock, advance } = fakeClock();
    const b = backend();
    const src = createThrottledSource(b, { intervalMs: 100, clock });
    let renders = 0;
    src.subscribe(() => renders++);
    b.change();
    expect(renders).toBe(1);
    expect(src.getSnapshot().summary.totalForwards).toBe(1);
    for (let i = 0; i < 50; i++) b.change();
    expect(renders).toBe(1);
    advance(99);
    expect(renders).toBe(1);
    advance(1);
    expect(renders).toBe(2);
    expect(src.getSnapshot().summary.totalForwards).toBe(51);
    // 10 s of changes every 5 ms: at most ~10 renders a second.
    for (let t = 0; t < 10_000; t += 5) {
      b.change();
      advance(5);
    }
    expect(renders).toBeLessThanOrEqual(2 + 101);
    expect(renders).toBeGreaterThan(90);
  });

  it('keeps the same snapshot object between updates and stops on close', () => {
    const { clock, advance, pending } = fakeClock();
    const b = backend();
    const src = createThrottledSource(b, { intervalMs: 100, clock });
    const s1 = src.getSnapshot();
    expect(src.getSnapshot()).toBe(s1);
    b.change();
    b.change();
    expect(pending()).toBe(1);
    src.close();
    expect(pending()).toBe(0);
    expect(b.listeners.size).toBe(0);
    advance(1000);
  });
});
