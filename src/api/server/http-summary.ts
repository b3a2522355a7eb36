// HTTP traffic views: log entries as the API shows them, and the activity summary (status classes,
// top paths) kubefwd computes.
import type { HttpActivitySummary, HttpLogEntry as ApiHttpLogEntry } from '../../contract/api.js';
import type { HttpLogEntry } from '../../engine/traffic/recorder.js';
import { formatDuration } from './duration.js';

export const httpLogView = (e: HttpLogEntry): ApiHttpLogEntry => ({
  timestamp: new Date(e.at).toISOString(),
  method: e.method,
  path: e.path,
  statusCode: e.statusCode,
  duration: formatDuration(e.durationMs),
  durationMs: e.durationMs,
  size: e.responseSize,
  requestSize: e.requestSize,
  forwardKey: e.forwardKey,
});

/** Status classes and the 10 most requested paths (query strings dropped), over all `logs`. */
export const httpSummary = (logs: readonly HttpLogEntry[]): HttpActivitySummary => {
  const statusCodes = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const paths = new Map<string, number>();
  let last = 0;
  for (const l of logs) {
    const cls = `${Math.floor(l.statusCode / 100)}xx`;
    if (cls in statusCodes) statusCodes[cls as keyof typeof statusCodes]++;
    const p = l.path.split('?')[0] ?? l.path;
    paths.set(p, (paths.get(p) ?? 0) + 1);
    last = Math.max(last, l.at);
  }
  const topPaths = [...paths.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([path, count]) => ({ path, count }));
  return {
    totalRequests: logs.length,
    ...(last ? { lastRequest: new Date(last).toISOString() } : {}),
    statusCodes,
    topPaths,
  };
};
