// Pure formatting for the TUI: sizes, rates, ages and sparklines as kubefwd prints them
// (1024-based units, "0 B/s" below one byte a second, "▁▂▃▄▅▆▇█" sparklines).

export { formatBytes, formatRate } from '../domain/byte-format.js';

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

/** An HTTP answer's time: "480µs" under a millisecond (a pod nearby answers that fast), else "159ms". */
export const formatLatency = (ms: number): string =>
  ms < 1 ? `${Math.round(Math.max(0, ms) * 1000)}µs` : `${Math.round(ms)}ms`;

/** `HH:MM:SS` in local time. */
export const formatClock = (at: number): string => {
  const d = new Date(at);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

/** "retry in 4s" / "retrying…" for a Waiting/Error forward's next attempt. */
export const formatRetry = (nextRetryAt: string | undefined, now: number): string | undefined => {
  if (!nextRetryAt) return undefined;
  const at = Date.parse(nextRetryAt);
  if (Number.isNaN(at)) return undefined;
  const left = at - now;
  return left <= 0 ? 'retrying…' : `retry in ${formatDuration(left)}`;
};

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of `width` cells from `values` (oldest first). The last `width` values are shown,
 * left-padded with the lowest bar; heights are relative to the window's maximum (all `▁` when 0).
 */
export const sparkline = (values: readonly number[], width: number): string => {
  if (width <= 0) return '';
  const win = values.slice(-width);
  const max = win.reduce((m, v) => (v > m ? v : m), 0);
  const pad = BARS[0]!.repeat(width - win.length);
  if (max <= 0) return pad + BARS[0]!.repeat(win.length);
  return (
    pad +
    win
      .map((v) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((v / max) * (BARS.length - 1))))]!)
      .join('')
  );
};

/** `8080→80`, or `8080` when local and pod ports are equal. */
export const formatPort = (localPort: string, podPort: string): string =>
  localPort === podPort ? localPort : `${localPort}→${podPort}`;
