// History recorded from engine events: events, errors, reconnections (all and per service), stats.
import { z } from 'zod';
import {
  CountQuery,
  ErrorRecord,
  HistoryEvent,
  HistoryEventsQuery,
  HistoryQuery,
  HistoryStats,
  ReconnectRecord,
} from '../../../contract/api.js';
import { pickQuery } from '../../../contract/api-query.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { fail } from '../respond.js';
import { KeyParam, resolveKey } from './services.js';

/**
 * The full key of the service a history query names (a short form resolved as GET /services/{key}
 * does). A service gone since keeps its records; one kubefwd knows nothing of is a 404 naming it,
 * not an empty list that reads as "nothing happened to it" (nor every service's records).
 */
const historyServiceKey = (ctx: RouteContext, key: string, field: string): string => {
  const serviceKey = resolveKey(ctx, key, field);
  const h = ctx.state.history;
  if (
    !ctx.state.service(serviceKey) &&
    h.events({ serviceKey, count: 1 }).length === 0 &&
    h.errors({ serviceKey, count: 1 }).length === 0 &&
    h.reconnections({ serviceKey, count: 1 }).length === 0
  )
    fail(
      'SERVICE_NOT_FOUND',
      `Service not found: ${key} (not forwarded, and nothing recorded about it); GET /api/v1/services lists the forwarded ones`,
      field,
    );
  return serviceKey;
};

/** The `serviceKey` (or `service_key`) filter of a history query, resolved; undefined when absent. */
const serviceFilter = (
  ctx: RouteContext,
  query: { serviceKey?: string | undefined; service_key?: string | undefined },
): { serviceKey?: string } => {
  const key = pickQuery(query, 'serviceKey', 'service_key');
  if (key === undefined || key === '') return {};
  const field = query.serviceKey !== undefined ? 'query.serviceKey' : 'query.service_key';
  return { serviceKey: historyServiceKey(ctx, key, field) };
};

export const historyRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/history/events',
    tag: 'history',
    summary:
      'Recorded events, newest first (count default 100, max 1000; filter by type and serviceKey — an unknown service is a 404)',
    query: HistoryEventsQuery,
    response: z.array(HistoryEvent),
    errors: [404],
    handler: ({ query }) =>
      ctx.state.history.events({
        count: query.count ?? 100,
        ...(query.type ? { type: query.type } : {}),
        ...serviceFilter(ctx, query),
      }),
  }),
  route({
    method: 'get',
    path: '/api/v1/history/errors',
    tag: 'history',
    summary:
      'Recorded forward errors, newest first, with whether they were resolved (filter by serviceKey — an unknown service is a 404)',
    query: HistoryQuery(500),
    response: z.array(ErrorRecord),
    errors: [404],
    handler: ({ query }) =>
      ctx.state.history.errors({ count: query.count ?? 50, ...serviceFilter(ctx, query) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/history/reconnections',
    tag: 'history',
    summary: 'Reconnection attempts, newest first (filter by serviceKey — an unknown service is a 404)',
    query: HistoryQuery(200),
    response: z.array(ReconnectRecord),
    errors: [404],
    handler: ({ query }) =>
      ctx.state.history.reconnections({ count: query.count ?? 50, ...serviceFilter(ctx, query) }),
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
    handler: ({ params, query }) =>
      ctx.state.history.reconnections({
        serviceKey: historyServiceKey(ctx, params.key, 'path.key'),
        count: query.count ?? 20,
      }),
  }),
];
