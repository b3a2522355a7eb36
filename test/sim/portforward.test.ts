// Port-forward through the simulated cluster in all three wire protocols, over real sockets:
// an HTTP request and a 10 MiB byte-exact echo each; errors on the error channel; switched-off
// protocols refused like an older server; cut, latency and counters.
import { PassThrough, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { createSimCluster } from '../../src/sim/index.js';
import type { SimCluster } from '../../src/sim/index.js';
import type { SpdySession } from '../../src/wire/spdy/index.js';
import {
  UpgradeRefused,
  rawUpgrade,
  exchange,
  httpGet,
  openForward,
  spdyConnect,
  tunnelConnect,
  v4Connect,
  v4Decode,
} from './support/clients.js';

const MiB10 = 10 * 1024 * 1024;
let sim: SimCluster;
let gateway: string;
let postgres: string;

beforeAll(async () => {
  sim = await createSimCluster({ readyDelayMs: 10 });
  gateway = sim.control.pods('shop').find((p) => p.metadata.name.startsWith('api-gateway-'))!.metadata.name;
  postgres = sim.control.pods('shop').find((p) => p.metadata.name.startsWith('postgres-'))!.metadata.name;
});
afterAll(async () => {
  await sim?.stop();
});

const connectors: Record<'spdy' | 'tunnel', (ns: string, pod: string) => Promise<SpdySession>> = {
  spdy: (ns, pod) => spdyConnect(sim, ns, pod),
  tunnel: (ns, pod) => tunnelConnect(sim, ns, pod),
};

describe.each(['spdy', 'tunnel'] as const)('%s port-forward', (kind) => {
  it('carries an HTTP request to the pod and its answer back', async () => {
    const before = sim.control.counters().upgrades[kind];
    const session = await connectors[kind]('shop', gateway);
    try {
      const { data, errorText } = openForward(session, 8080, 0);
      const answer = (await exchange(data, httpGet('/orders?size=2000'), { end: false })).toString();
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(answer).toContain(`"pod":"${gateway}"`);
      expect(await errorText).toBe('');
      expect(sim.control.counters().upgrades[kind]).toBe(before + 1);
    } finally {
      session.destroy();
    }
  });

  it('echoes 10 MiB byte-exact and multiplexes several connections on one session', async () => {
    const session = await connectors[kind]('shop', postgres);
    try {
      const payload = randomBytes(MiB10);
      const big = openForward(session, 5432, 0);
      const small = openForward(session, 5432, 1);
      const [bigBack, smallBack] = await Promise.all([
        exchange(big.data, payload),
        exchange(small.data, Buffer.from('hello postgres')),
      ]);
      expect(smallBack.toString()).toBe('hello postgres');
      expect(bigBack.length).toBe(payload.length);
      expect(bigBack.equals(payload)).toBe(true);
    } finally {
      session.destroy();
    }
  });

  it('reports a refused pod port as the kubelet does: text on the error stream', async () => {
    const session = await connectors[kind]('shop', gateway);
    try {
      const { data, errorText } = openForward(session, 9999, 0);
      data.resume();
      const text = await errorText;
      expect(text).toMatch(/^error forwarding port 9999 to pod [0-9a-f]+, uid : .*connection refused/);
    } finally {
      session.destroy();
    }
  });
});

describe('WebSocket v4 port-forward', () => {
  const kc = (): KubeConfig => {
    const k = new KubeConfig();
    k.loadFromString(sim.kubeconfig);
    return k;
  };

  /** client-node's PortForward (v4.channel.k8s.io): send `input`, collect `until` bytes. */
  async function clientNodeForward(pod: string, port: number, input: Buffer, until: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let got = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        got += chunk.length;
        if (got >= until) resolveDone();
        cb();
      },
    });
    const errors = new PassThrough();
    const inputStream = new PassThrough();
    const ws = (await new PortForward(kc()).portForward(
      'shop',
      pod,
      [port],
      output,
      errors,
      inputStream,
    )) as {
      close(): void;
    };
    inputStream.write(input);
    await done;
    ws.close();
    return Buffer.concat(chunks);
  }

  it('carries an HTTP request (client-node PortForward)', async () => {
    const before = sim.control.counters().upgrades.websocket;
    const answer = (await clientNodeForward(gateway, 8080, httpGet('/v4'), 1)).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(sim.control.counters().upgrades.websocket).toBe(before + 1);
  });

  it('echoes 10 MiB byte-exact (client-node PortForward)', async () => {
    const payload = randomBytes(MiB10);
    const back = await clientNodeForward(postgres, 5432, payload, payload.length);
    expect(back.length).toBe(payload.length);
    expect(back.equals(payload)).toBe(true);
  });

  it('speaks v4.base64.channel.k8s.io with port prefixes on both channels', async () => {
    const ws = await v4Connect(sim, 'shop', gateway, [8080], 'v4.base64.channel.k8s.io');
    expect(ws.protocol).toBe('v4.base64.channel.k8s.io');
    const channels = new Map<number, Buffer[]>();
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const [ch, payload] = v4Decode(data, isBinary);
      channels.set(ch, [...(channels.get(ch) ?? []), payload]);
    });
    ws.send('0' + httpGet('/b64').toString('base64'));
    await closed; // the pod closes the HTTP connection (Connection: close), so the kubelet closes the WebSocket
    const data = Buffer.concat(channels.get(0) ?? []);
    expect(data.subarray(0, 2)).toEqual(Buffer.from([8080 & 0xff, 8080 >> 8]));
    expect(data.subarray(2).toString()).toContain(`"pod":"${gateway}"`);
    expect(Buffer.concat(channels.get(1) ?? [])).toEqual(Buffer.from([8080 & 0xff, 8080 >> 8]));
  });

  it('writes the error on the error channel and closes', async () => {
    const ws = await v4Connect(sim, 'shop', gateway, [7777], 'v4.channel.k8s.io');
    const errs: Buffer[] = [];
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const [ch, payload] = v4Decode(data, isBinary);
      if (ch === 1) errs.push(payload);
    });
    await closed;
    expect(Buffer.concat(errs).subarray(2).toString()).toMatch(
      /error forwarding port 7777 .*connection refused/,
    );
  });
});

describe('protocol switches, faults and counters', () => {
  it('refuses a switched-off protocol like an older server (403 before the upgrade)', async () => {
    const refusedBefore = sim.control.counters().upgrades.refused;
    sim.control.setProtocols({ tunnel: false });
    try {
      const err = await tunnelConnect(sim, 'shop', gateway).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UpgradeRefused);
      expect((err as UpgradeRefused).status).toBe(403);
      // SPDY still works: what kubectl falls back to.
      const s = await spdyConnect(sim, 'shop', gateway);
      s.destroy();
    } finally {
      sim.control.setProtocols({ tunnel: true });
    }
    sim.control.setProtocols({ spdy: false, websocket: false });
    try {
      await expect(spdyConnect(sim, 'shop', gateway)).rejects.toMatchObject({ status: 403 });
      await expect(v4Connect(sim, 'shop', gateway, [8080], 'v4.channel.k8s.io')).rejects.toMatchObject({
        status: 403,
      });
    } finally {
      sim.control.setProtocols({ spdy: true, websocket: true });
    }
    expect(sim.control.counters().upgrades.refused).toBe(refusedBefore + 3);
  });

  it('answers 400 to a malformed WebSocket handshake, naming what is wrong', async () => {
    const path = `/api/v1/namespaces/shop/pods/${gateway}/portforward?ports=8080`;
    const base = { upgrade: 'websocket', 'sec-websocket-protocol': 'v4.channel.k8s.io' };
    const badVersion = (await rawUpgrade(sim, path, 'GET', {
      ...base,
      'sec-websocket-version': '8',
      'sec-websocket-key': randomBytes(16).toString('base64'),
    }).catch((e: unknown) => e)) as UpgradeRefused;
    expect(badVersion.status).toBe(400);
    expect(badVersion.body).toMatch(/Sec-WebSocket-Version must be 13/);
    const badKey = (await rawUpgrade(sim, path, 'GET', {
      ...base,
      'sec-websocket-version': '13',
      'sec-websocket-key': 'short',
    }).catch((e: unknown) => e)) as UpgradeRefused;
    expect(badKey.status).toBe(400);
    expect(badKey.body).toMatch(/Sec-WebSocket-Key/);
  });

  it('answers 404 for an unknown pod and 403 when port-forward is denied', async () => {
    await expect(spdyConnect(sim, 'shop', 'nope')).rejects.toMatchObject({ status: 404 });
    sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'analytics' });
    try {
      const reports = sim.control.pods('analytics').find((p) => p.metadata.name.startsWith('reports-'))!
        .metadata.name;
      const err = (await spdyConnect(sim, 'analytics', reports).catch((e: unknown) => e)) as UpgradeRefused;
      expect(err.status).toBe(403);
      expect(JSON.parse(err.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    } finally {
      sim.control.allowAll();
    }
  });

  it('cuts every open connection at once and counts streams', async () => {
    const a = await spdyConnect(sim, 'shop', postgres);
    const b = await tunnelConnect(sim, 'shop', postgres);
    const fwd = openForward(a, 5432, 0);
    const echoed = await exchange(fwd.data, Buffer.from('x'), { end: false, until: 1 });
    expect(echoed.toString()).toBe('x');
    expect(sim.control.counters().openStreams).toBeGreaterThanOrEqual(1);
    expect(sim.control.counters().openConnections).toBeGreaterThanOrEqual(2);
    const cut = sim.control.cutStreams();
    expect(cut).toBeGreaterThanOrEqual(2);
    await Promise.all([a.closed, b.closed]);
    expect(a.isClosed && b.isClosed).toBe(true);
  });

  it('still forwards byte-exact with added latency', async () => {
    sim.control.setLatency(20);
    try {
      const session = await spdyConnect(sim, 'shop', postgres);
      const payload = randomBytes(64 * 1024);
      const back = await exchange(openForward(session, 5432, 0).data, payload);
      expect(back.equals(payload)).toBe(true);
      session.destroy();
    } finally {
      sim.control.setLatency(0);
    }
  });
});
