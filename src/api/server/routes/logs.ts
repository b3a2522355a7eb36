// The daemon's own log: recent lines (filter by level and text), a live stream, clear.
import { terminalSafeJson } from '../../../contract/terminal-text.js';
import {
  ClearLogsResponse,
  LOG_STREAM_EVENT,
  LogsQuery,
  LogsResponse,
  type LogEntry,
} from '../../../contract/api.js';
import { matchesLog, normaliseLevel, type LogQuery } from '../../../state/logs.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { sseLimits, sseResponse } from '../sse-stream.js';

const toQuery = (q: { count?: number; level?: string; search?: string }): LogQuery => {
  const level = normaliseLevel(q.level);
  return { ...(level ? { level } : {}), ...(q.search ? { search: q.search } : {}) };
};

export const logRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/logs',
    tag: 'logs',
    summary:
      'Recent daemon log lines, oldest first (count default 100; level = minimum level; search = text)',
    query: LogsQuery,
    response: LogsResponse,
    handler: ({ query }) => {
      const q = toQuery(query);
      return {
        logs: ctx.state.logs.list({ ...q, count: query.count ?? 100 }),
        totalCount: ctx.state.logs.count(q),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/logs/system',
    tag: 'logs',
    summary: 'Recent daemon log lines, newest first (kubefwd’s system log view)',
    query: LogsQuery,
    response: LogsResponse,
    handler: ({ query }) => {
      const q = toQuery(query);
      return {
        logs: ctx.state.logs.list({ ...q, count: query.count ?? 100 }).reverse(),
        totalCount: ctx.state.logs.count(q),
      };
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/logs/system',
    tag: 'logs',
    summary: 'Clear the daemon log buffer',
    response: ClearLogsResponse,
    handler: () => {
      ctx.state.logs.clear();
      return { cleared: true as const, message: 'System log buffer cleared' };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/logs/stream',
    tag: 'logs',
    summary:
      'Live daemon log lines (SSE, `event: log`, data = LogEntry); with count, the last count matching lines first',
    query: LogsQuery,
    produces: 'sse',
    handler: ({ c, query }) => {
      const q = toQuery(query);
      return sseResponse<LogEntry>(c, {
        ...sseLimits(ctx),
        subscribe: (push) => {
          // The backlog and the subscription are taken in one go (no await between them): a line
          // logged meanwhile is neither lost nor sent twice.
          if (query.count !== undefined)
            for (const entry of ctx.state.logs.list({ ...q, count: query.count })) push(entry);
          return ctx.state.logs.subscribe((entry) => {
            if (matchesLog(entry, q)) push(entry);
          });
        },
        frame: (entry) => ({ event: LOG_STREAM_EVENT, data: terminalSafeJson(entry) }),
      });
    },
  }),
];
