// `GET /api/v1/events`: the live event stream (SSE), optionally filtered with `?type=A,B`.
import { terminalSafeJson } from '../../../contract/terminal-text.js';
import { z } from 'zod';
import { API_EVENT_TYPES, ApiEventType, type ApiEvent } from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { createEventFeed, REPLAY_EVENTS } from '../event-feed.js';
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

/** The frame of an event: `id:` only for events of the feed (EventsDropped is this stream's own). */
const frameOf = (e: ApiEvent) => ({
  event: e.type,
  ...(e.id !== undefined ? { id: String(e.id) } : {}),
  data: terminalSafeJson(e),
});

const droppedEvent = (at: number, message: string, dropped?: number): ApiEvent => ({
  type: 'EventsDropped',
  timestamp: new Date(at).toISOString(),
  data: { message, ...(dropped !== undefined ? { dropped } : {}) },
});

export const eventRoutes = (ctx: RouteContext): RouteDef[] => {
  const feed = createEventFeed(ctx);
  return [
    route({
      method: 'get',
      path: '/api/v1/events',
      tag: 'events',
      summary: 'Live events (SSE): `event: <type>`, `id: <n>`, `data: <ApiEvent JSON>`',
      description:
        `Types: ${API_EVENT_TYPES.join(', ')}. Filter with ?type=A,B. Ids count events and are the same on every stream; ` +
        `a client reconnecting with the Last-Event-ID header is sent the events it missed (the last ${REPLAY_EVENTS} are kept). ` +
        'Keep-alive comments every 30 s. A slow client loses events rather than slowing kubefwd, and an EventsDropped event ' +
        'says so (as it does when what a reconnecting client missed is no longer kept): re-read the state then.',
      query: EventsQuery,
      produces: 'sse',
      handler: ({ c, query }) => {
        const wanted = query.type && query.type.length > 0 ? new Set(query.type) : undefined;
        const lastId = c.req.header('last-event-id');
        return sseResponse<ApiEvent>(c, {
          ...sseLimits(ctx),
          subscribe(push, end) {
            const deliver = (e: ApiEvent): void => {
              if (!wanted || wanted.has(e.type)) push(e);
              // kubefwd stopped: nothing more will come, the stream ends cleanly after this one.
              if (e.type === 'ShutdownComplete') end();
            };
            // Replay and subscription in one turn: no event can fall between them.
            if (lastId !== undefined) {
              const missed = /^\d{1,15}$/.test(lastId) ? feed.since(Number(lastId)) : undefined;
              if (missed) missed.forEach(deliver);
              else
                push(
                  droppedEvent(
                    ctx.now(),
                    `the events after Last-Event-ID ${lastId.slice(0, 32)} are no longer kept (or come from an earlier kubefwd): re-read the state`,
                  ),
                );
            }
            return feed.subscribe(deliver);
          },
          frame: frameOf,
          dropped: (n) => droppedEvent(ctx.now(), `${n} events were dropped: this client read too slowly`, n),
        });
      },
    }),
  ];
};
