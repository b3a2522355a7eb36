// Exponential backoff with jitter, as a pure function of the attempt number.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: the delay is spread over [d·(1−jitter), d]. */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0 = first retry). `random` in [0,1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const exp = policy.initialMs * Math.pow(policy.factor, Math.max(0, Math.min(attempt, 60)));
  const capped = Math.min(policy.maxMs, exp);
  const spread = capped * policy.jitter * Math.min(Math.max(random, 0), 1);
  return Math.max(1, Math.round(capped - spread));
}
