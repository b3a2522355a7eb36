// Keeps the live copy connected: loads the forwards, then follows /api/v1/events. When the stream
// ends, fails or announces dropped events, it reloads the list and reconnects (after a pause that
// grows to 5 s), so a restarted daemon or a slow tab heals by itself.
import type { ApiEvent } from '../contract/api-events.js';
import type { ForwardsListResponse } from '../contract/api.js';
import { ApiFailure, call } from './api.js';
import { applyEvent, expireFailures, loadForwards, type Live } from './live.js';
import { createSseParser } from './sse.js';

export type LinkState = 'connecting' | 'live' | 'offline' | 'unauthorized';

export interface ConnectionCallbacks {
  /** The forwards changed (coalesce renders: this can fire hundreds of times a second). */
  changed(): void;
  /** A namespace came or went: lists outside the forwards are stale. */
  namespacesChanged(): void;
  link(state: LinkState, detail?: string): void;
}

const PAGE = 1000;

export const fetchAllForwards = async (): Promise<ForwardsListResponse['forwards']> => {
  const all: ForwardsListResponse['forwards'] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call<ForwardsListResponse>('GET', `/api/v1/forwards?limit=${PAGE}&offset=${offset}`);
    all.push(...page.forwards);
    if (page.forwards.length < PAGE) return all;
  }
};

/** How often rows whose connections stopped failing are redrawn without the problem. */
const EXPIRE_EVERY_MS = 5000;

export const connect = (live: Live, cb: ConnectionCallbacks): { close(): void } => {
  let closed = false;
  let abort: AbortController | undefined;
  let delay = 500;
  let checkedAt = Date.now();
  const expiry = setInterval(() => {
    const now = Date.now();
    if (expireFailures(live, now, checkedAt)) cb.changed();
    checkedAt = now;
  }, EXPIRE_EVERY_MS);

  const follow = async (): Promise<void> => {
    abort = new AbortController();
    const res = await fetch('/api/v1/events', {
      credentials: 'same-origin',
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (res.status === 401)
      throw new ApiFailure({ status: 401, code: 'UNAUTHORIZED', message: '', hint: '' });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    // Events from now on; then the snapshot, so nothing between the two is lost.
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    loadForwards(live, await fetchAllForwards());
    cb.changed();
    cb.namespacesChanged();
    cb.link('live');
    delay = 500;
    const parser = createSseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || closed) return;
      const parsed = parser.push(value);
      const { messages } = parsed;
      let dropped = parsed.dropped;
      let changed = false;
      for (const m of messages) {
        let ev: ApiEvent;
        try {
          ev = JSON.parse(m.data) as ApiEvent;
        } catch {
          continue;
        }
        // Events this stream lost (read too slowly, or missed across a reconnect): read the list again.
        if (ev.type === 'EventsDropped') dropped = true;
        const r = applyEvent(live, ev);
        if (r === 'changed') changed = true;
        else if (r === 'reload') cb.namespacesChanged();
      }
      if (dropped) {
        loadForwards(live, await fetchAllForwards());
        changed = true;
      }
      if (changed) cb.changed();
    }
  };

  const loop = async (): Promise<void> => {
    while (!closed) {
      cb.link('connecting');
      try {
        await follow();
      } catch (err) {
        if (closed) return;
        if (err instanceof ApiFailure && err.problem.status === 401) {
          cb.link('unauthorized');
          return;
        }
        cb.link('offline', String(err));
      }
      if (closed) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  };
  void loop();
  return {
    close() {
      closed = true;
      clearInterval(expiry);
      abort?.abort();
    },
  };
};

/**
 * Whether the page reaches its kubefwd, after a link state. A retry (connecting) keeps what the
 * last attempt found, so a stopped kubefwd stays "not reachable" between attempts instead of flickering.
 */
export const reachableAfter = (was: boolean, state: LinkState): boolean =>
  state === 'offline' ? false : state === 'connecting' ? was : true;
