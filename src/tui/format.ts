// Pure formatting for the TUI: sizes, rates, ages and sparklines as kubefwd prints them
// (1024-based units, "0 B/s" below one byte a second, "▁▂▃▄▅▆▇█" sparklines).

export { formatBytes, formatRate } from '../domain/byte-format.js';
export { formatDuration } from '../domain/time-format.js';

/** An HTTP answer's time: "480µs" under a millisecond (a pod nearby answers that fast), else "159ms". */
export const formatLatency = (ms: number): string =>
  ms < 1 ? `${Math.round(Math.max(0, ms) * 1000)}µs` : `${Math.round(ms)}ms`;

/** `HH:MM:SS` in local time. */
export const formatClock = (at: number): string => {
  const d = new Date(at);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
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
