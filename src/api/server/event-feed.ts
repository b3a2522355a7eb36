// The one feed behind every `GET /api/v1/events` stream: each event gets its id once (so the same
// event has the same `id:` on every stream, and ids count events, not deliveries), and the last
// ones are kept so a client reconnecting with `Last-Event-ID` is sent what it missed. When what it
// missed is no longer kept (or the id is from an earlier kubefwd), it gets one EventsDropped event:
// re-read the state with the REST routes.
import type { ApiEvent } from '../../contract/api.js';
import { createRingBuffer } from '../../engine/traffic/ring-buffer.js';
import type { RouteContext } from './deps.js';
import { bandwidthEvent, isMoving, logEvent, toApiEvent } from './event-map.js';

export type Listener = (e: ApiEvent) => void;

export interface EventFeed {
  subscribe(listener: Listener): () => void;
  /**
   * The events after `lastId`, oldest first; undefined when some of them are no longer kept (or
   * `lastId` was never handed out by this feed).
   */
  since(lastId: number): ApiEvent[] | undefined;
}

/** Events kept for clients that reconnect (about a minute of a busy daemon). */
export const REPLAY_EVENTS = 1000;

export const createEventFeed = (
  ctx: Pick<RouteContext, 'state' | 'traffic' | 'now'>,
  keep = REPLAY_EVENTS,
): EventFeed => {
  const listeners = new Set<Listener>();
  const kept = createRingBuffer<ApiEvent>(keep);
  let lastId = 0;
  const publish = (e: Omit<ApiEvent, 'id'> | undefined): void => {
    if (!e) return;
    const event: ApiEvent = { ...e, id: ++lastId };
    kept.push(event);
    for (const l of listeners) l(event);
  };
  ctx.state.onEngineEvent((ev) => publish(toApiEvent(ev)));
  // Built only while someone listens: a look at every forward each second, for nobody, costs at scale.
  let moving = new Set<string>();
  ctx.traffic?.onSample(() => {
    if (listeners.size === 0) return;
    const forwards = ctx.traffic?.forwards() ?? [];
    publish(bandwidthEvent(ctx.now(), forwards, moving));
    moving = new Set(forwards.filter(isMoving).map((f) => f.key));
  });
  ctx.state.logs.subscribe((entry) => publish(logEvent(entry)));
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    since(id) {
      if (id > lastId) return undefined;
      const all = kept.last(keep);
      const oldest = all[0]?.id ?? lastId + 1;
      // Kept: every id from `oldest` on; the first one missed must be among them.
      if (id + 1 < oldest) return undefined;
      return all.filter((e) => (e.id ?? 0) > id);
    },
  };
};
