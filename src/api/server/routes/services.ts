// Forwarded services: list, detail, add/remove one, reconnect (one, errored, or all with force), sync.
import { resolveServiceKey, SERVICE_KEY_DESCRIPTION } from '../../../contract/service-key.js';
import { z } from 'zod';
import {
  AddServiceRequest,
  AddServiceResponse,
  ForceQuery,
  ListQuery,
  ReconnectResponse,
  RemoveResponse,
  ServicesListResponse,
  ServiceViewSchema,
  SyncResponse,
  SERVICE_STATUSES,
} from '../../../contract/api.js';
import type { ServiceView } from '../../../contract/state.js';
import { filterServices, paginate } from '../../../state/selectors.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { fail } from '../respond.js';

export const KeyParam = z.object({
  key: z.string().min(1).max(512).meta({ description: SERVICE_KEY_DESCRIPTION }),
});

/** Control calls answer within this; past it the operation goes on and the response says it was triggered. */
export const TRIGGER_WAIT_MS = 10_000;

/**
 * Waits for an operation up to `ms`: its error (e.g. SERVICE_NOT_FOUND) is the response's, but a slow
 * cluster does not hold the request — kubefwd answered these routes at once and worked in the background.
 */
export const settleWithin = async <T>(
  ctx: RouteContext,
  what: string,
  p: Promise<T>,
  ms = TRIGGER_WAIT_MS,
): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
    p.catch((err: unknown) => ctx.logError(`${what} failed: ${String(err)}`));
  }
};

/**
 * The full key a full or short key names (400 listing the candidates when several services match;
 * the input itself when none does, so the caller's not-found error names what was asked).
 */
export const resolveKey = (ctx: RouteContext, key: string, field = 'path.key'): string => {
  if (ctx.state.service(key)) return key;
  const r = resolveServiceKey(
    key,
    ctx.state.getSnapshot().services.map((s) => s.key),
  );
  if (r.kind === 'ambiguous')
    fail(
      'INVALID_KEY',
      `service key "${key}" is ambiguous: it names ${r.candidates.join(', ')}; pass one of them`,
      field,
    );
  return r.kind === 'found' ? r.key : key;
};

export const requireService = (ctx: RouteContext, key: string): ServiceView =>
  ctx.state.service(resolveKey(ctx, key)) ??
  fail('SERVICE_NOT_FOUND', `Service not found: ${key}`, 'path.key');

const checkStatus = (status: string | undefined, allowed: readonly string[], what: string): void => {
  if (
    status !== undefined &&
    status !== '' &&
    status.toLowerCase() !== 'all' &&
    !allowed.includes(status.toLowerCase())
  )
    fail(
      'INVALID_INPUT',
      `query.status: "${status}" is not a ${what} status (${allowed.join(', ')}, all)`,
      'query.status',
    );
};

// Long as a table: one entry per service route.
export const serviceRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/services',
    tag: 'services',
    summary: 'List forwarded services with their forwards and a summary',
    query: ListQuery,
    response: ServicesListResponse,
    handler: ({ query }) => {
      checkStatus(query.status, SERVICE_STATUSES, 'service');
      const snap = ctx.state.getSnapshot();
      return {
        services: paginate(filterServices(snap.services, query), query),
        summary: snap.summary,
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/services',
    tag: 'services',
    summary: 'Forward one service',
    description:
      'Resolves once the service is registered (IP and hostnames known), not when its pod is ready.',
    body: AddServiceRequest,
    response: AddServiceResponse,
    status: 201,
    errors: [404, 409, 502],
    handler: async ({ body }) => {
      const rec = await ctx.controller.addService({
        namespace: body.namespace,
        serviceName: body.serviceName,
        ...(body.context ? { context: body.context } : {}),
      });
      return {
        key: rec.key,
        serviceName: rec.serviceName,
        namespace: rec.namespace,
        context: rec.context,
        localIP: rec.localIP,
        hostnames: rec.hostnames,
        ports: rec.ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          localPort: p.localPort,
          remotePort: p.port,
          targetPort: p.targetPort,
          protocol: p.protocol,
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/services/reconnect',
    tag: 'services',
    summary: 'Reconnect every service with an errored or waiting forward (all services with force=true)',
    query: ForceQuery,
    response: ReconnectResponse,
    handler: async ({ query }) => {
      const keys =
        (await settleWithin(
          ctx,
          'reconnect',
          ctx.controller.reconnectErrored({ force: query.force ?? false }),
        )) ?? [];
      return { triggered: keys.length, services: keys };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/services/:key',
    tag: 'services',
    summary: 'One forwarded service with its forwards',
    params: KeyParam,
    response: ServiceViewSchema,
    errors: [404],
    handler: ({ params }) => requireService(ctx, params.key),
  }),
  route({
    method: 'delete',
    path: '/api/v1/services/:key',
    tag: 'services',
    summary: 'Stop forwarding a service (removes its hosts entries, releases its IP)',
    params: KeyParam,
    response: RemoveResponse,
    errors: [404],
    handler: async ({ params }) => {
      const key = resolveKey(ctx, params.key);
      await ctx.controller.removeService(key);
      return { removed: true as const, key, message: 'Service forwarding stopped' };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/services/:key/reconnect',
    tag: 'services',
    summary: 'Tear down and re-establish a service’s forwards now (resets its backoff)',
    params: KeyParam,
    response: ReconnectResponse,
    errors: [404],
    handler: async ({ params }) => {
      const { key } = requireService(ctx, params.key);
      await settleWithin(ctx, `reconnect of ${key}`, ctx.controller.reconnectService(key));
      return { triggered: 1, services: [key] };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/services/:key/sync',
    tag: 'services',
    summary: 'Re-read a service’s pods and move its forward if needed (force=true skips the debounce)',
    params: KeyParam,
    query: ForceQuery,
    response: SyncResponse,
    errors: [404],
    handler: async ({ params, query }) => {
      const { key } = requireService(ctx, params.key);
      const force = query.force ?? false;
      await settleWithin(ctx, `sync of ${key}`, ctx.controller.syncService(key, force));
      return { service: key, force };
    },
  }),
];
