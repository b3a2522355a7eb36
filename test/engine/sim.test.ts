// The engine over the real kube adapter against the simulated cluster (a real API server over
// HTTPS, real port-forward protocols), with the real listener and hosts-file adapters on a temp
// file. Addresses in a random 127.x.y.0/24.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { readBlock } from '../../src/engine/hosts-block.js';
import { createTrafficRecorder } from '../../src/engine/traffic/index.js';
import { createClusterProvider, type KubeClusterProvider } from '../../src/kube/index.js';
import { createHostsFile } from '../../src/os/hosts-file.js';
import { createListeners } from '../../src/os/listener.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { eventually, memoryLogger, noLoopback, roundTrip } from './fakes.js';
import { randomNet24 } from '../support/addresses.js';

/** This file's /24 in 127.0.0.0/8, random so that two runs on one machine do not collide. */
const NET = randomNet24();

let sim: SimCluster;
let provider: KubeClusterProvider;
let engine: EngineRuntime;
let traffic: ReturnType<typeof createTrafficRecorder>;
const logger = memoryLogger();
const events: EngineEvent[] = [];
const dir = mkdtempSync(join(tmpdir(), 'kubefwd-engine-sim-'));
const hostsPath = join(dir, 'hosts');
const foreign = '127.0.0.1 localhost\r\n::1 localhost';

const get = (ip: string, port: number, path = '/'): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });

const forward = (serviceKey: string) => engine.forwards().find((f) => f.serviceKey === serviceKey);

beforeAll(async () => {
  writeFileSync(hostsPath, foreign);
  sim = await createSimCluster({ scenario: 'sample', readyDelayMs: 10, dir });
  provider = createClusterProvider({
    kubeconfigPath: sim.kubeconfigPath,
    invokingUser: null,
    backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
  });
  traffic = createTrafficRecorder();
  engine = createEngine({
    clusters: provider,
    hosts: createHostsFile({ path: hostsPath }),
    listener: createListeners(),
    loopback: noLoopback,
    traffic,
    logger,
    options: {
      ipBase: `${NET}.1`,
      hostsBatchMs: 20,
      autoReconnect: true,
      backoff: { initialMs: 100, maxMs: 1000 },
      apiHostEntry: { ip: '127.2.27.1', hostname: 'kubefwd.internal' },
    },
  });
  engine.subscribe((e) => events.push(e));
}, 30_000);

afterAll(async () => {
  await engine?.shutdown();
  traffic?.close();
  provider?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine against the simulated cluster', () => {
  it('forwards the shop namespace: names, addresses, skips', async () => {
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(
      () => engine.forwards().length > 0 && engine.forwards().every((f) => f.status === 'Active'),
      10_000,
      'all forwards active',
    );
    expect(engine.services().map((s) => `${s.key} ${s.localIP}`)).toEqual([
      `api-gateway.shop.sim ${NET}.1`,
      `auth.shop.sim ${NET}.2`,
      `kafka.shop.sim ${NET}.3`,
      `kafka-0.kafka.shop.sim ${NET}.7`,
      `kafka-1.kafka.shop.sim ${NET}.8`,
      `kafka-2.kafka.shop.sim ${NET}.9`,
      `legacy-db.shop.sim ${NET}.4`,
      `postgres.shop.sim ${NET}.5`,
      `redis.shop.sim ${NET}.6`,
    ]);
    const skipped = events.flatMap((e) => (e.type === 'ServiceSkipped' ? [e.registryKey] : []));
    expect(skipped.sort()).toEqual(['payments.shop.sim', 'statsd.shop.sim']);
    await engine.flushHosts();
    const text = readFileSync(hostsPath, 'utf8');
    expect(text.startsWith(`${foreign}\r\n# kubefwd begin kubefwd\r\n127.2.27.1 kubefwd.internal\r\n`)).toBe(
      true,
    );
    const block = readBlock(text, 'kubefwd');
    expect(block.find((e) => e.ip === `${NET}.1`)?.hostnames).toEqual([
      'api-gateway',
      'api-gateway.shop',
      'api-gateway-shop',
      'api-gateway.shop.svc',
      'api-gateway-shop-svc',
      'api-gateway.shop.svc.cluster.local',
      'api-gateway-shop-svc-cluster-local',
      'api-gateway.shop.sim',
      'api-gateway-shop-sim',
      'api-gateway.shop.svc.sim',
      'api-gateway-shop-svc-sim',
      'api-gateway.shop.svc.cluster.sim',
      'api-gateway-shop-svc-cluster-sim',
    ]);
  }, 20_000);

  it('carries HTTP and byte-exact echo, and the selector-less service reaches its endpoint pod', async () => {
    const res = await get(`${NET}.1`, 8080, '/hello');
    expect(res.status).toBe(200);
    expect(res.body).toContain(forward('api-gateway.shop.sim')?.podName ?? '?');
    const payload = Buffer.alloc(200_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 256;
    expect((await roundTrip(`${NET}.5`, 5432, payload)).equals(payload)).toBe(true);
    expect((await roundTrip(`${NET}.4`, 5432, 'legacy')).toString()).toBe('legacy');
    expect((await roundTrip(`${NET}.8`, 9092, 'k1')).toString()).toBe('k1');
  }, 20_000);

  it('moves to the replacement pod after a deletion, same address', async () => {
    const before = forward('api-gateway.shop.sim')?.podName;
    expect(before).toBeDefined();
    await sim.control.deletePod('shop', before ?? '');
    const moved = await eventually(
      () => {
        const f = forward('api-gateway.shop.sim');
        return f && f.podName !== before && f.status === 'Active' ? f : undefined;
      },
      10_000,
      'forward on a new pod',
    );
    expect(moved.localIP).toBe(`${NET}.1`);
    const res = await get(`${NET}.1`, 8080);
    expect(res.body).toContain(moved.podName);
  }, 20_000);

  it('recovers after every port-forward stream is cut, without losing the listener', async () => {
    await eventually(() => forward('postgres.shop.sim')?.status === 'Active', 5000);
    sim.control.cutStreams();
    const mark = logger.lines.length;
    // A connection right after the cut waits for the re-dial instead of being refused.
    const got = (await roundTrip(`${NET}.5`, 5432, 'after-cut')).toString();
    if (process.env.DEBUG_ENGINE) {
      await new Promise((r) => setTimeout(r, 500));
      console.log(logger.lines.slice(mark).join('\n'));
    }
    expect(got).toBe('after-cut');
    await eventually(() => forward('postgres.shop.sim')?.status === 'Active', 10_000);
  }, 20_000);

  it('removes its block on shutdown, leaving the file byte for byte', async () => {
    await engine.shutdown();
    expect(readFileSync(hostsPath, 'utf8')).toBe(foreign);
  });
});
