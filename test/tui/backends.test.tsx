// Both TUI backends over the same in-process daemon parts (the api helper's harness: a real state
// store fed engine events, a real traffic recorder, a fake Controller, the real Hono app): the
// in-process one reads the store and calls the Controller; the attached one goes through the REST
// client and SSE. They must show the same rows and send the same intents.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { harness } from '../api/harness.js';
import { fwdRecord, svcRecord, T0 } from '../api/fixtures.js';
import { createApiBackend, createLocalBackend, type TuiBackend } from '../../src/tui/index.js';
import type { SubscribeOptions } from '../../src/api/client/index.js';
import type { ApiEventType } from '../../src/contract/api.js';
import { KubefwdError, type ErrorCode } from '../../src/contract/errors.js';
import { mount, rowNames, rowOf, tick, until } from './support.js';

const open: { close(): void }[] = [];
afterEach(() => {
  cleanup();
  for (const o of open.splice(0)) o.close();
});

const setup = () => {
  const h = harness();
  open.push(h);
  const local = createLocalBackend({ state: h.state, controller: h.controller });
  const api = createApiBackend(h.client, { refreshMs: 0, reconnectMs: 50 });
  open.push(api, local);
  return { h, local, api };
};

/** The harness's client with an event stream the test drives: open it, send an event, fail it. */
const scriptedStream = (h: ReturnType<typeof harness>) => {
  let o: SubscribeOptions | undefined;
  let closes = 0;
  const on = (): SubscribeOptions => o ?? expect.fail('the backend did not subscribe');
  return {
    client: {
      ...h.client,
      subscribeEvents: (opts: SubscribeOptions) => {
        o = opts;
        return { close: () => void closes++, done: Promise.resolve() };
      },
    },
    open: () => on().onOpen?.(),
    event: (type: ApiEventType) => on().onEvent({ type, timestamp: new Date().toISOString(), data: {} }),
    fail: (code: ErrorCode, message: string) => on().onError?.(new KubefwdError(code, message)),
    closes: () => closes,
  };
};

/** The harness's client (its real SSE stream), counting the times the stream opened. */
const countingOpens = (h: ReturnType<typeof harness>) => {
  let opens = 0;
  return {
    client: {
      ...h.client,
      subscribeEvents: (o: SubscribeOptions) =>
        h.client.subscribeEvents({
          ...o,
          onOpen: () => {
            opens++;
            o.onOpen?.();
          },
        }),
    },
    opens: () => opens,
  };
};

const exercise = async (b: TuiBackend) => {
  await b.reconnectService('api.shop.sim');
  await b.syncService('api.shop.sim', true);
  await b.reconnectErrored();
  await b.addService({ namespace: 'shop', serviceName: 'cart', context: 'sim' });
  await b.removeService('cart.shop.sim');
  await b.addNamespace({ namespace: 'default', context: 'sim' });
  await b.removeNamespace('default', 'sim');
};

describe('local backend', () => {
  it('shows the state store: forwards with status and reason, namespaces, current context', async () => {
    const { local } = setup();
    const s = local.getState();
    expect(s.currentContext).toBe('sim');
    expect(s.connected).toBe(true);
    expect(s.forwards.map((f) => `${f.serviceName}:${f.status}`).sort()).toEqual([
      'api:Active',
      'db:Error',
      'web:Waiting',
    ]);
    expect(s.forwards.find((f) => f.serviceName === 'db')!.reason).toBe('the pod refused the connection');
    expect(s.namespaces.map((n) => n.key)).toEqual(['shop.sim']);
    // Same object until something changes.
    expect(local.getState()).toBe(s);
  });

  it('tells its subscriber about engine events and daemon log lines', async () => {
    const { h, local } = setup();
    let calls = 0;
    const off = local.subscribe(() => calls++);
    const cart = svcRecord('cart', 'shop', 'sim', '127.1.27.7', 80);
    h.bus.emit({ type: 'ServiceAdded', at: T0, service: cart });
    h.bus.emit({ type: 'ForwardAdded', at: T0, forward: fwdRecord(cart, 'cart-1') });
    await until(() => expect(local.getState().forwards.some((f) => f.serviceName === 'cart')).toBe(true));
    expect(calls).toBeGreaterThan(0);
    const before = calls;
    h.state.logs.append('warn', 'pod cart-1 restarted');
    expect(calls).toBeGreaterThan(before);
    expect(local.getState().logs.at(-1)).toMatchObject({ level: 'warn', message: 'pod cart-1 restarted' });
    off();
  });

  it('sends intents to the Controller', async () => {
    const { h, local } = setup();
    await exercise(local);
    expect(h.controller.calls.map((c) => c.method)).toEqual([
      'reconnectService',
      'syncService',
      'reconnectErrored',
      'addService',
      'removeService',
      'addNamespace',
      'removeNamespace',
    ]);
  });

  it('answers the browse and detail queries through the cluster and the traffic recorder', async () => {
    const { h, local } = setup();
    expect((await local.listContexts()).contexts.map((c) => c.name)).toEqual(['sim', 'other']);
    expect(await local.listNamespaces('sim')).toEqual([
      { name: 'default', forwarded: false },
      { name: 'shop', forwarded: true },
    ]);
    expect(await local.listServices('shop', 'sim')).toEqual([
      { name: 'api', type: 'ClusterIP', ports: ['8080'], forwarded: true },
      { name: 'db', type: 'ClusterIP', ports: ['5432'], forwarded: true },
    ]);
    expect(
      await local.podLogs({ context: 'sim', namespace: 'shop', podName: 'api-1', tailLines: 2 }),
    ).toEqual({
      lines: ['line 4', 'line 5'],
    });
    const fwd = local.getState().forwards.find((f) => f.serviceName === 'api')!;
    const tap = h.traffic.connectionOpened(fwd);
    tap.toPod(Buffer.from('GET /orders/7 HTTP/1.1\r\nHost: api\r\n\r\n'));
    tap.fromPod(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop'));
    tap.closed();
    expect(await local.httpTraffic(fwd.key)).toMatchObject([
      { method: 'GET', path: '/orders/7', statusCode: 404, size: 3 },
    ]);
  });
});

describe('API backend (attached)', () => {
  it('shows the same forwards as the in-process backend', async () => {
    const { local, api } = setup();
    await api.ready;
    const strip = (b: TuiBackend) =>
      b
        .getState()
        .forwards.map((f) => ({ key: f.key, status: f.status, reason: f.reason, hostnames: f.hostnames }))
        .sort((a, b) => a.key.localeCompare(b.key));
    expect(strip(api)).toEqual(strip(local));
    expect(api.getState().namespaces.map((n) => n.key)).toEqual(['shop.sim']);
    expect(api.getState().currentContext).toBe('sim');
    expect(api.getState().attachedTo).toBe('http://127.0.0.1:8080');
  });

  it('follows the daemon through SSE: new forwards and log lines appear', async () => {
    const { h, api } = setup();
    await api.ready;
    await until(() => expect(api.getState().connected).toBe(true));
    const cart = svcRecord('cart', 'shop', 'sim', '127.1.27.7', 80);
    h.bus.emit({ type: 'ServiceAdded', at: T0, service: cart });
    h.bus.emit({ type: 'ForwardAdded', at: T0, forward: fwdRecord(cart, 'cart-1') });
    await until(() => expect(api.getState().forwards.some((f) => f.serviceName === 'cart')).toBe(true));
    h.state.logs.sink().error('cart-1 went away');
    await until(() => expect(api.getState().logs.some((l) => l.message === 'cart-1 went away')).toBe(true));
  });

  it('sends intents through the REST API to the Controller', async () => {
    const { h, api } = setup();
    await api.ready;
    await exercise(api);
    expect(h.controller.calls.map((c) => c.method)).toEqual([
      'reconnectService',
      'syncService',
      'reconnectErrored',
      'addService',
      'removeService',
      'addNamespace',
      'removeNamespace',
    ]);
  });

  it('answers the browse and detail queries through the API', async () => {
    const { api } = setup();
    expect((await api.listContexts()).current).toBe('sim');
    expect(await api.listNamespaces('sim')).toEqual([
      { name: 'default', forwarded: false },
      { name: 'shop', forwarded: true },
    ]);
    expect((await api.listServices('shop', 'sim')).map((s) => `${s.name}:${s.forwarded}`)).toEqual([
      'api:true',
      'db:true',
    ]);
    const logs = await api.podLogs({ context: 'sim', namespace: 'shop', podName: 'api-1', tailLines: 2 });
    expect(logs.lines).toEqual(['line 4', 'line 5']);
    await api.ready;
    const key = api.getState().forwards.find((f) => f.serviceName === 'api')!.key;
    expect(await api.httpTraffic(key)).toEqual([]);
  });

  it('reports a daemon it cannot reach instead of throwing', async () => {
    const h = harness();
    open.push(h);
    const api = createApiBackend(
      {
        ...h.client,
        listForwards: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
        subscribeEvents: (o) => {
          setTimeout(
            () =>
              o.onError?.(Object.assign(new Error('stream down'), { code: 'DAEMON_UNAVAILABLE' }) as never),
            5,
          );
          return { close() {}, done: Promise.resolve() };
        },
      },
      { refreshMs: 0 },
    );
    open.push(api);
    await expect(api.ready).rejects.toThrow('ECONNREFUSED');
    await until(() => expect(api.getState().connected).toBe(false));
    expect(api.getState().connectionError).toMatch(/stream down|ECONNREFUSED/);
  });
});

describe('API backend: the daemon going away', () => {
  it('says kubefwd stopped once its stream ends after the shutdown events, and reconnects no more', async () => {
    const h = harness();
    open.push(h);
    const c = countingOpens(h);
    const api = createApiBackend(c.client, { refreshMs: 0, reconnectMs: 20, pid: 4242, isAlive: () => true });
    open.push(api);
    await api.ready;
    await until(() => expect(api.getState().connected).toBe(true));
    h.bus.emit({ type: 'ShutdownStarted', at: h.clock.now() });
    await until(() => expect(api.getState().shuttingDown).toBe(true));
    expect(api.getState().stopped).toBeUndefined();
    // The real stream ends after ShutdownComplete, as the daemon's does before it exits.
    h.bus.emit({ type: 'ShutdownComplete', at: h.clock.now() });
    await until(() => expect(api.getState().stopped).toBe('kubefwd (pid 4242) stopped'));
    expect(api.getState().connected).toBe(false);
    // A kubefwd answering there later is another daemon (restarted), not this one back.
    await tick(150);
    expect(c.opens()).toBe(1);
  });

  it('a stream that drops without a shutdown notice is a hiccup: it reconnects and stays attached', async () => {
    const h = harness();
    open.push(h);
    const s = scriptedStream(h);
    const api = createApiBackend(s.client, { refreshMs: 0, pid: 4242, isAlive: () => true });
    open.push(api);
    s.open();
    s.fail('STREAM_ERROR', 'the kubefwd event stream ended');
    s.fail('DAEMON_UNAVAILABLE', 'cannot reach the kubefwd API at http://127.0.0.1:8080: connection refused');
    expect(api.getState()).toMatchObject({
      connected: false,
      connectionError: expect.stringContaining('cannot reach'),
    });
    s.open();
    expect(api.getState().connected).toBe(true);
    expect(api.getState().stopped).toBeUndefined();
    expect(s.closes()).toBe(0);
  });

  it('says kubefwd stopped at once when the stream drops and its pid is gone (killed, crashed)', async () => {
    const h = harness();
    open.push(h);
    const s = scriptedStream(h);
    const api = createApiBackend(s.client, { refreshMs: 0, pid: 7, isAlive: () => false });
    open.push(api);
    s.open();
    s.fail('STREAM_ERROR', 'the kubefwd event stream ended');
    expect(api.getState().stopped).toBe('kubefwd (pid 7) stopped');
    expect(s.closes()).toBe(1);
  });

  it('says kubefwd stopped answering once nothing answered for goneAfterMs; a busy API is not gone', async () => {
    const h = harness();
    open.push(h);
    const s = scriptedStream(h);
    const api = createApiBackend(s.client, { refreshMs: 0, goneAfterMs: 60 });
    open.push(api);
    s.open();
    s.fail('NOT_READY', 'too many event streams open (64)');
    await tick(80);
    s.fail('NOT_READY', 'too many event streams open (64)');
    expect(api.getState().stopped).toBeUndefined();
    const refused = 'cannot reach the kubefwd API at http://127.0.0.1:8080: connection refused';
    s.fail('DAEMON_UNAVAILABLE', refused);
    expect(api.getState().stopped).toBeUndefined();
    await tick(80);
    s.fail('DAEMON_UNAVAILABLE', refused);
    expect(api.getState().stopped).toBe(`kubefwd stopped answering at http://127.0.0.1:8080 (${refused})`);
    expect(s.closes()).toBe(1);
  });
});

describe('the TUI over either backend', () => {
  it('attached: says kubefwd stopped and exits once the stream ends after "shutting down"', async () => {
    const h = harness();
    open.push(h);
    const api = createApiBackend(h.client, { refreshMs: 0, reconnectMs: 20, pid: 4242, isAlive: () => true });
    open.push(api);
    await api.ready;
    const app = mount(api, { stoppedExitMs: 300 });
    await until(() => expect(api.getState().connected).toBe(true));
    h.bus.emit({ type: 'ShutdownStarted', at: h.clock.now() });
    await until(() => expect(app.frame()).toContain('Shutting down...'));
    h.bus.emit({ type: 'ShutdownComplete', at: h.clock.now() });
    await until(() => expect(app.frame()).toContain('kubefwd (pid 4242) stopped — exiting (q quits now)'));
    expect(app.frame()).not.toContain('Shutting down...');
    await until(() => expect(app.quits()).toBe(1));
  });

  it('renders the same rows in-process and attached', async () => {
    const { local, api } = setup();
    await api.ready;
    const a = mount(local, { now: () => T0 });
    const b = mount(api, { now: () => T0 });
    await until(() => expect(rowNames(b.frame())).toHaveLength(3));
    expect(rowNames(b.frame())).toEqual(rowNames(a.frame()));
    for (const name of ['api', 'db', 'web']) expect(rowOf(b.frame(), name)).toEqual(rowOf(a.frame(), name));
    expect(rowOf(a.frame(), 'db')).toContain('the pod refused the connection · retry in 2s');
    expect(rowOf(a.frame(), 'web')).toContain('no ready pod backs the service · retry in 5s');
  });
});
