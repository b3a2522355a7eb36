// The page's one live copy and who listens to it. Connection events land in `live` as they arrive;
// listeners hear of it at most once per animation frame (hundreds of events a second become one
// notification), and each view decides what to redraw: the header re-renders, the forwards list
// restructures only when its shape changed and otherwise lets the pacer refresh stale rows.
import { useEffect, useState } from 'preact/hooks';
import { emptyLive, type Live } from './live.js';
import type { Scheduler } from './pacer.js';

export interface LiveHub {
  readonly live: Live;
  /** Bumped at each notification. */
  readonly version: number;
  subscribe(fn: () => void): () => void;
  /** Something changed: notify at the next frame. */
  changed(): void;
  close(): void;
}

export const createLiveHub = (scheduler: Scheduler): LiveHub => {
  const live = emptyLive();
  const listeners = new Set<() => void>();
  let frame: number | undefined;
  const hub = {
    live,
    version: 0,
    subscribe(fn: () => void) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    changed() {
      frame ??= scheduler.request(() => {
        frame = undefined;
        hub.version++;
        for (const fn of [...listeners]) fn();
      });
    },
    close() {
      if (frame !== undefined) scheduler.cancel(frame);
      listeners.clear();
    },
  };
  return hub;
};

/** Re-renders the component at each notification; returns the hub's version. */
export const useLive = (hub: LiveHub): number => {
  const [, setVersion] = useState(hub.version);
  useEffect(() => hub.subscribe(() => setVersion(hub.version)), [hub]);
  return hub.version;
};
