// issue 5 "Done when", first bullet: the real daemon (./bin/kubefwd, idle mode) driven over HTTP
// against the simulated cluster — add a namespace, see the forwards, push HTTP through one and read
// it back from the HTTP-traffic and metrics routes with exact counts and bytes, read pod logs, kill
// a pod and find the reconnection in history and in the SSE stream, remove the namespace and find
// the hosts block empty. Also: the discovery file the daemon wrote is 0600 and ours.
import { stat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiClient,
  discoverDaemon,
  type ApiClient,
  type EventSubscription,
} from '../../src/api/client/index.js';
import type { ApiEvent } from '../../src/contract/api.js';
import { isBuilt, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { eventually, kubefwdBlock, parseHosts, resolveName } from '../e2e/net.js';
import { ipPrefix, randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();
const SERVICE = 'api-gateway.shop.sim';

let fx: Fixture;
let kubefwd: CliProcess;
let client: ApiClient;
let sub: EventSubscription | undefined;
const events: ApiEvent[] = [];

/** Sends raw HTTP/1.1 requests on one keep-alive connection (pipelined), returns bytes sent/received. */
const rawHttp = (ip: string, port: number, paths: string[]): Promise<{ sent: number; received: Buffer }> =>
  new Promise((resolve, reject) => {
    const reqs = paths.map(
      (p, i) =>
        `GET ${p} HTTP/1.1\r\nHost: api-gateway:${port}\r\n${i === paths.length - 1 ? 'Connection: close\r\n' : ''}\r\n`,
    );
    const payload = Buffer.from(reqs.join(''));
    const chunks: Buffer[] = [];
    const s = connect({ host: ip, port }, () => s.end(payload));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('raw HTTP timed out')));
    s.on('close', () => resolve({ sent: payload.length, received: Buffer.concat(chunks) }));
  });

describe.skipIf(!isBuilt())('REST API end to end (real daemon, simulated cluster)', () => {
  beforeAll(async () => {
    fx = await createFixture(IP_BASE);
    kubefwd = fx.start(['-v']);
    await kubefwd.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/, 20_000);
    const addr = await discoverDaemon({ home: fx.home, env: {} });
    client = createApiClient({ baseUrl: addr.url, ...(addr.key ? { key: addr.key } : {}) });
  }, 60_000);

  afterAll(async () => {
    sub?.close();
    await sub?.done;
    await fx?.close();
  });

  it('wrote a discovery file readable only by us, and answers health without a key', async () => {
    const st = await stat(join(fx.home, '.kubefwd', 'api.json'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(process.getuid?.());
    expect((await client.health()).status).toBe('healthy');
    const bare = createApiClient({ baseUrl: client.baseUrl });
    await expect(bare.listServices()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('adds a namespace and shows its forwards', async () => {
    sub = client.subscribeEvents({ onEvent: (e) => events.push(e) });
    const added = await client.addNamespace({ namespace: 'shop' });
    expect(added).toMatchObject({ key: 'shop.sim', namespace: 'shop', context: 'sim' });
    await eventually(
      async () => (await client.getService(SERVICE).catch(() => undefined))?.status === 'active',
      20_000,
    );
    const list = await client.listServices({ namespace: 'shop' });
    expect(list.services.map((s) => s.serviceName)).toEqual(
      expect.arrayContaining(['api-gateway', 'postgres', 'redis', 'auth']),
    );
    expect((await client.listNamespaces()).namespaces).toEqual([
      expect.objectContaining({ key: 'shop.sim', running: true }),
    ]);
    const k8s = await client.k8sNamespaces();
    expect(k8s.namespaces.find((n) => n.name === 'shop')?.forwarded).toBe(true);
    expect(events.some((e) => e.type === 'NamespaceAdded')).toBe(true);
    await eventually(
      async () => events.some((e) => e.type === 'PodAdded' && e.data.serviceKey === SERVICE),
      5000,
    );
  }, 40_000);

  it('counts HTTP traffic through a forward exactly (HTTP log and metrics)', async () => {
    const svc = await client.getService(SERVICE);
    const fwd = svc.forwards![0]!;
    const ip = await resolveName(fx.hostsPath, 'api-gateway');
    expect(ip).toBe(fwd.localIP);
    expect(ip.startsWith(ipPrefix(IP_BASE))).toBe(true);
    const paths = ['/e2e-1', '/e2e-2?x=1', '/e2e-3'];
    const { sent, received } = await rawHttp(ip, 8080, paths);
    expect(received.toString('latin1').match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    await eventually(async () => (await client.forwardHttpTraffic(fwd.key)).logs.length === 3, 10_000);
    const http = await client.forwardHttpTraffic(fwd.key);
    expect(http.logs.map((l) => [l.method, l.path, l.statusCode])).toEqual(paths.map((p) => ['GET', p, 200]));
    expect(http.summary).toMatchObject({ totalRequests: 3, statusCodes: { '2xx': 3 } });
    const bodies = received
      .toString('latin1')
      .split(/HTTP\/1\.1 200[^\r]*\r\n/)
      .slice(1);
    const lengths = bodies.map((b) => Number(/content-length: (\d+)/i.exec(b)?.[1]));
    expect(http.logs.map((l) => l.size)).toEqual(lengths);
    // Bytes: everything we sent went to the pod (bytesOut), everything we got came from it (bytesIn).
    await eventually(async () => {
      const m = await client.serviceMetrics(SERVICE);
      return m.totalBytesOut === sent && m.totalBytesIn === received.length;
    }, 5000);
    const m = await client.serviceMetrics(SERVICE);
    expect(m.portForwards[0]).toMatchObject({ key: fwd.key, bytesOut: sent, bytesIn: received.length });
    expect((await client.getForward(fwd.key)).connections).toBeGreaterThanOrEqual(1);
    const totals = await client.metrics();
    expect(totals.totalBytesIn).toBeGreaterThanOrEqual(received.length);
    expect((await client.serviceHttpTraffic(SERVICE)).summary.totalRequests).toBe(3);
  }, 30_000);

  it('reads pod logs (the requests show up)', async () => {
    const pod = (await client.getService(SERVICE)).forwards![0]!.podName;
    await eventually(
      async () =>
        (await client.podLogs('shop', pod, { tailLines: 50 })).logs.some((l) => l.includes('/e2e-3')),
      5000,
    );
    const logs = await client.podLogs('shop', pod, { tailLines: 50, timestamps: true });
    expect(logs).toMatchObject({ podName: pod, namespace: 'shop', context: 'sim' });
    expect(logs.logs.join('\n')).toMatch(/GET \/e2e-1 HTTP\/1\.1" 200/);
    const pods = await client.k8sPods('shop', { serviceName: 'api-gateway' });
    expect(pods.find((p) => p.name === pod)?.isForwarded).toBe(true);
  });

  it('finds the reconnection after a pod is killed, in history and in the SSE stream', async () => {
    const before = (await client.getService(SERVICE)).forwards![0]!.podName;
    await fx.sim.control.deletePod('shop', before);
    await eventually(async () => {
      const f = (await client.getService(SERVICE)).forwards ?? [];
      return f.length > 0 && f.every((x) => x.podName !== before && x.status === 'Active');
    }, 20_000);
    await eventually(async () => (await client.serviceReconnections(SERVICE)).some((r) => r.success), 10_000);
    const rc = await client.historyReconnections();
    expect(rc.find((r) => r.serviceKey === SERVICE)).toMatchObject({ success: true });
    await eventually(
      async () =>
        events.some((e) => e.type === 'ReconnectAttempt' && e.data.serviceKey === SERVICE && e.data.success),
      5000,
    );
    expect(
      events.some((e) => e.type === 'PodChanged' && e.data.podName === before && e.data.change === 'deleted'),
    ).toBe(true);
    const hist = await client.historyEvents({ type: 'ReconnectSuccess' });
    expect(hist.some((e) => e.serviceKey === SERVICE)).toBe(true);
  }, 40_000);

  it('removes the namespace and leaves the hosts block empty', async () => {
    expect(await client.removeNamespace('shop', 'sim')).toMatchObject({ removed: true, key: 'shop.sim' });
    await eventually(async () => (await client.listServices()).services.length === 0, 10_000);
    await eventually(async () => {
      const text = await readFile(fx.hostsPath, 'utf8');
      return (
        !parseHosts(text).has('api-gateway') &&
        kubefwdBlock(text)
          .split('\n')
          .filter((l) => l && !l.startsWith('#')).length === 0
      );
    }, 10_000);
    expect((await client.listNamespaces()).namespaces).toEqual([]);
    await eventually(async () => events.some((e) => e.type === 'NamespaceRemoved'), 5000);
  }, 30_000);
});
