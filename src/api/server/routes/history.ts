// History recorded from engine events: events, errors, reconnections (all and per service), stats.
import { z } from 'zod';
import {
  CountQuery,
  ErrorRecord,
  HistoryEvent,
  HistoryEventsQuery,
  HistoryStats,
  ReconnectRecord,
} from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { fail } from '../respond.js';
import { KeyParam, resolveKey } from './services.js';

export const historyRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/history/events',
    tag: 'history',
    summary: 'Recorded events, newest first (count default 100, max 1000; filter by type)',
    query: HistoryEventsQuery,
    response: z.array(HistoryEvent),
    handler: ({ query }) =>
      ctx.state.history.events({ count: query.count ?? 100, ...(query.type ? { type: query.type } : {}) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/history/errors',
    tag: 'history',
    summary: 'Recorded forward errors, newest first, with whether they were resolved',
    query: CountQuery(500),
    response: z.array(ErrorRecord),
    handler: ({ query }) => ctx.state.history.errors({ count: query.count ?? 50 }),
  }),
  route({
    method: 'get',
    path: '/api/v1/history/reconnections',
    tag: 'history',
    summary: 'Reconnection attempts, newest first',
    query: CountQuery(200),
    response: z.array(ReconnectRecord),
    handler: ({ query }) => ctx.state.history.reconnections({ count: query.count ?? 50 }),
  }),
  route({
    method: 'get',
    path: '/api/v1/history/stats',
    tag: 'history',
    summary: 'History totals and retention limits',
    response: HistoryStats,
    handler: () => ctx.state.history.stats(),
  }),
  route({
    method: 'get',
    path: '/api/v1/services/:key/history/reconnections',
    tag: 'history',
    summary: 'Reconnection attempts of one service, newest first (kept after the service is gone)',
    params: KeyParam,
    query: CountQuery(200),
    response: z.array(ReconnectRecord),
    errors: [404],
    handler: ({ params, query }) => {
      const serviceKey = resolveKey(ctx, params.key);
      const records = ctx.state.history.reconnections({ serviceKey, count: query.count ?? 20 });
      // A service gone since keeps its records; one kubefwd knows nothing of is a 404 (as GET
      // /services/{key}), not an empty list that reads as "never reconnected".
      if (
        records.length === 0 &&
        !ctx.state.service(serviceKey) &&
        ctx.state.history.events({ serviceKey, count: 1 }).length === 0
      )
        fail(
          'SERVICE_NOT_FOUND',
          `Service not found: ${params.key} (not forwarded, and nothing recorded about it)`,
          'path.key',
        );
      return records;
    },
  }),
];
