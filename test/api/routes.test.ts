// Every route's success and error shapes, in process (no sockets), through the typed client where
// it fits (so the client is tested too) and raw requests for the error envelope.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubefwdError } from '../../src/contract/errors.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness>;
afterEach(() => h?.close());

/** Asserts a client call rejects with a KubefwdError of `code`. */
const rejectsWith = async (p: Promise<unknown>, code: string, message?: RegExp) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubefwdError);
  expect((err as KubefwdError).code).toBe(code);
  if (message) expect((err as KubefwdError).message).toMatch(message);
  return err as KubefwdError;
};

// Raw JSON bodies are poked at freely in these tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (r: Response): Promise<{ status: number; body: Json }> => ({
  status: r.status,
  body: await r.json(),
});

describe('daemon routes', () => {
  it('GET /api/health is bare and needs no key', async () => {
    h = harness();
    const r = await json(await h.req('/api/health', { noKey: true }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'healthy',
      version: '9.9.9-test',
      uptime: '1m5s',
      timestamp: '2026-11-25T10:00:00.000Z',
    });
  });

  it('GET /api/info', async () => {
    h = harness();
    const info = await h.client.info();
    expect(info).toMatchObject({
      version: '9.9.9-test',
      namespaces: ['shop'],
      contexts: ['sim'],
      tuiEnabled: false,
      apiEnabled: true,
    });
    expect(info.platform).toBe(`${process.platform}/${process.arch}`);
  });

  it('envelope carries meta.count and timestamp', async () => {
    h = harness();
    const r = await json(await h.req('/api/v1/history/events?count=2'));
    expect(r.body).toMatchObject({
      success: true,
      meta: { count: 2, timestamp: '2026-11-25T10:00:00.000Z' },
    });
  });

  it('meta.count is on lists only, not on single objects that hold arrays', async () => {
    h = harness();
    const info = await json(await h.req('/api/info'));
    expect(info.body.meta).not.toHaveProperty('count');
    const added = await json(
      await h.req('/api/v1/services', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'shop', serviceName: 'cart' }),
      }),
    );
    expect(added.body.meta).not.toHaveProperty('count');
    expect((await json(await h.req('/api/v1/services/api.shop.sim'))).body.meta).not.toHaveProperty('count');
    expect((await json(await h.req('/api/v1/services'))).body.meta.count).toBe(4);
    expect((await json(await h.req('/api/v1/forwards'))).body.meta.count).toBe(3);
  });

  it('a query parameter given twice is said so (a list parameter takes repeats)', async () => {
    h = harness();
    const r = await json(await h.req('/api/v1/services?limit=1&limit=2'));
    expect(r).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          field: 'query.limit',
          message: 'query.limit: given 2 times ("1", "2"); pass it once',
        },
      },
    });
    const list = await h.req('/api/v1/events?type=ServiceAdded&type=PodAdded');
    expect(list.status).toBe(200);
    await list.body?.cancel();
  });

  it('unknown routes are 404 in the error envelope', async () => {
    h = harness();
    const r = await json(await h.req('/api/v1/nope'));
    expect(r).toMatchObject({ status: 404, body: { success: false, error: { code: 'NOT_FOUND' } } });
  });

  it('a known path with another method is 405 with Allow, not "No route"', async () => {
    h = harness();
    const r = await h.req('/api/v1/services', { method: 'PUT' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST, HEAD');
    expect(await r.json()).toMatchObject({
      success: false,
      error: {
        code: 'METHOD_NOT_ALLOWED',
        message: expect.stringContaining('PUT is not allowed') as unknown,
      },
    });
    const one = await h.req('/api/v1/services/api.shop.sim', { method: 'PATCH' });
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('GET, DELETE, HEAD');
  });

  it('GET /api and /api/v1 (the URL the start-up log prints) answer an index, no key needed', async () => {
    h = harness();
    for (const path of ['/api', '/api/v1']) {
      const r = await json(await h.req(path, { noKey: true }));
      expect(r.status, path).toBe(200);
      expect(r.body).toMatchObject({
        name: 'kubefwd',
        version: '9.9.9-test',
        docs: '/docs',
        openapi: '/api/openapi.json',
        health: '/api/health',
      });
      expect(r.body.routes).toContainEqual({
        method: 'GET',
        path: '/api/v1/services',
        summary: expect.any(String),
        key: true,
      });
      expect(r.body.routes).toContainEqual(expect.objectContaining({ path: '/api/health', key: false }));
      // With a trailing slash, as people type it: redirected, no key needed.
      const slash = await h.req(`${path}/`, { noKey: true, redirect: 'manual' });
      expect(slash.status, `${path}/`).toBe(301);
      expect(new URL(slash.headers.get('location') ?? '').pathname).toBe(path);
    }
  });

  it('/ serves the dashboard from the package (no network), /docs the API docs offline', async () => {
    h = harness();
    const r = await h.req('/', { noKey: true });
    expect(r.status).toBe(200);
    const page = await r.text();
    expect(page).toContain('<script type="module" src="/assets/app.js">');
    expect(page).not.toMatch(/(src|href)=("|')(https?:)?\/\//);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await h.req('/assets/app.js', { noKey: true });
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await js.text()).not.toMatch(/\bfrom\s*["']https?:|import\(\s*["']https?:/);
    expect((await h.req('/assets/..%2Fpackage.json', { noKey: true })).status).toBe(404);
    expect((await h.req('/assets/index.html', { noKey: true })).status).toBe(404);
    // The icon browsers ask for on /docs and JSON answers, no key needed.
    const icon = await h.req('/favicon.ico', { noKey: true });
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    const d = await h.req('/docs', { noKey: true });
    const html = await d.text();
    expect(d.status).toBe(200);
    expect(html).toContain('kubefwd API');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=("|')https?:/);
    expect(html).toContain('/api/v1/services');
    const y = await h.req('/openapi.yaml', { noKey: true });
    expect(y.headers.get('content-type')).toContain('yaml');
    expect(await y.text()).toContain('openapi: 3.1.0');
  });
});

describe('services and forwards', () => {
  it('lists services with summary, filters, search and paging', async () => {
    h = harness();
    const all = await h.client.listServices();
    expect(all.services.map((s) => s.key)).toEqual(['api.shop.sim', 'db.shop.sim', 'web.shop.sim']);
    expect(all.summary).toMatchObject({ totalServices: 3, activeServices: 1, errorCount: 1 });
    expect((await h.client.listServices({ status: 'error' })).services.map((s) => s.serviceName)).toEqual([
      'db',
    ]);
    expect((await h.client.listServices({ search: 'WEB' })).services).toHaveLength(1);
    expect((await h.client.listServices({ limit: 1, offset: 1 })).services.map((s) => s.serviceName)).toEqual(
      ['db'],
    );
    expect((await h.client.listServices({ namespace: 'other' })).services).toEqual([]);
    await rejectsWith(h.client.listServices({ status: 'bogus' }), 'INVALID_INPUT', /query\.status/);
    await rejectsWith(h.client.listServices({ limit: 0 }), 'INVALID_INPUT', /query\.limit/);
    await rejectsWith(h.client.listServices({ limit: 5000 }), 'INVALID_INPUT', /at most 1000/);
  });

  it('gets one service (errored and waiting forwards visible) or 404', async () => {
    h = harness();
    const db = await h.client.getService('db.shop.sim');
    expect(db.status).toBe('error');
    expect(db.forwards![0]).toMatchObject({
      status: 'Error',
      errorCode: 'CONNECTION_REFUSED',
      reason: 'the pod refused the connection',
    });
    const web = await h.client.getService('web.shop.sim');
    expect(web.forwards![0]).toMatchObject({ status: 'Waiting', nextRetryAt: expect.any(String) });
    const e = await rejectsWith(h.client.getService('nope.shop.sim'), 'SERVICE_NOT_FOUND', /nope\.shop\.sim/);
    expect(e.hint).toMatch(/list/i);
  });

  it('takes short keys (name, name.namespace); an ambiguous one answers with the candidates', async () => {
    h = harness();
    expect((await h.client.getService('db')).key).toBe('db.shop.sim');
    expect((await h.client.getService('db.shop')).key).toBe('db.shop.sim');
    expect(await h.client.syncService('web', { force: true })).toMatchObject({ service: 'web.shop.sim' });
    await h.client.addService({ namespace: 'billing', serviceName: 'db' });
    await vi.waitFor(() => expect(h.client.getService('db.billing')).resolves.toBeDefined());
    const e = await rejectsWith(h.client.getService('db'), 'INVALID_KEY', /"db" is ambiguous/);
    expect(e.message).toContain('db.billing.sim, db.shop.sim');
    await rejectsWith(h.client.getService('d'), 'SERVICE_NOT_FOUND');
    const doc = (await (await h.req('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; description?: string }[] } }>;
    };
    const key = doc.paths['/api/v1/services/{key}']!.get!.parameters!.find((p) => p.name === 'key');
    expect(key?.description).toMatch(/short form.*"name".*"name\.namespace"/);
  });

  it('adds a service (201, camelCase and snake_case bodies) and reports engine errors', async () => {
    h = harness();
    const r = await json(
      await h.req('/api/v1/services', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'shop', service_name: 'cart' }),
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({
      key: 'cart.shop.sim',
      serviceName: 'cart',
      namespace: 'shop',
      context: 'sim',
      localIP: '127.1.27.9',
      hostnames: ['cart', 'cart.shop', 'cart.shop.svc.cluster.local'],
      ports: [{ name: 'http', localPort: 8080, remotePort: 8080, targetPort: '8080', protocol: 'TCP' }],
    });
    const added = await h.client.addService({ namespace: 'shop', serviceName: 'orders', context: 'sim' });
    expect(added.key).toBe('orders.shop.sim');
    expect((await h.client.getService('orders.shop.sim')).status).toBe('pending');
    await rejectsWith(h.client.addService({ namespace: 'shop', serviceName: 'orders' }), 'ALREADY_EXISTS');
    await rejectsWith(h.client.addService({ namespace: 'shop', serviceName: 'nope' }), 'SERVICE_NOT_FOUND');
    expect(h.controller.calls.filter((c) => c.method === 'addService')).toHaveLength(4);
  });

  it('refuses localIP and ports (kubefwd ignored them silently), naming the field', async () => {
    h = harness();
    const post = async (body: object) =>
      json(
        await h.req('/api/v1/services', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    const ip = await post({ namespace: 'shop', serviceName: 'cart', localIP: '127.1.99.9' });
    expect(ip).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_INPUT', field: 'body.localIP' } },
    });
    expect(ip.body.error.message).toMatch(/^body\.localIP: not supported: .*-r name:ip/);
    const ports = await post({ namespace: 'shop', service_name: 'cart', ports: ['9999'] });
    expect(ports).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_INPUT', field: 'body.ports' } },
    });
    expect(ports.body.error.message).toMatch(/^body\.ports: not supported: every TCP port/);
    expect(h.controller.calls.filter((c) => c.method === 'addService')).toEqual([]);
  });

  it('removes a service or 404', async () => {
    h = harness();
    expect(await h.client.removeService('api.shop.sim')).toEqual({
      removed: true,
      key: 'api.shop.sim',
      message: 'Service forwarding stopped',
    });
    await rejectsWith(h.client.getService('api.shop.sim'), 'SERVICE_NOT_FOUND');
    await rejectsWith(h.client.removeService('api.shop.sim'), 'SERVICE_NOT_FOUND');
  });

  it('reconnects one, errored, or all with force; syncs', async () => {
    h = harness();
    expect(await h.client.reconnectService('db.shop.sim')).toEqual({
      triggered: 1,
      services: ['db.shop.sim'],
    });
    await rejectsWith(h.client.reconnectService('x.shop.sim'), 'SERVICE_NOT_FOUND');
    expect(await h.client.reconnectAll()).toEqual({ triggered: 0, services: [] });
    expect((await h.client.reconnectAll({ force: true })).triggered).toBe(3);
    expect(h.controller.calls.filter((c) => c.method === 'reconnectErrored').map((c) => c.args[0])).toEqual([
      { force: false },
      { force: true },
    ]);
    expect(await h.client.syncService('api.shop.sim', { force: true })).toEqual({
      service: 'api.shop.sim',
      force: true,
    });
    expect(await h.client.syncService('api.shop.sim')).toEqual({ service: 'api.shop.sim', force: false });
    await rejectsWith(h.client.syncService('x.shop.sim'), 'SERVICE_NOT_FOUND');
    const bad = await json(await h.req('/api/v1/services/api.shop.sim/sync?force=maybe', { method: 'POST' }));
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_INPUT', field: 'query.force' } },
    });
  });

  it('answers a reconnect on a slow cluster without waiting for it', async () => {
    h = harness();
    h.controller.reconnectService = () => new Promise(() => undefined);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const p = h.client.reconnectService('db.shop.sim');
      await vi.advanceTimersByTimeAsync(10_001);
      expect(await p).toEqual({ triggered: 1, services: ['db.shop.sim'] });
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists and gets forwards', async () => {
    h = harness();
    const list = await h.client.listForwards();
    expect(list.forwards.map((f) => f.status).sort()).toEqual(['Active', 'Error', 'Waiting']);
    expect((await h.client.listForwards({ status: 'error' })).forwards).toHaveLength(1);
    expect((await h.client.listForwards({ status: 'Waiting' })).forwards).toHaveLength(1);
    await rejectsWith(h.client.listForwards({ status: 'zzz' }), 'INVALID_INPUT');
    const key = h.seeded!.apiF.key;
    expect((await h.client.getForward(key)).podName).toBe('api-1');
    await rejectsWith(h.client.getForward('x.y.z.p.1'), 'FORWARD_NOT_FOUND');
  });
});

describe('traffic: HTTP and metrics', () => {
  const pushTraffic = () => {
    const tap = h.traffic.connectionOpened(h.seeded!.apiF);
    h.traffic.sampleNow();
    tap.toPod(
      Buffer.from(
        'GET /orders?id=1 HTTP/1.1\r\nHost: api\r\n\r\nPOST /orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}',
      ),
    );
    tap.fromPod(
      Buffer.from(
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    h.clock.advance(1000);
    h.traffic.sampleNow();
    return tap;
  };

  it('serves HTTP exchanges per forward and per service', async () => {
    h = harness();
    pushTraffic();
    const key = h.seeded!.apiF.key;
    const f = await h.client.forwardHttpTraffic(key);
    expect(f.logs.map((l) => [l.method, l.path, l.statusCode, l.size])).toEqual([
      ['GET', '/orders?id=1', 200, 5],
      ['POST', '/orders', 503, 0],
    ]);
    expect(f.summary).toMatchObject({
      totalRequests: 2,
      statusCodes: { '2xx': 1, '5xx': 1 },
      topPaths: [{ path: '/orders', count: 2 }],
    });
    expect((await h.client.forwardHttpTraffic(key, { count: 1 })).logs).toHaveLength(1);
    const s = await h.client.serviceHttpTraffic('api.shop.sim');
    expect(s.forwards[0]!.forwardKey).toBe(key);
    expect(s.summary.totalRequests).toBe(2);
    await rejectsWith(h.client.forwardHttpTraffic('nope'), 'FORWARD_NOT_FOUND');
    await rejectsWith(h.client.serviceHttpTraffic('nope'), 'SERVICE_NOT_FOUND');
    await rejectsWith(h.client.forwardHttpTraffic(key, { count: 501 }), 'INVALID_INPUT');
  });

  it('serves metrics totals, per service and history (no TUI needed)', async () => {
    h = harness();
    pushTraffic();
    const m = await h.client.metrics();
    expect(m).toMatchObject({
      totalBytesIn: 83,
      totalBytesOut: 86,
      totalConnections: 1,
      activeConnections: 1,
      totalServices: 3,
    });
    const list = await h.client.serviceMetricsList();
    expect(list.find((s) => s.key === 'api.shop.sim')).toMatchObject({ totalBytesIn: 83, rateIn: 83 });
    expect(list[0]!.history).toBeUndefined();
    const one = await h.client.serviceMetrics('api.shop.sim');
    expect(one.portForwards[0]).toMatchObject({
      podName: 'api-1',
      bytesIn: 83,
      bytesOut: 86,
      connections: 1,
    });
    expect(one.history!.length).toBeGreaterThan(0);
    const hist = await h.client.serviceMetricsHistory('api.shop.sim', { points: 1 });
    expect(hist.history).toEqual([expect.objectContaining({ bytesIn: 83, bytesOut: 86, rateIn: 83 })]);
    await rejectsWith(h.client.serviceMetrics('nope'), 'SERVICE_NOT_FOUND');
    await rejectsWith(h.client.serviceMetricsHistory('api.shop.sim', { points: 301 }), 'INVALID_INPUT');
    // services and forwards carry the same figures
    expect((await h.client.getService('api.shop.sim')).totalBytesIn).toBe(83);
  });
});

describe('logs, history, diagnostics', () => {
  it('serves, filters and clears the daemon log', async () => {
    h = harness();
    h.state.logs.sink().info('watching shop');
    h.state.logs.sink().error('hosts file locked');
    h.state.logs.sink().warn('pod api-1 not ready');
    expect((await h.client.logs()).logs.map((l) => l.message)).toEqual([
      'watching shop',
      'hosts file locked',
      'pod api-1 not ready',
    ]);
    expect((await h.client.logs({ level: 'warn' })).logs).toHaveLength(2);
    expect((await h.client.logs({ search: 'SHOP' })).totalCount).toBe(1);
    const sys = await h.client.systemLogs({ count: 2 });
    expect(sys.logs.map((l) => l.level)).toEqual(['warn', 'error']); // newest first
    const legacy = await json(await h.req('/api/v1/logs/system?level=warning'));
    expect(legacy.body.data.logs).toHaveLength(2);
    await rejectsWith(h.client.logs({ count: 0 }), 'INVALID_INPUT');
    expect(await h.client.clearSystemLogs()).toEqual({ cleared: true, message: 'System log buffer cleared' });
    expect((await h.client.logs()).logs).toEqual([]);
    const bad = await json(await h.req('/api/v1/logs?level=loud'));
    expect(bad.body.error.field).toBe('query.level');
  });

  it('serves recorded history', async () => {
    h = harness();
    h.bus.emit({
      type: 'Reconnect',
      at: h.clock.now(),
      serviceKey: 'db.shop.sim',
      trigger: 'auto',
      attempt: 1,
      success: false,
      durationMs: 5,
      error: 'refused',
    });
    const events = await h.client.historyEvents();
    expect(events.length).toBeGreaterThan(5);
    expect((await h.client.historyEvents({ type: 'ForwardError' })).map((e) => e.serviceKey)).toEqual([
      'db.shop.sim',
    ]);
    const errors = await h.client.historyErrors();
    expect(errors[0]).toMatchObject({
      serviceKey: 'db.shop.sim',
      errorType: 'connection_refused',
      resolved: false,
    });
    expect(await h.client.historyReconnections()).toEqual([
      expect.objectContaining({ serviceKey: 'db.shop.sim', duration: 5_000_000 }),
    ]);
    expect(await h.client.serviceReconnections('db.shop.sim')).toHaveLength(1);
    expect(await h.client.serviceReconnections('api.shop.sim')).toEqual([]);
    // Unknown to kubefwd: 404 as GET /services/{key}; gone since: its records are kept.
    await rejectsWith(h.client.serviceReconnections('nosuch.shop.sim'), 'SERVICE_NOT_FOUND', /nosuch/);
    await h.client.removeService('db.shop.sim');
    expect(await h.client.serviceReconnections('db.shop.sim')).toHaveLength(1);
    await h.client.removeService('api.shop.sim');
    expect(await h.client.serviceReconnections('api.shop.sim')).toEqual([]);
    expect(await h.client.historyStats()).toMatchObject({
      totalReconnects: 1,
      maxEvents: 1000,
      maxErrors: 500,
      maxReconnects: 200,
    });
    const bad = await json(await h.req('/api/v1/history/events?type=Bogus'));
    expect(bad.body.error.field).toBe('query.type');
  });

  it('filters the history by service (full or short key); an unknown service is a 404 naming it', async () => {
    h = harness();
    const events = await h.client.historyEvents({ serviceKey: 'db.shop.sim' });
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.serviceKey))).toEqual(new Set(['db.shop.sim']));
    // A short form naming one service, and kubefwd's snake_case spelling.
    expect((await h.client.historyEvents({ serviceKey: 'db' })).map((e) => e.id)).toEqual(
      events.map((e) => e.id),
    );
    const snake = await json(await h.req('/api/v1/history/events?service_key=db.shop.sim&count=2'));
    expect(snake.body.data.map((e: { serviceKey: string }) => e.serviceKey)).toEqual([
      'db.shop.sim',
      'db.shop.sim',
    ]);
    expect((await h.client.historyErrors({ serviceKey: 'db.shop.sim' })).length).toBe(1);
    expect(await h.client.historyErrors({ serviceKey: 'api.shop.sim' })).toEqual([]);
    expect(await h.client.historyReconnections({ serviceKey: 'api.shop.sim' })).toEqual([]);
    for (const kind of ['events', 'errors', 'reconnections']) {
      const r = await json(await h.req(`/api/v1/history/${kind}?serviceKey=nonexistent.shop.sim&count=2`));
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ code: 'SERVICE_NOT_FOUND', field: 'query.serviceKey' });
      expect(r.body.error.message).toMatch(/nonexistent\.shop\.sim/);
    }
    await rejectsWith(
      h.client.historyEvents({ serviceKey: 'nonexistent.shop.sim', count: 2 }),
      'SERVICE_NOT_FOUND',
      /nonexistent\.shop\.sim/,
    );
  });

  it('serves quick status, analysis with classified issues and actions, and diagnostics', async () => {
    h = harness();
    const st = await h.client.quickStatus();
    // As the analysis says (degraded: one service active, one in error, one waiting): issues.
    expect(st).toMatchObject({ status: 'issues', errorCount: 1, waitingCount: 1 });
    expect(st.message).toMatch(/^2 of 3 services have issues: 1 in error \(db\.shop\.sim\); 1 waiting/);
    const a = await h.client.analyze();
    expect(a.status).toBe('degraded');
    expect(a.issues[0]).toMatchObject({
      serviceKey: 'db.shop.sim',
      errorType: 'connection_refused',
      severity: 'high',
    });
    expect(a.issues.some((i) => i.serviceKey === 'web.shop.sim')).toBe(true);
    expect(a.recommendations.map((r) => r.message).join(' ')).toMatch(/readiness probes/);
    expect(a.suggestedActions).toContainEqual(
      expect.objectContaining({
        action: 'reconnect',
        target: 'db.shop.sim',
        endpoint: '/v1/services/db.shop.sim/reconnect',
        method: 'POST',
      }),
    );
    expect(a.suggestedActions).toContainEqual(
      expect.objectContaining({ action: 'check_logs', target: 'shop/db-0' }),
    );
    // The service waiting for a pod: its pods, not a reconnect.
    expect(a.suggestedActions).toContainEqual(
      expect.objectContaining({
        action: 'check_pods',
        method: 'GET',
        endpoint: expect.stringMatching(/^\/v1\/kubernetes\/pods\/shop\?serviceName=/),
      }),
    );
    const d = await h.client.diagnostics();
    expect(d).toMatchObject({
      status: 'degraded',
      version: '9.9.9-test',
      services: { total: 3, active: 1, error: 1, waiting: 1 },
    });
    expect(d.errors[0]).toMatchObject({ errorType: 'connection_refused', recoverable: true });
    const n = await h.client.networkDiagnostics();
    expect(n.ipsAllocated).toBe(3);
    expect(n.hostnames).toContain('api.shop');
    expect(await h.client.diagnosticErrors({ count: 1 })).toHaveLength(1);
    const sd = await h.client.serviceDiagnostic('db.shop.sim');
    expect(sd).toMatchObject({
      status: 'error',
      reconnectState: { nextAttempt: expect.any(String) },
      syncState: { podCount: 1, readyPods: 0 },
    });
    expect(sd.errorHistory[0]!.errorType).toBe('connection_refused');
    expect(sd.recommendations[0]).toMatch(/not listening/);
    const fd = await h.client.forwardDiagnostic(h.seeded!.dbF.key);
    expect(fd).toMatchObject({
      status: 'Error',
      errorType: 'connection_refused',
      connection: { state: 'error' },
    });
    // Never connected: no uptime (it counted from the port's start).
    h.clock.advance(60_000);
    expect((await h.client.forwardDiagnostic(h.seeded!.dbF.key)).uptime).toBe('0s');
    const active = await h.client.forwardDiagnostic(h.seeded!.apiF.key);
    const since = h.state.getSnapshot().forwards.find((x) => x.key === h.seeded!.apiF.key)?.activeSince;
    expect(since).toBeDefined();
    expect(active.connectedAt).toBe(since);
    await rejectsWith(h.client.serviceDiagnostic('nope'), 'SERVICE_NOT_FOUND');
    await rejectsWith(h.client.forwardDiagnostic('nope'), 'FORWARD_NOT_FOUND');
  });

  it('a busy API server (429) is a cluster issue to wait out, not an unreachable one', async () => {
    h = harness();
    h.bus.emit({
      type: 'ForwardUpdated',
      at: h.clock.now(),
      previousStatus: 'Active',
      forward: {
        ...h.seeded!.apiF,
        status: 'Waiting',
        error: 'the API server is too busy (429 Too Many Requests)',
        errorCode: 'API_BUSY',
        reason: 'cannot connect to pod api-1: the API server is too busy (429 Too Many Requests)',
        nextRetryAt: new Date(h.clock.now() + 7000).toISOString(),
      },
    });
    const a = await h.client.analyze();
    expect(a.issues).toContainEqual(
      expect.objectContaining({
        serviceKey: 'api.shop.sim',
        errorType: 'api_busy',
        component: 'cluster',
        severity: 'medium',
      }),
    );
    const messages = a.recommendations.map((r) => r.message).join(' ');
    expect(messages).toMatch(/overloaded and asks kubefwd to wait \(429\)/);
    expect(messages).not.toMatch(/unreachable/);
    const d = await h.client.diagnostics();
    expect(d.errors).toContainEqual(expect.objectContaining({ errorType: 'api_busy', component: 'k8s' }));
  });

  it('quick status is ok with nothing forwarded', async () => {
    h = harness({ seed: false });
    expect(await h.client.quickStatus()).toMatchObject({
      status: 'ok',
      message: 'No services currently forwarded',
    });
    expect((await h.client.analyze()).status).toBe('healthy');
  });
});

describe('namespaces', () => {
  it('lists, gets (split at the first dot; empty context = current), adds and removes', async () => {
    h = harness();
    expect((await h.client.listNamespaces()).namespaces).toEqual([
      expect.objectContaining({ key: 'shop.sim', serviceCount: 3, activeCount: 1, errorCount: 1 }),
    ]);
    expect((await h.client.getNamespace('shop')).key).toBe('shop.sim');
    expect((await h.client.getNamespace('shop', 'sim')).namespace).toBe('shop');
    await rejectsWith(h.client.getNamespace('shop', 'other'), 'NAMESPACE_NOT_FOUND');
    const r = await json(
      await h.req('/api/v1/namespaces', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'default', selector: 'app=x' }),
      }),
    );
    expect(r).toMatchObject({
      status: 201,
      body: { data: { key: 'default.sim', namespace: 'default', context: 'sim', services: [] } },
    });
    expect(h.controller.calls.at(-1)).toEqual({
      method: 'addNamespace',
      args: [{ namespace: 'default', labelSelector: 'app=x' }],
    });
    await rejectsWith(h.client.addNamespace({ namespace: 'default' }), 'ALREADY_EXISTS');
    await rejectsWith(h.client.addNamespace({ namespace: 'missing' }), 'NAMESPACE_NOT_FOUND');
    await rejectsWith(h.client.addNamespace({ namespace: 'x', context: 'nowhere' }), 'CONTEXT_NOT_FOUND');
    expect(await h.client.removeNamespace('default', 'sim')).toEqual({
      removed: true,
      key: 'default.sim',
      message: 'Namespace watcher stopped and services removed',
    });
    await rejectsWith(h.client.removeNamespace('default'), 'NAMESPACE_NOT_FOUND');
    const bad = await json(await h.req('/api/v1/namespaces/.sim', { method: 'DELETE' }));
    expect(bad.body.error).toMatchObject({ code: 'INVALID_KEY', field: 'path.key' });
    // The hint is about namespace keys, not the service keys INVALID_KEY usually means.
    const get = await json(await h.req('/api/v1/namespaces/.sim'));
    expect(get.body.error.hint).toMatch(/^Namespace keys are "namespace\.context"/);
  });
});

describe('kubernetes discovery', () => {
  it('contexts, namespaces, services', async () => {
    h = harness();
    const c = await h.client.k8sContexts();
    expect(c.currentContext).toBe('sim');
    expect(c.contexts.map((x) => [x.name, x.active])).toEqual([
      ['other', false],
      ['sim', true],
    ]);
    const ns = await h.client.k8sNamespaces();
    expect(ns.namespaces).toEqual([
      { name: 'default', status: 'Active', forwarded: false, forwardedServices: 0 },
      { name: 'shop', status: 'Active', forwarded: true, forwardedServices: 3 },
    ]);
    await rejectsWith(h.client.k8sNamespaces({ context: 'zzz' }), 'CONTEXT_NOT_FOUND');
    const svcs = await h.client.k8sServices('shop');
    expect(svcs.services.map((s) => [s.name, s.forwarded, s.forwardKey])).toEqual([
      ['api', true, 'api.shop.sim'],
      ['db', true, 'db.shop.sim'],
    ]);
    expect(svcs.services[1]!.ports[0]).toEqual({ port: 5432, targetPort: 'pg', protocol: 'TCP' });
    const missing = await json(await h.req('/api/v1/kubernetes/services'));
    expect(missing.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'query.namespace' });
    await rejectsWith(h.client.k8sServices('missing'), 'NAMESPACE_NOT_FOUND');
    expect((await h.client.k8sService('shop', 'api')).context).toBe('sim'); // current context, not "default"
    await rejectsWith(h.client.k8sService('shop', 'nope'), 'SERVICE_NOT_FOUND');
  });

  it('pods by label or service (both spellings), pod detail with events', async () => {
    h = harness();
    const pods = await h.client.k8sPods('shop');
    expect(pods.map((p) => [p.name, p.status, p.ready, p.restarts, p.isForwarded])).toEqual([
      ['api-1', 'Running', '1/1', 2, true],
      ['db-0', 'CrashLoopBackOff', '0/1', 0, true],
    ]);
    expect(pods[0]).toMatchObject({ age: '1h', forwardedPort: '8080', forwardKey: h.seeded!.apiF.key });
    expect((await h.client.k8sPods('shop', { serviceName: 'db' })).map((p) => p.name)).toEqual(['db-0']);
    const snake = await json(await h.req('/api/v1/kubernetes/pods/shop?label_selector=app%3Dapi'));
    expect(snake.body.data.map((p: { name: string }) => p.name)).toEqual(['api-1']);
    // A selector the API server cannot parse names the parameter it came from.
    const unparsable = await json(await h.req('/api/v1/kubernetes/pods/shop?label_selector=app!!x'));
    expect(unparsable).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_INPUT', field: 'query.label_selector' } },
    });
    expect(unparsable.body.error.message).toMatch(/^query\.label_selector: .*unable to parse requirement/);
    const d = await h.client.k8sPod('shop', 'db-0');
    expect(d.containers[0]).toMatchObject({
      state: 'Waiting',
      stateReason: 'CrashLoopBackOff',
      resources: { cpuRequest: '100m' },
    });
    expect(d.events!.map((e) => e.reason)).toEqual(['BackOff']);
    expect(d).toMatchObject({ volumes: ['data'], qosClass: 'Burstable', isForwarded: true });
    // Not the client's raw "not found: get pods …" nor "the pod is gone; sync the service".
    const gone = await rejectsWith(
      h.client.k8sPod('shop', 'db-1'),
      'POD_NOT_FOUND',
      /^pod "db-1" not found in namespace shop \(context sim\) \(did you mean "db-0"\?\)$/,
    );
    expect(gone.field).toBe('path.podName');
    expect(gone.hint).toMatch(/List the pods of shop/);
    await rejectsWith(h.client.k8sPod('nowhere', 'db-1'), 'NAMESPACE_NOT_FOUND');
    const badName = await json(await h.req('/api/v1/kubernetes/pods/Shop_NS'));
    expect(badName.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'path.namespace' });
  });

  it('pod logs with tail, timestamps and container; rejects bad times', async () => {
    h = harness();
    const logs = await h.client.podLogs('shop', 'api-1', { tailLines: 2, timestamps: true });
    expect(logs).toMatchObject({ podName: 'api-1', containerName: 'main', lineCount: 2, truncated: false });
    expect(logs.logs[1]).toMatch(/^2026-.* line 5$/);
    const snake = await json(
      await h.req(
        '/api/v1/kubernetes/pods/shop/api-1/logs?tail_lines=1&container=main&since_time=2026-11-25T09:00:00Z',
      ),
    );
    expect(snake.body.data.logs).toEqual(['line 5']);
    const call = (h.controller.cluster() as unknown as { logCalls: { options: unknown }[] }).logCalls.at(-1)!;
    expect(call.options).toMatchObject({
      container: 'main',
      tailLines: 1,
      sinceTime: '2026-11-25T09:00:00.000Z',
    });
    await rejectsWith(
      h.client.podLogs('shop', 'api-1', { sinceTime: 'yesterday' }),
      'INVALID_INPUT',
      /sinceTime/,
    );
    await rejectsWith(h.client.podLogs('shop', 'api-1', { tailLines: 5000 }), 'INVALID_INPUT', /tailLines/);
    await rejectsWith(
      h.client.podLogs('shop', 'gone'),
      'POD_NOT_FOUND',
      /^pod "gone" not found in namespace shop/,
    );
    // The stream checks the pod before it opens: the 404 its document lists, not 200 then `end`.
    const stream = await h.req('/api/v1/kubernetes/pods/shop/nosuchpod/logs/stream');
    expect(stream.status).toBe(404);
    expect((await stream.json()).error).toMatchObject({ code: 'POD_NOT_FOUND', field: 'path.podName' });
    const prev = await h.client.podLogs('shop', 'api-1', { previous: true }).catch((e: unknown) => e);
    expect(prev).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'query.previous',
      message: expect.stringMatching(/has not restarted, so it has no previous log$/),
    });
  });

  it('events (newest first, narrowed by resource) and endpoints', async () => {
    h = harness();
    const ev = await h.client.k8sEvents('shop');
    expect(ev.map((e) => e.reason)).toEqual(['BackOff', 'Started']);
    expect(
      (await h.client.k8sEvents('shop', { resourceKind: 'Pod', resourceName: 'api-1' })).map(
        (e) => e.objectName,
      ),
    ).toEqual(['api-1']);
    // Kinds in any case or as kubectl's short names: the field selector needs "Pod".
    for (const resourceKind of ['pod', 'po', 'POD'])
      expect(
        (await h.client.k8sEvents('shop', { resourceKind, resourceName: 'api-1' })).map((e) => e.objectName),
      ).toEqual(['api-1']);
    expect(await h.client.k8sEvents('shop', { limit: 1 })).toHaveLength(1);
    // A namespace that does not exist is a 404 (as for pods and services), not an empty list.
    await rejectsWith(h.client.k8sEvents('nosuchns'), 'NAMESPACE_NOT_FOUND', /"nosuchns" does not exist/);
    expect(await h.client.k8sEvents('default')).toEqual([]);
    const snake = await json(
      await h.req('/api/v1/kubernetes/events/shop?resource_kind=Pod&resource_name=db-0'),
    );
    expect(snake.body.data).toHaveLength(1);
    const ep = await h.client.k8sEndpoints('shop', 'api');
    expect(ep.subsets[0]!.addresses[0]).toEqual({ ip: '10.0.0.5', nodeName: 'node-1', podName: 'api-1' });
    const none = await rejectsWith(h.client.k8sEndpoints('shop', 'db'), 'NOT_FOUND');
    expect(none.message).toBe('service "db" in namespace shop (context sim) has no Endpoints object');
    // A service that is not there is said as such, not as the client's raw "not found: get endpoints …".
    const nosuch = await rejectsWith(
      h.client.k8sEndpoints('shop', 'apii'),
      'SERVICE_NOT_FOUND',
      /^service "apii" not found in namespace shop \(context sim\) \(did you mean "api"\?\)$/,
    );
    expect(nosuch.hint).toMatch(/The services of shop: api, db/);
  });
});
