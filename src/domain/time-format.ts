// Times left and ages as every view says them (TUI, dashboard, MCP text): one wording, so a
// forward's next retry reads the same wherever it is read.

/** `12s`, `3m 4s`, `2h 5m`, `1d 3h` (kubefwd's "Connected: … ago"). */
export const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
};

/** "retry in 4s" / "retrying…" for a Waiting/Error forward's next attempt. */
export const formatRetry = (nextRetryAt: string | undefined, now: number): string | undefined => {
  if (!nextRetryAt) return undefined;
  const at = Date.parse(nextRetryAt);
  if (Number.isNaN(at)) return undefined;
  const left = at - now;
  return left <= 0 ? 'retrying…' : `retry in ${formatDuration(left)}`;
};

/** " · retry in 4s" after a reason, or nothing when no retry is planned. */
export const retrySuffix = (nextRetryAt: string | undefined, now: number): string => {
  const retry = formatRetry(nextRetryAt, now);
  return retry ? ` · ${retry}` : '';
};
