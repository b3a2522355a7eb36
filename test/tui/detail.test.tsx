// The detail view (Enter): Info with connect strings and copy, HTTP exchanges, pod logs, tabs,
// scrolling, per-service actions, and following the forward across a pod change.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { syntheticForward } from '../../src/tui/fixtures.js';
import type { ForwardView } from '../../src/contract/state.js';
import { createFakeBackend, KEY, mount, tick, until } from './support.js';

afterEach(() => cleanup());

const NOW = Date.parse('2026-01-01T00:10:00.000Z');

const api = (o: Partial<ForwardView> = {}): ForwardView =>
  syntheticForward(0, {
    key: 'api.shop.sim.api-pod-1.8080',
    serviceKey: 'api.shop.sim',
    registryKey: 'api.shop.sim',
    serviceName: 'api',
    namespace: 'shop',
    podName: 'api-pod-1',
    containerName: 'http',
    localIP: '127.40.27.5',
    localPort: '8080',
    podPort: '80',
    hostnames: [
      'api',
      'api.shop',
      'api.shop.svc',
      'api.shop.svc.cluster.local',
      'api-shop-svc-cluster-local',
    ],
    status: 'Active',
    // The port began before its last reconnection: connected time counts from activeSince.
    startedAt: new Date(NOW - 600_000).toISOString(),
    activeSince: new Date(NOW - 185_000).toISOString(),
    reconnects: 2,
    connections: 7,
    activeConnections: 1,
    bytesIn: 5 * 1024 * 1024,
    rateIn: 2048,
    ...o,
  });

const open = async (forwards: ForwardView[] = [api()]) => {
  const b = createFakeBackend({ forwards });
  const app = mount(b, { now: () => NOW, height: 34 });
  await tick();
  await app.press(KEY.enter);
  return { b, app };
};

describe('detail view', () => {
  it('Info shows status, pod, connected time, bandwidth and every hostname as a connect string', async () => {
    const { app } = await open();
    const f = app.frame();
    expect(f).toContain('api.shop');
    expect(f).toMatch(/\[Info\].*\[HTTP \(0\)\].*\[Logs\]/);
    expect(f).toContain('STATUS: ● Active');
    expect(f).toContain('Service: api.shop.sim   Local: 127.40.27.5:8080 → pod port 80');
    expect(f).toContain('Reconnects: 2   Connections: 7 total, 1 open');
    expect(f).toContain('CONNECT STRINGS (press 1-9 to copy)');
    expect(f).toContain('[1] api:8080');
    expect(f).toContain('[2] api.shop:8080');
    expect(f).toContain('[4] api.shop.svc.cluster.local:8080');
    expect(f).toContain('[5] api-shop-svc-cluster-local:8080');
    expect(f).toContain('api-pod-1 (http)   Connected: 3m 5s ago');
    expect(f).toContain('Received: 5.0 MB (2.0 KB/s)');
    expect(f).toMatch(/Received: .*[▁▂▃▄▅▆▇█]{15}/);
  });

  it('does not say a forward waiting for a new pod is connected (since the port began)', async () => {
    const { app } = await open([
      api({
        key: 'api.shop.sim.-.8080',
        podName: '',
        containerName: undefined,
        status: 'Waiting',
        reason: 'no ready pod backs the service',
        startedAt: new Date(NOW - 228_000).toISOString(),
        activeSince: undefined,
      }),
    ]);
    const f = app.frame();
    expect(f).toContain('STATUS: ◌ Waiting');
    expect(f).not.toContain('Connected:');
    expect(f).toContain('-   not connected (Waiting)');
  });

  it('shows an errored forward with its reason, code and next retry', async () => {
    const { app } = await open([
      api({
        status: 'Error',
        error: 'connection refused',
        errorCode: 'CONNECTION_REFUSED',
        reason: 'pod port 80 refused the connection',
        nextRetryAt: new Date(NOW + 8000).toISOString(),
      }),
    ]);
    expect(app.frame()).toContain('STATUS: ✖ Error - pod port 80 refused the connection · retry in 8s');
    expect(app.frame()).toContain('code: CONNECTION_REFUSED');
  });

  it('a long error is shown whole, wrapped, not cut at the edge; a failed connection of an Active forward too', async () => {
    const reason =
      'pods "api-pod-1" is forbidden: User "dev" cannot create resource "pods/portforward" in API group "" in the namespace "shop" (context "sim")';
    const { app } = await open([
      api({
        status: 'Error',
        error: reason,
        errorCode: 'PERMISSION_DENIED',
        reason,
      }),
    ]);
    const text = app.frame().replace(/[│\s]+/g, ' ');
    expect(text).toContain('in the namespace "shop" (context "sim")');
    const { app: active } = await open([
      api({
        failedConnections: 3,
        lastConnectionError: 'dial tcp4 127.0.0.1:80: connect: connection refused',
        lastConnectionErrorAt: new Date(NOW - 2000).toISOString(),
      }),
    ]);
    expect(active.frame()).toContain('Connections: 7 total, 1 open, 3 failed');
    expect(active.frame()).toMatch(
      /Last failed connection \(\d\d:\d\d:\d\d\): dial tcp4 127\.0\.0\.1:80: connect: connection refused/,
    );
  });

  it('an Active forward whose connections fail says so in its row, and only for a minute', async () => {
    const failing = api({
      failedConnections: 3,
      lastConnectionError: 'connection refused',
      lastConnectionErrorAt: new Date(NOW - 2000).toISOString(),
    });
    const app = mount(createFakeBackend({ forwards: [failing] }), { now: () => NOW, height: 34 });
    await tick();
    expect(app.frame()).toContain('connections fail: connection refused');
    const old = mount(
      createFakeBackend({
        forwards: [{ ...failing, lastConnectionErrorAt: new Date(NOW - 120_000).toISOString() }],
      }),
      { now: () => NOW, height: 34 },
    );
    await tick();
    expect(old.frame()).not.toContain('connections fail');
  });

  it('1-9 copy a connect string, y the first; the copied line is marked', async () => {
    const { app } = await open();
    await app.press('2');
    expect(app.copied).toEqual(['api.shop:8080']);
    expect(app.frame()).toContain('✓ Copied!');
    expect(app.frame()).toContain('✓ [2] api.shop:8080');
    expect(app.frame()).toContain('Copied api.shop:8080');
    await app.press('y', '9');
    expect(app.copied).toEqual(['api.shop:8080', 'api:8080']);
  });

  it('HTTP tab lists the exchanges on the forward (and says so when there are none)', async () => {
    const { b, app } = await open();
    await app.press(KEY.tab);
    await until(() => expect(app.frame()).toContain('No HTTP requests captured'));
    b.http.set('api.shop.sim.api-pod-1.8080', [
      { at: NOW - 2000, method: 'GET', path: '/healthz', statusCode: 200, durationMs: 3.2, size: 2 },
      { at: NOW - 1000, method: 'POST', path: '/orders', statusCode: 503, durationMs: 159, size: 233 },
      { at: NOW - 500, method: 'GET', path: '/ping', statusCode: 200, durationMs: 0.4804, size: 4 },
    ]);
    await until(() => expect(app.frame()).toContain('[HTTP (3)]'));
    const f = app.frame();
    expect(f).toMatch(/GET\s+\/healthz\s+200\s+3ms 2 B/);
    expect(f).toMatch(/POST\s+\/orders\s+503\s+159ms 233 B/);
    expect(f).toMatch(/GET\s+\/ping\s+200\s+480µs 4 B/);
  });

  it('h toggles the HTTP tab; Tab, Shift+Tab and the arrows switch tabs', async () => {
    const { app } = await open();
    await app.press('h');
    await until(() => expect(app.frame()).toContain('No HTTP requests captured'));
    await app.press('h');
    expect(app.frame()).toContain('CONNECT STRINGS');
    await app.press(KEY.shiftTab);
    await until(() => expect(app.frame()).toContain('Following (main)'));
    await app.press(KEY.left);
    await until(() => expect(app.frame()).toContain('No HTTP requests captured'));
    await app.press(KEY.right, KEY.right);
    expect(app.frame()).toContain('CONNECT STRINGS');
  });

  it('Logs tab shows the pod log of the forward’s container, follows the tail, j/k scroll', async () => {
    const { b, app } = await open();
    b.podLogLines = Array.from({ length: 60 }, (_, i) => `log line ${i}`);
    await app.press('l');
    await until(() => expect(app.frame()).toContain('log line 59'));
    const req = b.calls.find((c) => c.method === 'podLogs')!.args[0];
    expect(req).toEqual({
      context: 'sim',
      namespace: 'shop',
      podName: 'api-pod-1',
      container: 'http',
      tailLines: 100,
    });
    expect(app.frame()).toContain('log line 59');
    await app.press('k', 'k', 'k', 'k', 'k');
    expect(app.frame()).not.toContain('log line 59');
    expect(app.frame()).toContain('Paused');
    await app.press('G');
    expect(app.frame()).toContain('log line 59');
    await app.press('g');
    expect(app.frame()).toContain('Paused (G to resume) (main) - 60 lines');
    expect(app.frame()).toContain('log line 0');
    expect(app.frame()).not.toContain('log line 59');
  });

  it('Logs tab says when the pod has no log or it cannot be read', async () => {
    const { b, app } = await open();
    await app.press('l');
    await until(() => expect(app.frame()).toContain('No pod logs available'));
    b.podLogs = async () => {
      throw new Error('pods "api-pod-1" not found');
    };
    await until(() => expect(app.frame()).toContain('Error: pods "api-pod-1" not found'));
  });

  it('r reconnects and u syncs this service; Esc and q close', async () => {
    const { b, app } = await open();
    await app.press('r');
    expect(app.frame()).toContain('Reconnecting api.shop.sim, closing its open connections...');
    await app.press('u');
    expect(b.calls.filter((c) => c.method === 'reconnectService' || c.method === 'syncService')).toEqual([
      { method: 'reconnectService', args: ['api.shop.sim'] },
      { method: 'syncService', args: ['api.shop.sim', true] },
    ]);
    await app.press(KEY.esc);
    expect(app.frame()).not.toContain('CONNECT STRINGS');
    expect(app.frame()).toContain('Services 1/1');
    await app.press(KEY.enter, 'q');
    expect(app.frame()).not.toContain('CONNECT STRINGS');
    expect(app.quits()).toBe(0);
  });

  it('follows the forward when its pod changes, and says when it is gone', async () => {
    const { b, app } = await open();
    b.setForwards([api({ key: 'api.shop.sim.api-pod-2.8080', podName: 'api-pod-2' })]);
    await until(() => expect(app.frame()).toContain('api-pod-2 (http)'));
    b.setForwards([]);
    await until(() => expect(app.frame()).toContain('This forward is gone'));
  });

  it('stops polling when closed', async () => {
    const { b, app } = await open();
    await app.press('l');
    await until(() => expect(b.calls.some((c) => c.method === 'podLogs')).toBe(true));
    await app.press(KEY.esc);
    await tick(30);
    const n = b.calls.length;
    await tick(120);
    expect(b.calls.length).toBe(n);
  });
});
