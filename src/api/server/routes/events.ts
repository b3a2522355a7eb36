// `GET /api/v1/events`: the live event stream (SSE), optionally filtered with `?type=A,B`.
import { terminalSafeJson } from '../../../contract/terminal-text.js';
import { z } from 'zod';
import { API_EVENT_TYPES, ApiEventType, type ApiEvent } from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { bandwidthEvent, logEvent, toApiEvent } from '../event-map.js';
import { sseLimits, sseResponse } from '../sse-stream.js';

export const EventsQuery = z.object({
  type: z
    .string()
    .max(2048)
    .transform((v, tx) => {
      const types = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const t of types) {
        if (!ApiEventType.safeParse(t).success) {
          tx.addIssue({
            code: 'custom',
            message: `unknown event type "${t.slice(0, 64)}" (known: ${API_EVENT_TYPES.join(', ')})`,
          });
          return z.NEVER;
        }
      }
      return types as ApiEventType[];
    })
    .optional(),
});

export const eventRoutes = (ctx: RouteContext): RouteDef[] => {
  let nextId = 1;
  return [
    route({
      method: 'get',
      path: '/api/v1/events',
      tag: 'events',
      summary: 'Live events (SSE): `event: <type>`, `id: <n>`, `data: <ApiEvent JSON>`',
      description: `Types: ${API_EVENT_TYPES.join(', ')}. Filter with ?type=A,B. Keep-alive comments every 30 s; a slow client loses events (a comment says how many) rather than slowing kubefwd.`,
      query: EventsQuery,
      produces: 'sse',
      handler: ({ c, query }) => {
        const wanted = query.type && query.type.length > 0 ? new Set(query.type) : undefined;
        return sseResponse<ApiEvent>(c, {
          ...sseLimits(ctx),
          subscribe(push) {
            const offEngine = ctx.state.onEngineEvent((ev) => {
              const e = toApiEvent(ev);
              if (e && (!wanted || wanted.has(e.type))) push({ ...e, id: nextId++ });
            });
            const offTraffic =
              !wanted || wanted.has('BandwidthUpdate')
                ? ctx.traffic?.onSample(() => {
                    const e = bandwidthEvent(ctx.now(), ctx.traffic?.forwards() ?? []);
                    if (e) push({ ...e, id: nextId++ });
                  })
                : undefined;
            const offLogs =
              !wanted || wanted.has('LogMessage')
                ? ctx.state.logs.subscribe((entry) => push({ ...logEvent(entry), id: nextId++ }))
                : undefined;
            return () => {
              offEngine();
              offTraffic?.();
              offLogs?.();
            };
          },
          frame: (e) => ({ event: e.type, id: String(e.id), data: terminalSafeJson(e) }),
        });
      },
    }),
  ];
};
