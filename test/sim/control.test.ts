// Backends (http parameters, echo, refuse, slow, proxy to a real local server), the control URL
// (HTTP fault controls with the token), apply/replace of manifests, and clean stop.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimCluster } from '../../src/sim/index.js';
import type { SimCluster } from '../../src/sim/index.js';
import { exchange, httpGet, openForward, spdyConnect } from './support/clients.js';

let sim: SimCluster;
let upstream: net.Server;
const upstreamSockets = new Set<net.Socket>();

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'empty', readyDelayMs: 5 });
  await sim.control.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: multi
  namespace: sandbox
  annotations:
    kubefwd.sim/backend: http
    kubefwd.sim/backend.db: echo
spec:
  containers:
    - { name: web, image: nginx, ports: [{ containerPort: 80 }] }
    - { name: db, image: nginx, ports: [{ containerPort: 5432 }] }
`);
  await sim.control.waitForPodsReady('sandbox');
  upstream = net.createServer((s) => {
    upstreamSockets.add(s);
    s.on('close', () => upstreamSockets.delete(s));
    s.on('error', () => s.destroy());
    s.resume();
    s.end('real server says hi\n');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await sim?.stop();
  for (const s of upstreamSockets) s.destroy();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

async function forward(port: number, payload: Buffer): Promise<{ data: Buffer; error: string }> {
  const session = await spdyConnect(sim, 'sandbox', 'multi');
  try {
    const f = openForward(session, port, 0);
    const data = await exchange(f.data, payload, { end: false });
    return { data, error: await f.errorText };
  } finally {
    session.destroy();
  }
}

describe('backends', () => {
  it('chooses per-container backends from annotations; http honours status and size', async () => {
    const res = (await forward(80, httpGet('/x?status=418&size=300'))).data.toString();
    expect(res).toMatch(/^HTTP\/1\.1 418/);
    expect(res).toMatch(/content-length: 300/i);
    expect(JSON.parse(res.split('\r\n\r\n')[1]!)).toMatchObject({
      pod: 'multi',
      namespace: 'sandbox',
      container: 'web',
      port: 80,
    });
    const session = await spdyConnect(sim, 'sandbox', 'multi');
    const echoed = await exchange(openForward(session, 5432, 0).data, Buffer.from('ping'));
    expect(echoed.toString()).toBe('ping');
    session.destroy();
  });

  it('switches a container to refuse, slow and proxy', async () => {
    await sim.control.setBackend('sandbox', 'multi', 'refuse', 'web');
    expect((await forward(80, httpGet('/'))).error).toMatch(/connection refused/);

    await sim.control.setBackend(
      'sandbox',
      'multi',
      `proxy:127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      'web',
    );
    expect((await forward(80, Buffer.from('x'))).data.toString()).toBe('real server says hi\n');

    await sim.control.setBackend('sandbox', 'multi', 'slow', 'web');
    const session = await spdyConnect(sim, 'sandbox', 'multi');
    const f = openForward(session, 80, 0);
    f.data.write(httpGet('/'));
    // A slow backend accepts and never answers: the stream stays open with no data and no error.
    await new Promise((r) => setTimeout(r, 50));
    expect(f.data.readableLength).toBe(0);
    expect(sim.control.counters().openStreams).toBeGreaterThanOrEqual(1);
    session.destroy();
    await sim.control.setBackend('sandbox', 'multi', 'http', 'web');
  });

  it('cuts port-forward connections of a pod when the pod is deleted', async () => {
    await sim.control.apply(`
apiVersion: v1
kind: Pod
metadata: { name: doomed, namespace: sandbox, annotations: { kubefwd.sim/backend: echo } }
spec:
  containers: [{ name: c, image: x, ports: [{ containerPort: 7000 }] }]
`);
    await sim.control.waitForPodsReady('sandbox');
    const session = await spdyConnect(sim, 'sandbox', 'doomed');
    const f = openForward(session, 7000, 0);
    expect((await exchange(f.data, Buffer.from('a'), { end: false, until: 1 })).toString()).toBe('a');
    const ended = new Promise<void>((r) => f.data.on('end', () => r()));
    f.data.resume();
    await sim.control.deletePod('sandbox', 'doomed');
    await ended;
    session.destroy();
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('control URL', () => {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token = sim.token,
  ): Promise<{ status: number; json: Json }> => {
    const res = await fetch(sim.controlUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };

  it('requires the token and drives the same controls', async () => {
    expect((await call('GET', '/counters', undefined, 'wrong')).status).toBe(401);
    expect(
      (
        await call('POST', '/apply', {
          yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: via-http }',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('POST', '/pod-ready', { namespace: 'sandbox', name: 'multi', ready: false })).status,
    ).toBe(200);
    expect(
      sim.control
        .pods('sandbox')
        .find((p) => p.metadata.name === 'multi')!
        .status!.conditions!.find((c) => c.type === 'Ready')!.status,
    ).toBe('False');
    await call('POST', '/pod-ready', { namespace: 'sandbox', name: 'multi', ready: true });
    expect((await call('POST', '/latency', { ms: -1 })).status).toBe(400);
    expect((await call('POST', '/latency', { ms: 0 })).status).toBe(200);
    expect((await call('POST', '/throttle-upgrades', { count: 1 })).status).toBe(400);
    expect((await call('POST', '/throttle-upgrades', { count: 0, retryAfterSeconds: 1 })).status).toBe(200);
    expect(typeof (await call('POST', '/cut-streams')).json.count).toBe('number');
    expect(
      (await call('POST', '/backend', { namespace: 'sandbox', pod: 'multi', backend: 'nonsense' })).status,
    ).toBe(422);
    expect(
      (await call('GET', '/pods?namespace=sandbox')).json.map(
        (p: { metadata: { name: string } }) => p.metadata.name,
      ),
    ).toContain('multi');
    const c = (await call('GET', '/counters')).json;
    expect(c.upgrades.spdy).toBeGreaterThan(0);
    expect((await call('POST', '/nope')).status).toBe(404);
  });

  it('rejects a manifest of an unknown kind naming it', async () => {
    await expect(
      sim.control.apply('apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }'),
    ).rejects.toThrow('kind "Widget"');
  });
});
