// Forwards (service × pod × port) and the HTTP traffic seen on them and on services.
import {
  CountQuery,
  FORWARD_STATUSES,
  ForwardsListResponse,
  ForwardViewSchema,
  HttpTrafficResponse,
  ListQuery,
  ServiceHttpTrafficResponse,
} from '../../../contract/api.js';
import type { ForwardView } from '../../../contract/state.js';
import { filterForwards, paginate } from '../../../state/selectors.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { httpLogView, httpSummary } from '../http-summary.js';
import { fail } from '../respond.js';
import { KeyParam, requireService } from './services.js';

const forwardStatuses = FORWARD_STATUSES.map((s) => s.toLowerCase());

export const requireForward = (ctx: RouteContext, key: string): ForwardView =>
  ctx.state.forward(key) ?? fail('FORWARD_NOT_FOUND', `Forward not found: ${key}`, 'path.key');

const trafficOf = (ctx: RouteContext, f: ForwardView, count: number) => {
  const all = ctx.traffic?.httpLog(f.key) ?? [];
  return {
    forwardKey: f.key,
    podName: f.podName,
    localIP: f.localIP,
    localPort: f.localPort,
    summary: httpSummary(all),
    logs: all.slice(Math.max(0, all.length - count)).map(httpLogView),
  };
};

export const forwardRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/forwards',
    tag: 'forwards',
    summary: 'List forwards (one per service, pod and port), errored and waiting ones included',
    query: ListQuery,
    response: ForwardsListResponse,
    handler: ({ query }) => {
      if (
        query.status &&
        query.status.toLowerCase() !== 'all' &&
        !forwardStatuses.includes(query.status.toLowerCase())
      )
        fail(
          'INVALID_INPUT',
          `query.status: "${query.status}" is not a forward status (${FORWARD_STATUSES.join(', ')}, all)`,
          'query.status',
        );
      const snap = ctx.state.getSnapshot();
      return { forwards: paginate(filterForwards(snap.forwards, query), query), summary: snap.summary };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/forwards/:key',
    tag: 'forwards',
    summary: 'One forward',
    params: KeyParam,
    response: ForwardViewSchema,
    errors: [404],
    handler: ({ params }) => requireForward(ctx, params.key),
  }),
  route({
    method: 'get',
    path: '/api/v1/forwards/:key/http',
    tag: 'http',
    summary: 'HTTP/1.x requests seen on a forward (newest last)',
    params: KeyParam,
    query: CountQuery(500),
    response: HttpTrafficResponse,
    errors: [404],
    handler: ({ params, query }) => trafficOf(ctx, requireForward(ctx, params.key), query.count ?? 50),
  }),
  route({
    method: 'get',
    path: '/api/v1/services/:key/http',
    tag: 'http',
    summary: 'HTTP/1.x requests seen on all forwards of a service',
    params: KeyParam,
    query: CountQuery(500),
    response: ServiceHttpTrafficResponse,
    errors: [404],
    handler: ({ params, query }) => {
      const svc = requireService(ctx, params.key);
      const forwards = (svc.forwards ?? []).map((f) => trafficOf(ctx, f, query.count ?? 50));
      const all = (svc.forwards ?? []).flatMap((f) => ctx.traffic?.httpLog(f.key) ?? []);
      return { serviceKey: svc.key, summary: httpSummary(all), forwards };
    },
  }),
];
