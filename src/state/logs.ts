// The daemon's own log as a ring buffer (1000 lines by default), fed by a Logger sink the daemon
// attaches to its logger (the engine logs through its logger, never through events); read by `GET /api/v1/logs`, the log stream and
// the TUI. Filterable by minimum level and by text.
import type { LogEntry, LogLevelName } from '../contract/api.js';
import type { Clock, Logger } from '../engine/gateways.js';

export const LEVEL_RANK: Record<LogLevelName, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogQuery {
  /** Newest `count` matching lines (default all). */
  count?: number;
  /** Minimum level ("warn" → warn and error); "all" or undefined → everything. */
  level?: LogLevelName | 'all';
  /** Case-insensitive substring of the message (or a field value). */
  search?: string;
}

export interface LogBuffer {
  append(level: LogLevelName, message: string, fields?: Record<string, unknown>, at?: number): void;
  /** Oldest first. */
  list(query?: LogQuery): LogEntry[];
  /** Matching lines in the buffer (before `count`). */
  count(query?: LogQuery): number;
  clear(): void;
  /** A Logger whose lines land here (attach it to the daemon's logger). */
  sink(): Logger;
  subscribe(listener: (entry: LogEntry) => void): () => void;
  readonly capacity: number;
}

/** kubefwd/logrus level names → ours. */
export const normaliseLevel = (level: string | undefined): LogLevelName | 'all' | undefined => {
  switch ((level ?? '').toLowerCase()) {
    case '':
    case 'all':
      return level === undefined ? undefined : 'all';
    case 'trace':
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'fatal':
    case 'panic':
      return 'error';
    default:
      return undefined;
  }
};

export const matchesLog = (entry: LogEntry, query: LogQuery): boolean => {
  if (query.level && query.level !== 'all' && LEVEL_RANK[entry.level] < LEVEL_RANK[query.level]) return false;
  if (query.search) {
    const needle = query.search.toLowerCase();
    if (entry.message.toLowerCase().includes(needle)) return true;
    return entry.fields !== undefined && JSON.stringify(entry.fields).toLowerCase().includes(needle);
  }
  return true;
};

export const createLogBuffer = (clock: Clock, capacity = 1000): LogBuffer => {
  let items: LogEntry[] = [];
  const listeners = new Set<(entry: LogEntry) => void>();
  const append: LogBuffer['append'] = (level, message, fields, at) => {
    const entry: LogEntry = {
      timestamp: new Date(at ?? clock.now()).toISOString(),
      level,
      message,
      ...(fields && Object.keys(fields).length > 0 ? { fields: safeFields(fields) } : {}),
    };
    items.push(entry);
    // Trim in batches so appends stay O(1) amortised.
    if (items.length > capacity * 1.25) items = items.slice(items.length - capacity);
    for (const l of listeners) {
      try {
        l(entry);
      } catch {
        // A listener's failure must not lose log lines.
      }
    }
  };
  const window = (): LogEntry[] => (items.length > capacity ? items.slice(items.length - capacity) : items);
  return {
    append,
    list(query = {}) {
      const matched = window().filter((e) => matchesLog(e, query));
      return query.count !== undefined ? matched.slice(Math.max(0, matched.length - query.count)) : matched;
    },
    count(query = {}) {
      return window().filter((e) => matchesLog(e, query)).length;
    },
    clear() {
      items = [];
    },
    sink() {
      return {
        debug: (m, f) => append('debug', m, f),
        info: (m, f) => append('info', m, f),
        warn: (m, f) => append('warn', m, f),
        error: (m, f) => append('error', m, f),
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    capacity,
  };
};

/** Fields as JSON-safe values (errors → message), and never a key that looks like a secret in full. */
const safeFields = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (/key|token|secret|password/i.test(k) && typeof v === 'string')
      out[k] = v.length > 4 ? `${v.slice(0, 4)}…` : '…';
    else if (v instanceof Error) out[k] = v.message;
    else if (typeof v === 'bigint') out[k] = v.toString();
    else if (typeof v === 'function' || typeof v === 'symbol') continue;
    else out[k] = v;
  }
  return out;
};
