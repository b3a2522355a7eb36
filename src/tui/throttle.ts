// Coalesces a backend's change notifications so the TUI renders at most once per interval
// (~10 per second by default) however fast the engine and the traffic recorder emit: the first
// change after a quiet period shows at once, later ones are folded into one trailing update.
import type { TuiBackend, TuiState } from './backend.js';

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const realTimers: TimerClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

export interface ThrottledSource {
  getSnapshot: () => TuiState;
  subscribe: (listener: () => void) => () => void;
  /** Stops listening to the backend and cancels a pending update. */
  close: () => void;
}

export const DEFAULT_RENDER_INTERVAL_MS = 100;

export const createThrottledSource = (
  backend: Pick<TuiBackend, 'getState' | 'subscribe'>,
  options: { intervalMs?: number; clock?: TimerClock } = {},
): ThrottledSource => {
  const interval = options.intervalMs ?? DEFAULT_RENDER_INTERVAL_MS;
  const clock = options.clock ?? realTimers;
  const listeners = new Set<() => void>();
  let snapshot = backend.getState();
  let lastEmit = -Infinity;
  let pending: { cancel(): void } | undefined;
  let closed = false;

  const emit = (): void => {
    pending = undefined;
    if (closed) return;
    lastEmit = clock.now();
    snapshot = backend.getState();
    for (const l of [...listeners]) l();
  };

  const onChange = (): void => {
    if (closed || pending) return;
    const wait = lastEmit + interval - clock.now();
    if (wait <= 0) emit();
    else pending = clock.setTimeout(emit, wait);
  };

  const unsubscribe = backend.subscribe(onChange);
  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      pending?.cancel();
      pending = undefined;
      unsubscribe();
      listeners.clear();
    },
  };
};
