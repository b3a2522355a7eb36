// An in-process API: a real state store fed synthetic engine events, a real traffic recorder, a
// fake Controller and cluster, the Hono app, and a typed client calling it without sockets.
import { join } from 'node:path';
import { createApiClient } from '../../src/api/client/index.js';
import { createApiApp, type DashboardSessions } from '../../src/api/server/index.js';
import { createTrafficRecorder } from '../../src/engine/traffic/index.js';
import { createStateStore } from '../../src/state/index.js';
import { eventBus, fakeController, manualClock, seed } from './fixtures.js';

export const KEY = 'test-key-0123456789abcdef';

export const harness = (
  options: { seed?: boolean; maxStreams?: number; sessions?: DashboardSessions } = {},
) => {
  const clock = manualClock();
  const bus = eventBus();
  const traffic = createTrafficRecorder({ clock, sampleIntervalMs: 0 });
  const state = createStateStore({ subscribe: (l) => bus.subscribe(l), traffic, clock });
  const controller = fakeController(bus, clock);
  const app = createApiApp({
    state,
    controller,
    version: '9.9.9-test',
    startedAt: clock.now() - 65_000,
    key: KEY,
    clock,
    options: { namespaces: ['shop'], contexts: ['sim'], tuiEnabled: false },
    // The dashboard as `npm run build` leaves it (npm ci builds too).
    dashboard: {
      assetsDir: join(import.meta.dirname, '..', '..', 'dist', 'web'),
      sessions: options.sessions,
    },
    sse: {
      keepAliveMs: 50,
      bufferSize: 100,
      ...(options.maxStreams ? { maxStreams: options.maxStreams } : {}),
    },
  });
  const seeded = options.seed === false ? undefined : seed(bus, clock);
  const fetchApp = (url: string, init?: RequestInit) => Promise.resolve(app.request(url, init));
  const client = createApiClient({ baseUrl: 'http://127.0.0.1:8080/api', key: KEY, fetch: fetchApp });
  /** A raw request with the key (and any extra headers). */
  const req = (path: string, init: RequestInit & { noKey?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (!init.noKey && !headers.has('authorization')) headers.set('authorization', `Bearer ${KEY}`);
    if (!headers.has('host')) headers.set('host', '127.0.0.1:8080');
    return Promise.resolve(app.request(`http://127.0.0.1:8080${path}`, { ...init, headers }));
  };
  const close = () => {
    state.close();
    traffic.close();
  };
  return { clock, bus, traffic, state, controller, app, client, req, seeded, close };
};
