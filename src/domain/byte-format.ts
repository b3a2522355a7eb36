// Sizes and rates as kubefwd prints them (1024-based units, "0 B/s" below one byte a second): one
// rule for the TUI, the dashboard and the MCP tools' summaries. Browser-safe: no imports.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** `512 B`, `1.5 KB`, `3.0 MB` … (1024-based, one decimal above bytes). */
export const formatBytes = (n: number): string => {
  if (!Number.isFinite(n) || n < 1024) return `${Math.max(0, Math.floor(Number.isFinite(n) ? n : 0))} B`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${UNITS[i]}`;
};

/** `0 B/s` below 1, then like formatBytes with `/s`. */
export const formatRate = (bytesPerSecond: number): string =>
  bytesPerSecond < 1 || !Number.isFinite(bytesPerSecond) ? '0 B/s' : `${formatBytes(bytesPerSecond)}/s`;
