// Durations as Go prints them (kubefwd's API serialises time.Duration with String()):
// "0s", "850µs", "12.5ms", "1.5s", "2m3s", "2h15m30s".

const trim = (n: number): string => String(Number(n.toFixed(3)));

export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  if (ms < 1) return `${trim(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  if (h > 0) return `${h}h${m}m${trim(s)}s`;
  if (m > 0) return `${m}m${trim(s)}s`;
  return `${trim(s)}s`;
};

/** Rounded to whole seconds, as kubefwd's health/uptime fields. */
export const formatUptime = (ms: number): string => formatDuration(Math.round(ms / 1000) * 1000);
