// Reconnect backoff: 1 s, doubling, capped at 5 min; reset when a forward becomes ready.
import { waitAsAsked } from '../domain/retry-after.js';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** 0..1: each delay is reduced by up to this fraction at random (spreads reconnect storms). */
  jitter?: number;
  random?: () => number;
}

export interface Backoff {
  /**
   * The delay before the next attempt; advances the sequence. `atLeastMs`: what the server asked to
   * wait (Retry-After), honoured up to the longest delay.
   */
  next(atLeastMs?: number): number;
  /** Attempts since the last reset. */
  readonly attempt: number;
  reset(): void;
}

export const createBackoff = (options: BackoffOptions = {}): Backoff => {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const jitter = Math.min(Math.max(options.jitter ?? 0, 0), 1);
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    next(atLeastMs) {
      const raw = Math.min(max, initial * 2 ** Math.min(attempt, 40));
      attempt++;
      const delay = jitter === 0 ? raw : Math.round(raw * (1 - jitter * random()));
      return waitAsAsked(delay, atLeastMs, max);
    },
    get attempt() {
      return attempt;
    },
    reset() {
      attempt = 0;
    },
  };
};
