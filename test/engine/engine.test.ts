// The engine over fake ports: real sockets on a random 127.x.y.0/24, an in-memory cluster driven by the test.
import { afterEach, describe, expect, it } from 'vitest';
import { KubefwdError } from '../../src/contract/errors.js';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { ForwardRecord } from '../../src/engine/model.js';
import type { EngineOptions } from '../../src/engine/options.js';
import type { Clock, LoopbackGateway } from '../../src/engine/gateways.js';
import { readBlock } from '../../src/engine/hosts-block.js';
import {
  FakeCluster,
  MemoryHosts,
  countingTraffic,
  echoServer,
  eventually,
  fakeProvider,
  memoryLogger,
  netListeners,
  noLoopback,
  pod,
  roundTrip,
  service,
} from './fakes.js';
import { ipPrefix, randomNet24 } from '../support/addresses.js';

/** This file's /24 in 127.0.0.0/8, random so that two runs on one machine do not collide. */
const NET = randomNet24();
/** The next namespace's first address (third octet + 1), and an address outside the block for -r. */
const [A, B, C] = NET.split('.');
const SOLO_IP = `${A}.${B}.${Number(C) + 1}.1`;
const RESERVED_IP = `${A}.${B}.${C}.207`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setup = (
  options: EngineOptions = {},
  hostsContent?: string,
  hosts = new MemoryHosts(hostsContent),
  clock?: Clock,
  loopback: LoopbackGateway = noLoopback,
) => {
  const cluster = new FakeCluster('sim');
  const listener = netListeners();
  const traffic = countingTraffic();
  const logger = memoryLogger();
  const events: EngineEvent[] = [];
  const engine: EngineRuntime = createEngine({
    clusters: fakeProvider(cluster),
    hosts,
    listener,
    loopback,
    traffic,
    logger,
    options: { ipBase: `${NET}.1`, hostsBatchMs: 5, connectWaitMs: 2000, ...options },
    ...(clock ? { clock } : {}),
  });
  engine.subscribe((e) => events.push(e));
  cleanups.push(async () => {
    await engine.shutdown();
    await listener.closeAll();
  });
  return { cluster, hosts, listener, traffic, logger, events, engine };
};

const backend = async (cluster: FakeCluster, podName: string, port: number, tag = '') => {
  const server = await echoServer(tag);
  cleanups.push(() => server.close());
  const map = cluster.backends.get(podName) ?? new Map<number, number>();
  map.set(port, server.port);
  cluster.backends.set(podName, map);
  return server;
};

/** The first forward record an event carried that passes `match` (states can be brief). */
const seen = (events: EngineEvent[], match: (f: ForwardRecord) => boolean): ForwardRecord | undefined => {
  for (const e of events)
    if ((e.type === 'ForwardAdded' || e.type === 'ForwardUpdated') && match(e.forward)) return e.forward;
  return undefined;
};

const status = (engine: EngineRuntime, serviceKey: string): string | undefined =>
  engine.forwards().find((f) => f.serviceKey === serviceKey)?.status;

const shop = async (cluster: FakeCluster) => {
  cluster.apply('services', service('postgres', 'shop', [{ port: 5432 }]));
  cluster.apply('services', service('api-gateway', 'shop', [{ port: 8080, targetPort: 'http' }]));
  cluster.apply('pods', pod('postgres-0', 'shop', { app: 'postgres' }, { ports: [{ containerPort: 5432 }] }));
  cluster.apply(
    'pods',
    pod('api-gateway-a', 'shop', { app: 'api-gateway' }, { ports: [{ name: 'http', containerPort: 8081 }] }),
  );
  await backend(cluster, 'postgres-0', 5432);
  await backend(cluster, 'api-gateway-a', 8081, 'A:');
};

/** Hosts file whose writes wait until released, to watch what the engine reports meanwhile. */
class HeldHosts extends MemoryHosts {
  waiting = 0;
  private release: (() => void) | undefined;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  open(): void {
    this.release?.();
  }
  override async update(transform: (content: string) => string): Promise<void> {
    this.waiting++;
    await this.gate;
    return super.update(transform);
  }
}

describe('engine: a namespace', () => {
  it('reports a forward Active only once its names are in the hosts file', async () => {
    const hosts = new HeldHosts();
    const { cluster, engine } = setup({}, undefined, hosts);
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => engine.forwards().length === 2 && hosts.waiting > 0);
    // The sessions are ready at once (fake cluster); only the hosts write is outstanding.
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.forwards().map((f) => f.status)).toEqual(['Connecting', 'Connecting']);
    hosts.open();
    await eventually(() => engine.forwards().every((f) => f.status === 'Active'));
    expect(readBlock(hosts.content, 'kubefwd').map((e) => e.hostnames[0])).toEqual([
      'api-gateway',
      'postgres',
    ]);
  });

  it('forwards every service with stable IPs (sorted), hostnames in one block, and bytes both ways', async () => {
    const { cluster, engine, hosts, traffic } = setup();
    await shop(cluster);
    const ns = await engine.addNamespace({ namespace: 'shop' });
    expect(ns).toMatchObject({ key: 'shop.sim', namespace: 'shop', context: 'sim', running: true });
    const services = engine.services();
    expect(services.map((s) => [s.key, s.localIP])).toEqual([
      ['api-gateway.shop.sim', `${NET}.1`],
      ['postgres.shop.sim', `${NET}.2`],
    ]);
    await eventually(
      () => engine.forwards().every((f) => f.status === 'Active') && engine.forwards().length === 2,
    );
    const gw = engine.forwards().find((f) => f.serviceKey === 'api-gateway.shop.sim');
    expect(gw).toMatchObject({
      podName: 'api-gateway-a',
      podPort: '8081',
      localPort: '8080',
      containerName: 'main',
    });
    expect(gw?.key).toBe('api-gateway.shop.sim.api-gateway-a.8080');

    await engine.flushHosts();
    const block = readBlock(hosts.content, 'kubefwd');
    expect(block[0]).toEqual({ ip: `${NET}.1`, hostnames: services[0]?.hostnames });
    expect(block[0]?.hostnames.slice(0, 3)).toEqual(['api-gateway', 'api-gateway.shop', 'api-gateway-shop']);
    expect(hosts.content.startsWith('127.0.0.1 localhost\n# kubefwd begin kubefwd\n')).toBe(true);

    expect((await roundTrip(`${NET}.1`, 8080, 'hello')).toString()).toBe('A:hello');
    const big = Buffer.alloc(256 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    expect((await roundTrip(`${NET}.2`, 5432, big)).equals(big)).toBe(true);
    await eventually(() => traffic.closed >= 2);
    expect(traffic.bytesOut).toBe(5 + big.length);
    expect(traffic.bytesIn).toBe(7 + big.length);
  });

  it('moves to the replacement pod as soon as it is ready, keeping IP and listener', async () => {
    const { cluster, engine, events } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'api-gateway.shop.sim') === 'Active');
    await backend(cluster, 'api-gateway-b', 8081, 'B:');
    cluster.remove('pods', 'shop', 'api-gateway-a');
    await eventually(
      () => status(engine, 'api-gateway.shop.sim') === 'Waiting',
      3000,
      'waiting after deletion',
    );
    cluster.apply(
      'pods',
      pod(
        'api-gateway-b',
        'shop',
        { app: 'api-gateway' },
        { ready: false, ports: [{ name: 'http', containerPort: 8081 }] },
      ),
    );
    cluster.apply(
      'pods',
      pod(
        'api-gateway-b',
        'shop',
        { app: 'api-gateway' },
        { ports: [{ name: 'http', containerPort: 8081 }] },
      ),
    );
    await eventually(() =>
      engine.forwards().find((f) => f.podName === 'api-gateway-b' && f.status === 'Active'),
    );
    expect(engine.services().find((s) => s.serviceName === 'api-gateway')?.localIP).toBe(`${NET}.1`);
    expect((await roundTrip(`${NET}.1`, 8080, 'x')).toString()).toBe('B:x');
    expect(
      events.some((e) => e.type === 'PodChanged' && e.change === 'deleted' && e.podName === 'api-gateway-a'),
    ).toBe(true);
    expect(
      events.some((e) => e.type === 'ForwardRemoved' && e.key === 'api-gateway.shop.sim.api-gateway-a.8080'),
    ).toBe(true);
  });

  it('a service whose pod is not ready at start says once that it waits for it', async () => {
    const { cluster, engine, logger } = setup();
    cluster.apply('services', service('slow', 'app', [{ port: 9007 }]));
    cluster.apply('pods', pod('slow-0', 'app', { app: 'slow' }, { ready: false }));
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => status(engine, 'slow.app.sim') === 'Waiting');
    await engine.syncService('slow.app.sim', true);
    const told = logger.lines.filter(
      (l) => l.startsWith('info slow.app:') && l.endsWith('connections wait for it'),
    );
    expect(told).toHaveLength(1);
  });

  it('a connection made while no pod is ready waits and then flows', async () => {
    const { cluster, engine, logger } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'api-gateway.shop.sim') === 'Active');
    cluster.remove('pods', 'shop', 'api-gateway-a');
    await eventually(() => status(engine, 'api-gateway.shop.sim') === 'Waiting');
    // Said once, when the forward that served has no pod any more.
    expect(logger.lines.filter((l) => l.includes('new connections wait for a pod'))).toHaveLength(1);
    await backend(cluster, 'api-gateway-c', 8081, 'C:');
    const pending = roundTrip(`${NET}.1`, 8080, 'late');
    await new Promise((r) => setTimeout(r, 30));
    cluster.apply(
      'pods',
      pod(
        'api-gateway-c',
        'shop',
        { app: 'api-gateway' },
        { ports: [{ name: 'http', containerPort: 8081 }] },
      ),
    );
    const got = (await pending).toString();
    if (process.env.DEBUG_ENGINE) console.log(logger.lines.join('\n'));
    expect(got).toBe('C:late');
  });

  it('re-dials a cut session without closing the listener', async () => {
    const { cluster, engine, events, logger } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    const before = cluster.sessions.filter((s) => s.pod === 'postgres-0').length;
    for (const s of cluster.sessions) s.cut('all streams dropped');
    const f = await eventually(
      () =>
        seen(events, (x) => x.serviceKey === 'postgres.shop.sim' && /lost connection/.test(x.reason ?? '')),
      3000,
      'lost connection shown',
    );
    expect(f.reason).toMatch(/lost connection to pod postgres-0/);
    expect(['Waiting', 'Connecting']).toContain(f.status);
    // The warning names, for programs reading the log, the forward and the pod it lost.
    const lost = logger.entries.find((e) => e.line.startsWith('warn postgres.shop: lost connection'));
    expect(lost?.fields).toMatchObject({
      subject: { serviceKey: 'postgres.shop.sim', namespace: 'shop', context: 'sim', podName: 'postgres-0' },
    });
    // A connection during the backoff waits for the re-dial.
    expect((await roundTrip(`${NET}.2`, 5432, 'again')).toString()).toBe('again');
    expect(cluster.sessions.filter((s) => s.pod === 'postgres-0').length).toBeGreaterThan(before);
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    expect(engine.forwards().find((x) => x.serviceKey === 'postgres.shop.sim')?.reconnects).toBeGreaterThan(
      0,
    );
    expect(
      events.some((e) => e.type === 'Reconnect' && e.serviceKey === 'postgres.shop.sim' && e.success),
    ).toBe(true);
  }, 10_000);

  it('checkConnections proves every session and restarts the watches: a dead one is re-dialled at once, live ones are left alone', async () => {
    const { cluster, engine, logger } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    await eventually(() => status(engine, 'api-gateway.shop.sim') === 'Active');
    const [pg] = cluster.sessions.filter((s) => s.pod === 'postgres-0');
    const [gw] = cluster.sessions.filter((s) => s.pod === 'api-gateway-a');
    // The postgres pod's connection went silent while the machine slept; the gateway's did not.
    pg!.silent = true;
    const result = await engine.checkConnections('the machine was asleep for 12m 5s');
    expect(result).toEqual({ checked: 2, dead: 1, watches: 3 });
    expect(pg!.checks).toBe(1);
    expect(gw!.checks).toBe(1);
    expect(cluster.watchRestarts('services', 'shop')).toBe(1);
    expect(cluster.watchRestarts('pods', 'shop')).toBe(1);
    expect(cluster.watchRestarts('endpoints', 'shop')).toBe(1);
    expect(logger.lines).toContain(
      'info the machine was asleep for 12m 5s: proving 2 port-forward connections (one per pod) and watching the cluster again',
    );
    expect(logger.lines).toContain(
      'warn 1 of 2 port-forward connections was dead after the machine was asleep for 12m 5s; its forwards reconnect',
    );
    // The dead one is re-dialled without waiting for a connection or a backoff; the other is kept.
    await eventually(() => cluster.sessions.filter((s) => s.pod === 'postgres-0').length === 2);
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    expect(cluster.sessions.filter((s) => s.pod === 'api-gateway-a')).toHaveLength(1);
    expect((await roundTrip(`${NET}.2`, 5432, 'after')).toString()).toBe('after');

    // Two requests while one runs: one more check after it, not two.
    const first = engine.checkConnections('the network changed: wlan0 10.0.0.7 new');
    const second = engine.checkConnections('again');
    const third = engine.checkConnections('and again');
    expect(second).toBe(third);
    await Promise.all([first, second]);
    expect(gw!.checks).toBe(3);
  });

  it('a check that fails is said and does not stop the next one', async () => {
    const { cluster, engine, logger } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    const [pg] = cluster.sessions.filter((s) => s.pod === 'postgres-0');
    const check = pg!.session.check.bind(pg!.session);
    let failures = 1;
    Object.assign(pg!.session, {
      check: (ms: number) => (failures-- > 0 ? Promise.reject(new Error('boom')) : check(ms)),
    });
    const running = engine.checkConnections('the machine was asleep for 1m 0s');
    const queued = engine.checkConnections('the network changed: tun0 10.8.0.2 new');
    expect(await running).toEqual({ checked: 0, dead: 0, watches: 0 });
    expect(logger.lines).toContain(
      'error checking the connections after the machine was asleep for 1m 0s failed: boom',
    );
    expect((await queued).checked).toBe(2);
    expect((await engine.checkConnections('again')).checked).toBe(2);
  });

  it('checkConnections with nothing to prove says nothing', async () => {
    const { engine, logger } = setup();
    expect(await engine.checkConnections('the machine was asleep for 1m 0s')).toEqual({
      checked: 0,
      dead: 0,
      watches: 0,
    });
    expect(logger.lines.filter((l) => l.includes('asleep'))).toEqual([]);
  });

  it('a pod replaced in one burst of events (a resumed watch replaying it) moves the forward without a "no ready pod" between', async () => {
    const { cluster, engine, logger } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    await backend(cluster, 'postgres-1', 5432, 'new:');
    cluster.remove('pods', 'shop', 'postgres-0');
    cluster.apply(
      'pods',
      pod('postgres-1', 'shop', { app: 'postgres' }, { ports: [{ containerPort: 5432 }] }),
    );
    await eventually(
      () => engine.forwards().find((f) => f.serviceKey === 'postgres.shop.sim')?.podName === 'postgres-1',
    );
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    expect(logger.lines.filter((l) => l.includes('postgres.shop') && l.includes('wait for a pod'))).toEqual(
      [],
    );
    expect((await roundTrip(`${NET}.2`, 5432, 'moved')).toString()).toBe('new:moved');
  });

  it('re-dials when a pod is recreated under the same name (StatefulSet)', async () => {
    const { cluster, engine, events } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    const before = cluster.sessions.filter((s) => s.pod === 'postgres-0').length;
    const again = pod('postgres-0', 'shop', { app: 'postgres' }, { ports: [{ containerPort: 5432 }] });
    again.metadata.uid = 'uid-postgres-0-b';
    cluster.apply('pods', again);
    await eventually(() => cluster.sessions.filter((s) => s.pod === 'postgres-0').length > before);
    await eventually(() => status(engine, 'postgres.shop.sim') === 'Active');
    expect(events.some((e) => e.type === 'Reconnect' && e.trigger === 'pod-change')).toBe(true);
    expect((await roundTrip(`${NET}.2`, 5432, 'same')).toString()).toBe('same');
  });

  it('a refused pod-side stream ends that connection only', async () => {
    const { cluster, engine } = setup();
    cluster.apply('services', service('multi', 'shop', [{ port: 7001 }, { port: 7002 }]));
    cluster.apply('pods', pod('multi-0', 'shop', { app: 'multi' }));
    await backend(cluster, 'multi-0', 7001);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(
      () => engine.forwards().length === 2 && engine.forwards().every((f) => f.status === 'Active'),
    );
    // The pod refuses port 7002: that one connection is closed with nothing received.
    expect((await roundTrip(`${NET}.1`, 7002, 'x').catch(() => Buffer.alloc(0))).length).toBe(0);
    expect((await roundTrip(`${NET}.1`, 7001, 'ok')).toString()).toBe('ok');
    expect(engine.forwards().every((f) => f.status === 'Active')).toBe(true);
  });
});

describe('engine: waiting and errors', () => {
  it('waits for a not-ready pod up to -t, shows Error TIMEOUT, and recovers when it becomes ready', async () => {
    const { cluster, engine, events, logger } = setup({ timeoutMs: 150 });
    cluster.apply('services', service('slow', 'app', [{ port: 9000 }]));
    cluster.apply('pods', pod('slow-0', 'app', { app: 'slow' }, { ready: false }));
    await backend(cluster, 'slow-0', 9000);
    await engine.addNamespace({ namespace: 'app' });
    const waiting = await eventually(() => seen(events, (f) => f.status === 'Waiting'));
    expect(waiting.reason).toMatch(/pod slow-0 is not ready yet; waiting up to/);
    const timedOut = await eventually(
      () => engine.forwards().find((f) => f.status === 'Error'),
      3000,
      'timeout',
    );
    expect(timedOut).toMatchObject({ errorCode: 'TIMEOUT' });
    expect(timedOut.reason).toMatch(/did not become ready within/);
    // In the log when it happens, once, not only when a connection waiting on it gives up.
    expect(logger.lines.filter((l) => l.includes('did not become ready'))).toEqual([
      'warn slow.app: pod slow-0 did not become ready within 0s (-t); still watching it',
    ]);
    cluster.apply('pods', pod('slow-0', 'app', { app: 'slow' }));
    await eventually(() => engine.forwards().find((f) => f.status === 'Active'));
    expect((await roundTrip(`${NET}.1`, 9000, 'ready')).toString()).toBe('ready');
  });

  it('reaches the -t timeout even when its timer fires before the clock says the wait is over', async () => {
    // Node timers may run a millisecond early against Date.now(); here every timer runs 20 ms early.
    const early: Clock = {
      now: () => Date.now(),
      setTimeout: (fn, ms) => {
        const t = setTimeout(fn, Math.max(0, ms - 20));
        return { cancel: () => clearTimeout(t) };
      },
    };
    const { cluster, engine } = setup({ timeoutMs: 150 }, undefined, undefined, early);
    cluster.apply('services', service('slow', 'app', [{ port: 9000 }]));
    cluster.apply('pods', pod('slow-0', 'app', { app: 'slow' }, { ready: false }));
    await engine.addNamespace({ namespace: 'app' });
    const timedOut = await eventually(
      () => engine.forwards().find((f) => f.status === 'Error'),
      3000,
      'timeout',
    );
    expect(timedOut).toMatchObject({ errorCode: 'TIMEOUT' });
  });

  it('shows Waiting with a reason when no pod matches', async () => {
    const { cluster, engine } = setup();
    cluster.apply('services', service('lonely', 'app', [{ port: 9001 }]));
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards()[0]);
    expect(f).toMatchObject({ status: 'Waiting', errorCode: 'NO_PODS', podName: '' });
    expect(f.reason).toMatch(/no ready pod matches selector app=lonely/);
  });

  it('closes connections at once, with the reason, to a service that has had no pod for longer than the hold', async () => {
    const { cluster, engine, logger } = setup({ connectWaitMs: 300 });
    cluster.apply('services', service('lonely', 'app', [{ port: 9001 }]));
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => engine.forwards()[0]?.status === 'Waiting');
    await new Promise((r) => setTimeout(r, 400));
    expect((await roundTrip(`${NET}.1`, 9001, 'x').catch(() => Buffer.alloc(0))).length).toBe(0);
    await eventually(() => logger.lines.find((l) => l.includes('not holding the connection')));
    expect(logger.lines.some((l) => l.includes('no connection to a pod within'))).toBe(false);
    // A pod arriving ends that: connections flow again.
    await backend(cluster, 'lonely-0', 9001);
    cluster.apply('pods', pod('lonely-0', 'app', { app: 'lonely' }));
    await eventually(() => engine.forwards()[0]?.status === 'Active');
    expect((await roundTrip(`${NET}.1`, 9001, 'back')).toString()).toBe('back');
  });

  it('keeps a forward whose pod cannot be dialled visible in Error with reason and next retry', async () => {
    const { cluster, engine, events } = setup({
      autoReconnect: true,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cluster.failingPods.add('broken-0');
    cluster.apply('services', service('broken', 'app', [{ port: 9002 }]));
    cluster.apply('pods', pod('broken-0', 'app', { app: 'broken' }));
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => seen(events, (x) => x.status === 'Error'));
    expect(f).toMatchObject({ errorCode: 'API_UNREACHABLE', podName: 'broken-0' });
    expect(f.reason).toMatch(/cannot connect to pod broken-0/);
    expect(f.nextRetryAt).toBeDefined();
    await eventually(
      () => events.filter((e) => e.type === 'Reconnect' && !e.success).length >= 3,
      3000,
      'retries',
    );
    expect(engine.forwards()).toHaveLength(1);
    // Fixed → the next retry succeeds and the backoff resets.
    cluster.failingPods.delete('broken-0');
    await eventually(() => engine.forwards().find((x) => x.status === 'Active'), 3000, 'recovery');
  });

  it('a busy API server (429 Retry-After) is tried again no sooner than it asked', async () => {
    const { cluster, engine, logger } = setup({ backoff: { initialMs: 50, maxMs: 60_000 } });
    cluster.failingPods.add('busy-0');
    cluster.dialError = new KubefwdError('API_BUSY', 'the API server is too busy (429 Too Many Requests)', {
      retryAfterMs: 7_000,
    });
    cluster.apply('services', service('busy', 'app', [{ port: 9013 }]));
    cluster.apply('pods', pod('busy-0', 'app', { app: 'busy' }));
    await engine.addNamespace({ namespace: 'app' });
    // Waiting, not Error: the server asked for the pause, nothing is broken on this side.
    const f = await eventually(() => engine.forwards().find((x) => x.errorCode === 'API_BUSY'));
    expect(f.status).toBe('Waiting');
    // No frozen countdown in the reason (it would be stale when read); nextRetryAt says when.
    expect(f.reason).toBe('cannot connect to pod busy-0: the API server is too busy (429 Too Many Requests)');
    // The log says when too (the API's reason is not all a user reads).
    expect(logger.lines).toContain(
      'warn busy.app: cannot connect to pod busy-0: the API server is too busy (429 Too Many Requests); retrying in 7s',
    );
    expect(Date.parse(f.nextRetryAt!) - Date.now()).toBeGreaterThan(5_000);
  });

  it('an API server that does not answer is retried without -a, and a new connection is held, not refused', async () => {
    const { cluster, engine } = setup({ backoff: { initialMs: 300, maxMs: 300 } });
    cluster.failingPods.add('flaky-0');
    cluster.apply('services', service('flaky', 'app', [{ port: 9012 }]));
    cluster.apply('pods', pod('flaky-0', 'app', { app: 'flaky' }));
    await backend(cluster, 'flaky-0', 9012, 'flaky:');
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Error'));
    expect(f).toMatchObject({ errorCode: 'API_UNREACHABLE', nextRetryAt: expect.any(String) as unknown });
    // The API server comes back while a client waits: its connection is carried, not closed.
    const reply = roundTrip(f.localIP, 9012, 'held');
    setTimeout(() => cluster.failingPods.delete('flaky-0'), 100);
    expect((await reply).toString()).toBe('flaky:held');
  });

  it('a re-dial after a failure keeps the failure visible (an outage is not "connecting" for its length)', async () => {
    const { cluster, engine } = setup({ backoff: { initialMs: 200, maxMs: 200 } });
    cluster.failingPods.add('mute-0');
    cluster.apply('services', service('mute', 'app', [{ port: 9014 }]));
    cluster.apply('pods', pod('mute-0', 'app', { app: 'mute' }));
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => engine.forwards().find((x) => x.status === 'Error'));
    // The server now takes the retry and never answers it.
    cluster.failingPods.delete('mute-0');
    cluster.hangingPods.add('mute-0');
    const f = await eventually(() => engine.forwards().find((x) => /trying again now/.test(x.reason ?? '')));
    expect(f).toMatchObject({
      status: 'Error',
      errorCode: 'API_UNREACHABLE',
      error: 'cannot dial pod mute-0',
      reason: 'cannot connect to pod mute-0: cannot dial pod mute-0; trying again now (attempt 2)',
    });
    expect(f.nextRetryAt).toBeUndefined();
  });

  it('a named target port its pod does not declare is forwarded as kubefwd does, and said once', async () => {
    const { cluster, engine, logger } = setup();
    cluster.apply('services', service('named', 'app', [{ port: 9016, targetPort: 'nope' }]));
    cluster.apply('pods', pod('named-0', 'app', { app: 'named' }));
    await backend(cluster, 'named-0', 9016, 'N:');
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Active'));
    expect((await roundTrip(f.localIP, 9016, 'x')).toString()).toBe('N:x');
    await engine.syncService('named.app.sim', true);
    const told = logger.lines.filter((l) => l.includes('targets port "nope"'));
    expect(told).toEqual([
      'warn named.app: port 9016 targets port "nope", which pod named-0 does not declare; forwarding to its port 9016 instead (Kubernetes itself routes nothing there)',
    ]);
  });

  it('a re-dial after a lost session says what was lost until it succeeds', async () => {
    const { cluster, engine } = setup();
    cluster.apply('services', service('lost', 'app', [{ port: 9015 }]));
    cluster.apply('pods', pod('lost-0', 'app', { app: 'lost' }));
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => engine.forwards().find((x) => x.status === 'Active'));
    await new Promise((r) => setTimeout(r, 1100)); // a session that lived: re-dialled at once
    cluster.hangingPods.add('lost-0');
    for (const c of cluster.sessions) c.cut('keep-alive: no answer for 30 s');
    const f = await eventually(() => engine.forwards().find((x) => /trying again now/.test(x.reason ?? '')));
    expect(f).toMatchObject({
      status: 'Connecting',
      errorCode: 'STREAM_ERROR',
      reason: 'lost connection to pod lost-0: keep-alive: no answer for 30 s; trying again now (attempt 1)',
    });
  });

  it('moves an auto-allocated address whose port another program holds on to a free one', async () => {
    const { cluster, engine, listener, logger } = setup();
    const blocker = await listener.listen(`${NET}.1`, 9003, (s) => s.destroy());
    cleanups.push(() => blocker.close());
    cluster.apply('services', service('taken', 'app', [{ port: 9003 }]));
    cluster.apply('pods', pod('taken-0', 'app', { app: 'taken' }));
    await backend(cluster, 'taken-0', 9003, 'moved:');
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Active'));
    expect(f.localIP).toBe(`${NET}.2`);
    expect(engine.services()[0]?.localIP).toBe(`${NET}.2`);
    expect((await roundTrip(`${NET}.2`, 9003, 'x')).toString()).toBe('moved:x');
    const log = logger.lines.join('\n');
    // The address once, not again as "NET.1:9003" from the listener's message.
    expect(log).toContain(`warn taken.app: ${NET}.1 port 9003 is already in use`);
    expect(log).not.toContain(`${NET}.1:9003`);
    expect(log).toMatch(new RegExp(`warn taken\\.app: .*; moved to ${NET.replace(/\./g, '\\.')}\\.2$`, 'm'));
  });

  it('moving past several taken addresses is told once, when one binds', async () => {
    const { cluster, engine, listener, logger } = setup();
    const blockers = await Promise.all(
      [1, 2, 3].map((n) => listener.listen(`${NET}.${n}`, 9004, (s) => s.destroy())),
    );
    cleanups.push(() => Promise.all(blockers.map((b) => b.close())).then(() => undefined));
    cluster.apply('services', service('crowded', 'app', [{ port: 9004 }]));
    cluster.apply('pods', pod('crowded-0', 'app', { app: 'crowded' }));
    await backend(cluster, 'crowded-0', 9004, 'here:');
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Active'));
    expect(f.localIP).toBe(`${NET}.4`);
    const warns = logger.lines.filter((l) => l.startsWith('warn crowded.app:'));
    expect(warns).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warn crowded\\.app: ${NET.replace(/\./g, '\\.')}\\.1 port 9004 .*; moved to ${NET.replace(/\./g, '\\.')}\\.4 \\(2 more addresses on the way were taken too\\)$`,
        ),
      ),
    ]);
  });

  it('addService answers the address the forward ended on after moving past taken ones', async () => {
    const { cluster, engine, listener } = setup();
    const blockers = await Promise.all(
      [1, 2, 3].map((n) => listener.listen(`${NET}.${n}`, 9005, (s) => s.destroy())),
    );
    cleanups.push(() => Promise.all(blockers.map((b) => b.close())).then(() => undefined));
    cluster.apply('services', service('busy', 'app', [{ port: 9005 }]));
    cluster.apply('pods', pod('busy-0', 'app', { app: 'busy' }));
    await backend(cluster, 'busy-0', 9005, 'busy:');
    const rec = await engine.addService({ namespace: 'app', serviceName: 'busy' });
    expect(rec.localIP).toBe(`${NET}.4`);
    expect((await roundTrip(rec.localIP, 9005, 'x')).toString()).toBe('busy:x');
  });

  it('keeps a reserved address whose port another program holds in Error with the reason', async () => {
    const { cluster, engine, listener, hosts } = setup({
      reservations: { baseIP: `${NET}.1`, reservations: [{ name: 'taken', ip: `${NET}.9` }] },
    });
    const blocker = await listener.listen(`${NET}.9`, 9003, (s) => s.destroy());
    cleanups.push(() => blocker.close());
    cluster.apply('services', service('taken', 'app', [{ port: 9003 }]));
    cluster.apply('pods', pod('taken-0', 'app', { app: 'taken' }));
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.errorCode === 'PORT_IN_USE'));
    expect(f.status).toBe('Error');
    expect(f.localIP).toBe(`${NET}.9`);
    expect(f.reason).toContain(`${NET}.9:9003`);
    // Its names would lead clients to whoever holds the address: out of the hosts file meanwhile.
    await engine.flushHosts();
    expect(readBlock(hosts.content, 'kubefwd').some((e) => e.ip === `${NET}.9`)).toBe(false);
    // The address free again, a sync binds it and the names come back.
    await blocker.close();
    await engine.syncService('taken.app.sim', true);
    await eventually(() =>
      engine.forwards().find((x) => x.localIP === `${NET}.9` && x.errorCode === undefined),
    );
    await engine.flushHosts();
    expect(readBlock(hosts.content, 'kubefwd').find((e) => e.ip === `${NET}.9`)?.hostnames[0]).toBe('taken');
  });
});

describe('engine: live service changes and kinds', () => {
  it('adds, updates and deletes services live, and keeps the hosts block in step', async () => {
    const { cluster, engine, hosts } = setup();
    cluster.apply('services', service('one', 'live', [{ port: 9100 }]));
    cluster.apply('pods', pod('one-0', 'live', { app: 'one' }));
    await backend(cluster, 'one-0', 9100);
    await backend(cluster, 'one-0', 9101, 'new:');
    await engine.addNamespace({ namespace: 'live' });
    cluster.apply('services', service('two', 'live', [{ port: 9200 }]));
    await eventually(() => engine.services().some((s) => s.serviceName === 'two'));
    // ports changed: a new listener for the new port, the old one goes
    cluster.apply('services', service('one', 'live', [{ port: 9101 }]));
    await eventually(() => engine.forwards().find((f) => f.localPort === '9101' && f.status === 'Active'));
    expect(engine.forwards().some((f) => f.localPort === '9100')).toBe(false);
    expect((await roundTrip(`${NET}.1`, 9101, 'p')).toString()).toBe('new:p');
    // selector changed: no pod matches any more
    cluster.apply('services', service('one', 'live', [{ port: 9101 }], { selector: { app: 'other' } }));
    await eventually(() => engine.forwards().find((f) => f.serviceName === 'one' && f.status === 'Waiting'));
    cluster.remove('services', 'live', 'two');
    await eventually(() => !engine.services().some((s) => s.serviceName === 'two'));
    await engine.flushHosts();
    const names = readBlock(hosts.content, 'kubefwd').flatMap((e) => e.hostnames);
    expect(names).toContain('one');
    expect(names).not.toContain('two');
  });

  it('headless: every ready pod under pod.svc, the service name on the first', async () => {
    const { cluster, engine, hosts } = setup();
    cluster.apply('services', service('kafka', 'data', [{ port: 9092 }], { headless: true }));
    for (const p of ['kafka-1', 'kafka-0']) {
      cluster.apply('pods', pod(p, 'data', { app: 'kafka' }));
      await backend(cluster, p, 9092, `${p}:`);
    }
    await engine.addNamespace({ namespace: 'data' });
    await eventually(
      () => engine.forwards().length === 3 && engine.forwards().every((f) => f.status === 'Active'),
    );
    expect(engine.services().map((s) => [s.key, s.localIP, s.headless])).toEqual([
      ['kafka.data.sim', `${NET}.1`, true],
      ['kafka-0.kafka.data.sim', `${NET}.2`, true],
      ['kafka-1.kafka.data.sim', `${NET}.3`, true],
    ]);
    expect(engine.forwards().find((f) => f.serviceKey === 'kafka.data.sim')?.podName).toBe('kafka-0');
    expect(engine.forwards().find((f) => f.serviceKey === 'kafka-1.kafka.data.sim')?.registryKey).toBe(
      'kafka.data.sim',
    );
    expect((await roundTrip(`${NET}.3`, 9092, 'm')).toString()).toBe('kafka-1:m');
    await engine.flushHosts();
    expect(
      readBlock(hosts.content, 'kubefwd')
        .find((e) => e.ip === `${NET}.3`)
        ?.hostnames.slice(0, 2),
    ).toEqual(['kafka-1.kafka', 'kafka-1-kafka']);
    // One pod's row reconnects that pod's forward only.
    await engine.reconnectService('kafka-1.kafka.data.sim');
    await eventually(
      () => engine.forwards().find((f) => f.serviceKey === 'kafka-1.kafka.data.sim')?.reconnects === 1,
    );
    expect(
      engine
        .forwards()
        .filter((f) => f.reconnects > 0)
        .map((f) => f.serviceKey),
    ).toEqual(['kafka-1.kafka.data.sim']);
    cluster.remove('pods', 'data', 'kafka-1');
    await eventually(() => engine.forwards().length === 2);
  });

  it('a headless pod entry is not removed alone; reconnect-all lists the rows it reconnected', async () => {
    const { cluster, engine, events } = setup();
    cluster.apply('services', service('kafka', 'data', [{ port: 9092 }], { headless: true }));
    cluster.apply(
      'services',
      service('ext', 'data', [{ port: 80 }], { type: 'ExternalName', selector: null }),
    );
    for (const p of ['kafka-0', 'kafka-1']) {
      cluster.apply('pods', pod(p, 'data', { app: 'kafka' }));
      await backend(cluster, p, 9092, `${p}:`);
    }
    await engine.addNamespace({ namespace: 'data' });
    await eventually(
      () => engine.forwards().length === 3 && engine.forwards().every((f) => f.status === 'Active'),
    );
    const keys = ['kafka.data.sim', 'kafka-0.kafka.data.sim', 'kafka-1.kafka.data.sim'];
    await expect(engine.removeService('kafka-0.kafka.data.sim')).rejects.toMatchObject({
      code: 'INVALID_KEY',
      message: expect.stringContaining('headless service kafka') as unknown,
      hint: expect.stringContaining('kafka.data.sim') as unknown,
    });
    expect(engine.services().map((s) => s.key)).toEqual(keys);
    // The keys GET /services shows, and not the skipped ExternalName service.
    expect((await engine.reconnectErrored({ force: true })).sort()).toEqual([...keys].sort());
    await engine.removeService('kafka.data.sim');
    expect(engine.services()).toEqual([]);
    // Removals name what went as the records did (SSE ServiceRemoved / PodRemoved carry these).
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'ServiceRemoved',
        serviceKey: 'kafka-0.kafka.data.sim',
        registryKey: 'kafka.data.sim',
        serviceName: 'kafka-0.kafka',
        namespace: 'data',
        context: 'sim',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'ForwardRemoved',
        serviceKey: 'kafka-0.kafka.data.sim',
        serviceName: 'kafka-0.kafka',
        namespace: 'data',
        context: 'sim',
        podName: 'kafka-0',
      }),
    );
  });

  it('forwards a selector-less service to the pods its Endpoints name', async () => {
    const { cluster, engine, events } = setup();
    cluster.apply('services', service('legacy', 'ext', [{ port: 9300 }], { selector: null }));
    cluster.apply('pods', pod('legacy-pod', 'ext', { whatever: 'x' }));
    await backend(cluster, 'legacy-pod', 9300, 'L:');
    cluster.apply('endpoints', {
      metadata: { name: 'legacy', namespace: 'ext' },
      subsets: [
        {
          addresses: [{ ip: '10.1.1.1', targetRef: { kind: 'Pod', name: 'legacy-pod' } }],
          ports: [{ port: 9300 }],
        },
      ],
    });
    await engine.addNamespace({ namespace: 'ext' });
    await eventually(() =>
      engine.forwards().find((f) => f.status === 'Active' && f.podName === 'legacy-pod'),
    );
    expect((await roundTrip(`${NET}.1`, 9300, 'e')).toString()).toBe('L:e');
    // A pod its Endpoints do not name is not its business (history credited it with every pod).
    cluster.apply('services', service('unrelated', 'ext', [{ port: 9302 }]));
    cluster.apply('pods', pod('unrelated-0', 'ext', { app: 'unrelated' }));
    await eventually(() => engine.forwards().find((x) => x.podName === 'unrelated-0'));
    cluster.remove('pods', 'ext', 'unrelated-0');
    await eventually(() =>
      events.some((e) => e.type === 'PodChanged' && e.podName === 'unrelated-0' && e.change === 'deleted'),
    );
    const credited = events.flatMap((e) =>
      e.type === 'PodChanged' && e.podName === 'unrelated-0' ? e.serviceKeys : [],
    );
    expect(credited).toContain('unrelated.ext.sim');
    expect(credited).not.toContain('legacy.ext.sim');
    // Its pod replaced, the hand-kept Endpoints still name the old one: that is the reason shown,
    // with its own code (whose hint says to fix the Endpoints), not "check the workload's pods".
    cluster.remove('pods', 'ext', 'legacy-pod');
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Waiting'));
    expect(f.errorCode).toBe('ENDPOINTS_STALE');
    expect(f.reason).toMatch(
      /Endpoints name pod legacy-pod, which no longer exists; point them at running pods/,
    );
  });

  it('a role that may not list Endpoints forwards the services with a selector, and says once what it skips', async () => {
    const { cluster, engine, logger, events } = setup();
    cluster.forbid('endpoints', 'ext');
    cluster.apply('services', service('api', 'ext', [{ port: 9301 }]));
    cluster.apply('pods', pod('api-0', 'ext', { app: 'api' }, { ports: [{ containerPort: 9301 }] }));
    await backend(cluster, 'api-0', 9301, 'A:');
    cluster.apply('services', service('legacy', 'ext', [{ port: 9300 }], { selector: null }));
    cluster.apply('pods', pod('legacy-pod', 'ext', { whatever: 'x' }));
    await backend(cluster, 'legacy-pod', 9300, 'L:');
    cluster.apply('endpoints', {
      metadata: { name: 'legacy', namespace: 'ext' },
      subsets: [{ addresses: [{ ip: '10.1.1.1', targetRef: { kind: 'Pod', name: 'legacy-pod' } }] }],
    });
    // Waiting for the Endpoints to sync would hold every service back for ever.
    await engine.addNamespace({ namespace: 'ext' });
    await eventually(() => status(engine, 'api.ext.sim') === 'Active');
    const skipped = events.find((e) => e.type === 'ServiceSkipped' && e.registryKey === 'legacy.ext.sim');
    expect(skipped).toMatchObject({
      reason: expect.stringContaining('may not list and watch Endpoints') as unknown,
    });
    expect(
      logger.lines.filter((l) => l.includes('kubefwd may not list and watch Endpoints here')),
    ).toHaveLength(1);
    // Not a failure to follow the namespace: services and pods are watched.
    expect(engine.namespaces()[0]!.watchError).toBeUndefined();
    // Granted later: the selector-less service is forwarded without a restart.
    cluster.allow('endpoints', 'ext');
    await eventually(() => status(engine, 'legacy.ext.sim') === 'Active');
    expect((await roundTrip(`${NET}.2`, 9300, 'e')).toString()).toBe('L:e');
  });

  it('skips ExternalName, UDP-only and endpoint-less selector-less services with a reason', async () => {
    const { cluster, engine, events } = setup();
    cluster.apply(
      'services',
      service('ext', 'skip', [{ port: 80 }], { type: 'ExternalName', selector: null }),
    );
    cluster.apply('services', service('dns', 'skip', [{ port: 53, protocol: 'UDP' }]));
    cluster.apply('services', service('manual', 'skip', [{ port: 81 }], { selector: null }));
    await engine.addNamespace({ namespace: 'skip' });
    const skipped = await eventually(() => {
      const s = events.filter((e) => e.type === 'ServiceSkipped');
      return s.length === 3 ? s : undefined;
    });
    expect(skipped.map((e) => (e.type === 'ServiceSkipped' ? e.registryKey : ''))).toEqual([
      'dns.skip.sim',
      'ext.skip.sim',
      'manual.skip.sim',
    ]);
    expect(engine.services()).toEqual([]);
  });

  it('warns once about the UDP ports of a service it forwards (kube-dns: 53/UDP next to 53/TCP)', async () => {
    const { cluster, engine, logger } = setup();
    cluster.apply(
      'services',
      service('kube-dns', 'dns', [
        { port: 53, protocol: 'UDP', name: 'dns' },
        { port: 53, name: 'dns-tcp' },
      ]),
    );
    cluster.apply('pods', pod('coredns-0', 'dns', { app: 'kube-dns' }));
    await backend(cluster, 'coredns-0', 53);
    await engine.addNamespace({ namespace: 'dns' });
    await eventually(() => status(engine, 'kube-dns.dns.sim') === 'Active');
    await engine.syncService('kube-dns.dns.sim', true);
    const told = logger.lines.filter((l) => l.startsWith('warn kube-dns.dns: not forwarding port 53/UDP'));
    expect(told).toHaveLength(1);
  });

  it('names a -m mapping that maps no port of the forwarded services', async () => {
    const { cluster, engine } = setup({
      mappings: new Map([
        [5432, 15432],
        [5433, 15433],
      ]),
    });
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await engine.whenSynced();
    expect(engine.unmatchedNames()).toEqual([
      expect.stringMatching(/^--mapping 5433:15433 matches no service port of the forwarded services/),
    ]);
  });

  it('applies -m mappings and -r reservations', async () => {
    const { cluster, engine } = setup({
      mappings: new Map([[9400, 9401]]),
      reservations: { baseIP: `${NET}.1`, reservations: [{ name: 'api', ip: RESERVED_IP }] },
    });
    cluster.apply('services', service('api', 'map', [{ port: 9400 }]));
    cluster.apply('services', service('web', 'map', [{ port: 9400 }]));
    cluster.apply('pods', pod('api-0', 'map', { app: 'api' }));
    await backend(cluster, 'api-0', 9400, 'api:');
    await engine.addNamespace({ namespace: 'map' });
    expect(engine.services().map((s) => [s.serviceName, s.localIP, s.ports[0]?.localPort])).toEqual([
      ['api', RESERVED_IP, 9401],
      ['web', `${NET}.1`, 9401],
    ]);
    await eventually(() => engine.forwards().find((f) => f.serviceName === 'api' && f.status === 'Active'));
    expect((await roundTrip(RESERVED_IP, 9401, 'm')).toString()).toBe('api:m');
  });
});

describe('engine: hosts file', () => {
  it('writes many services in one batched write and removes only its block at shutdown', async () => {
    const foreign = '\uFEFF# my hosts\r\n127.0.0.1 localhost\r\n10.0.0.5 nas';
    const { cluster, engine, hosts } = setup(
      { apiHostEntry: { ip: '127.2.27.1', hostname: 'kubefwd.internal' } },
      foreign,
    );
    for (let i = 0; i < 30; i++)
      cluster.apply('services', service(`svc-${String(i).padStart(2, '0')}`, 'many', [{ port: 10000 + i }]));
    await engine.addNamespace({ namespace: 'many' });
    await engine.flushHosts();
    expect(hosts.writes).toBeLessThanOrEqual(2);
    const block = readBlock(hosts.content, 'kubefwd');
    expect(block[0]).toEqual({ ip: '127.2.27.1', hostnames: ['kubefwd.internal'] });
    expect(block).toHaveLength(31);
    expect(hosts.content).toContain('\r\n# kubefwd begin kubefwd\r\n');
    await engine.shutdown();
    expect(hosts.content).toBe(foreign);
  });

  it('removes a stale block left by a killed instance at start, and purges with -p', async () => {
    const stale =
      '127.0.0.1 localhost\n127.1.27.9 old-svc\n# kubefwd begin other\n127.1.27.1 ghost\n# kubefwd end other\n';
    const { engine, hosts, logger } = setup({ purgeStaleIps: true }, stale);
    await engine.flushHosts();
    expect(hosts.content).toBe('127.0.0.1 localhost\n');
    expect(logger.lines.some((l) => l.includes('Purged 1 stale host entries'))).toBe(true);
  });
});

describe('engine: several contexts', () => {
  it('names a second context’s services svc.ctx and gives them the next address block (--service too)', async () => {
    const a = new FakeCluster('sim');
    const b = new FakeCluster('prod');
    for (const c of [a, b]) c.apply('services', service('api', 'web', [{ port: 9601 }]));
    const hosts = new MemoryHosts();
    const listener = netListeners();
    const logger = memoryLogger();
    const engine = createEngine({
      clusters: fakeProvider(a, b),
      hosts,
      listener,
      loopback: noLoopback,
      traffic: countingTraffic(),
      logger,
      options: { ipBase: `${NET}.1`, hostsBatchMs: 5 },
    });
    cleanups.push(async () => {
      await engine.shutdown();
      await listener.closeAll();
    });
    await engine.addNamespace({ namespace: 'web' });
    // What the daemon does for --service prod/web/api (engine options take no --service).
    await engine.addService({ namespace: 'web', serviceName: 'api', context: 'prod' });
    await eventually(() => engine.services().length === 2, 3000, 'the --service of the second context');
    // The namespace was added first (sim is context 0); the --service of prod follows (context 1).
    const byKey = new Map(engine.services().map((s) => [s.key, s]));
    expect(byKey.get('api.web.sim')).toMatchObject({ localIP: `${NET}.1` });
    expect(byKey.get('api.web.prod')).toMatchObject({ localIP: `${ipPrefix(`${NET}.1`, 1)}1` });
    expect(byKey.get('api.web.prod')?.hostnames).toEqual([
      'api.prod',
      'api-prod',
      'api.web.prod',
      'api-web-prod',
      'api.web.svc.prod',
      'api-web-svc-prod',
      'api.web.svc.cluster.prod',
      'api-web-svc-cluster-prod',
    ]);
    expect(byKey.get('api.web.sim')?.hostnames.slice(0, 3)).toEqual(['api', 'api.web', 'api-web']);
    // Log lines tell the two apart as the names do: the second context's carry it.
    await eventually(() => logger.lines.some((l) => l.startsWith('info api.web (context prod) → ')));
    expect(logger.lines.filter((l) => / api\.web(?! \(context prod\))/.test(l)).length).toBeGreaterThan(0);
    expect(logger.lines.some((l) => l.includes('api.web (context sim)'))).toBe(false);
    // For programs (--json-logs, the API's /logs) every forward line names its forward in fields.
    const announced = logger.entries.find((e) => e.line.startsWith('info api.web (context prod) → '));
    expect(announced?.fields).toEqual({
      subject: {
        serviceKey: 'api.web.prod',
        serviceName: 'api',
        namespace: 'web',
        context: 'prod',
        localIP: byKey.get('api.web.prod')?.localIP,
      },
    });
  });
});

describe('engine: hosts file of several instances', () => {
  it('keeps the block of a live instance when told which blocks are stale', async () => {
    const other =
      '# kubefwd begin pid-1\n127.1.27.1 live\n# kubefwd end pid-1\n# kubefwd begin pid-999999\n127.1.27.2 dead\n# kubefwd end pid-999999\n';
    const { engine, hosts } = setup(
      {
        hostsBlockId: 'pid-2',
        isStaleBlock: (id) => id !== 'pid-1',
        apiHostEntry: { ip: '127.2.27.1', hostname: 'kubefwd.internal' },
      },
      other,
    );
    await engine.flushHosts();
    expect(hosts.content).toBe(
      '# kubefwd begin pid-1\n127.1.27.1 live\n# kubefwd end pid-1\n# kubefwd begin pid-2\n127.2.27.1 kubefwd.internal\n# kubefwd end pid-2\n',
    );
    await engine.shutdown();
    expect(readBlock(hosts.content, 'pid-1')).toEqual([{ ip: '127.1.27.1', hostnames: ['live'] }]);
  });
});

describe('engine: controller', () => {
  it('checks access before watching and names the missing permissions', async () => {
    const { cluster, engine } = setup();
    cluster.missingPermissions = ['create pods/portforward', 'watch services'];
    await expect(engine.addNamespace({ namespace: 'locked' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringContaining('create pods/portforward, watch services') as unknown,
    });
    expect(engine.namespaces()).toEqual([]);
  });

  it('rejects duplicates and unknown namespaces/contexts/services', async () => {
    const { engine } = setup();
    await engine.addNamespace({ namespace: 'a' });
    await expect(engine.addNamespace({ namespace: 'a' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(engine.removeNamespace('b')).rejects.toMatchObject({ code: 'NAMESPACE_NOT_FOUND' });
    await expect(engine.addNamespace({ namespace: 'a', context: 'nope' })).rejects.toMatchObject({
      code: 'CONTEXT_NOT_FOUND',
    });
    await expect(engine.removeService('x.a.sim')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(engine.reconnectService('bad')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(engine.addService({ namespace: 'a', serviceName: 'missing' })).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
    });
    await engine.removeNamespace('a');
    expect(engine.namespaces()).toEqual([]);
  });

  it('adds and removes single services (also outside watched namespaces) and honours exclusions', async () => {
    const { cluster, engine } = setup({ excludes: [{ namespace: 'shop', name: 'postgres' }] });
    await shop(cluster);
    cluster.apply('services', service('solo', 'elsewhere', [{ port: 9500 }]));
    cluster.apply('pods', pod('solo-0', 'elsewhere', { app: 'solo' }));
    await backend(cluster, 'solo-0', 9500, 'solo:');
    await engine.addNamespace({ namespace: 'shop' });
    expect(engine.services().map((s) => s.key)).toEqual(['api-gateway.shop.sim']);
    const solo = await engine.addService({ namespace: 'elsewhere', serviceName: 'solo' });
    expect(solo).toMatchObject({ key: 'solo.elsewhere.sim', localIP: SOLO_IP });
    expect(engine.namespaces().map((n) => n.key)).toEqual(['shop.sim']);
    await eventually(() => status(engine, 'solo.elsewhere.sim') === 'Active');
    expect((await roundTrip(SOLO_IP, 9500, 's')).toString()).toBe('solo:s');
    await expect(engine.addService({ namespace: 'elsewhere', serviceName: 'solo' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    // an excluded service can still be added by hand
    const pg = await engine.addService({ namespace: 'shop', serviceName: 'postgres' });
    expect(pg.key).toBe('postgres.shop.sim');
    await engine.removeService('api-gateway.shop.sim');
    expect(
      engine
        .services()
        .map((s) => s.key)
        .sort(),
    ).toEqual(['postgres.shop.sim', 'solo.elsewhere.sim']);
    // removed by hand stays removed while the namespace is watched, even when the service changes
    cluster.apply(
      'services',
      service('api-gateway', 'shop', [{ port: 8080, targetPort: 'http' }], { labels: { v: '2' } }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(engine.services().some((s) => s.serviceName === 'api-gateway')).toBe(false);
    await engine.removeService('solo.elsewhere.sim');
    expect(cluster.activeWatchers()).toBe(3);
  });

  it('removing a namespace stops the services of it added one by one too', async () => {
    const { cluster, engine } = setup();
    await shop(cluster);
    await engine.addService({ namespace: 'shop', serviceName: 'postgres' });
    await engine.removeNamespace('shop');
    expect(engine.services()).toEqual([]);
    await expect(engine.removeNamespace('shop')).rejects.toMatchObject({
      code: 'NAMESPACE_NOT_FOUND',
      message: 'nothing of namespace shop is forwarded in context sim',
    });
  });

  it('a service removed by hand comes back when its whole namespace is asked for again', async () => {
    const { cluster, engine } = setup();
    await shop(cluster);
    await engine.addService({ namespace: 'shop', serviceName: 'api-gateway' });
    await engine.removeService('api-gateway.shop.sim');
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => engine.services().some((s) => s.serviceName === 'api-gateway'));
    // Also while the namespace is watched as a whole (-n shop): that is all the call does.
    await engine.removeService('api-gateway.shop.sim');
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(() => engine.services().some((s) => s.serviceName === 'api-gateway'));
    await expect(engine.addNamespace({ namespace: 'shop' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('refuses a selector that does not parse, and other selectors for a namespace forwarded already', async () => {
    const { cluster, engine } = setup();
    await shop(cluster);
    await expect(
      engine.addNamespace({ namespace: 'shop', labelSelector: 'app in (x' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'labelSelector',
    });
    expect(engine.namespaces()).toEqual([]);
    await engine.addNamespace({ namespace: 'shop' });
    await expect(
      engine.addNamespace({ namespace: 'shop', labelSelector: 'app=redis' }),
    ).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: 'namespace shop in context sim is forwarded already, without a selector',
      hint: 'Remove the namespace first to forward it with selector app=redis.',
    });
  });

  it('a namespace whose watch fails says so in its record until a list or a watch works again', async () => {
    const { cluster, engine, events } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    cluster.failWatch('services', 'shop', 'services is forbidden');
    cluster.failWatch('services', 'shop', 'services is forbidden');
    expect(engine.namespaces()[0]).toMatchObject({
      watchError: 'watch of services failed: services is forbidden',
      watchErrorSince: expect.any(String) as unknown,
    });
    // One event when it starts failing (not one per retry), one when it works again.
    const updates = () => events.filter((e) => e.type === 'NamespaceUpdated');
    expect(updates()).toHaveLength(1);
    cluster.relist('services', 'shop');
    expect(engine.namespaces()[0]!.watchError).toBeUndefined();
    expect(updates()).toHaveLength(2);
    // A watch resumed from its resourceVersion (no list) is a recovery too: after an API server
    // blip the informers re-watch, and the namespace must not stay "not followed" until a relist.
    cluster.failWatch('pods', 'shop', 'connection reset');
    expect(engine.namespaces()[0]!.watchError).toBe('watch of pods failed: connection reset');
    cluster.rewatch('pods', 'shop');
    expect(engine.namespaces()[0]!.watchError).toBeUndefined();
    expect(updates()).toHaveLength(4);
  });

  it('an add that a concurrent remove of the same service undid says so (409 CONFLICT), not a bare 500', async () => {
    // The loopback address holds the add up, so the remove lands while the add is under way.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const held: LoopbackGateway = { ensure: () => gate, release: () => Promise.resolve() };
    const { cluster, engine } = setup({}, undefined, undefined, undefined, held);
    cluster.apply('services', service('solo', 'elsewhere', [{ port: 9500 }]));
    cluster.apply('pods', pod('solo-0', 'elsewhere', { app: 'solo' }));
    const adding = engine.addService({ namespace: 'elsewhere', serviceName: 'solo' });
    adding.catch(() => undefined);
    await eventually(() => engine.services().some((s) => s.key === 'solo.elsewhere.sim'));
    // The remove waits for the add's work under way, then undoes it.
    const removing = engine.removeService('solo.elsewhere.sim');
    release();
    await removing;
    await expect(adding).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'service solo in elsewhere.sim was removed while it was being added',
    });
    expect(engine.services()).toEqual([]);
  });

  it('reconnectService re-dials and reconnectErrored reports the keys it touched', async () => {
    const { cluster, engine, events } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(
      () => engine.forwards().every((f) => f.status === 'Active') && engine.forwards().length === 2,
    );
    const sessions = cluster.sessions.length;
    await engine.reconnectService('postgres.shop.sim');
    await eventually(
      () => status(engine, 'postgres.shop.sim') === 'Active' && cluster.sessions.length > sessions,
    );
    expect(events.some((e) => e.type === 'Reconnect' && e.trigger === 'manual' && e.success)).toBe(true);
    expect(await engine.reconnectErrored()).toEqual([]);
    expect((await engine.reconnectErrored({ force: true })).sort()).toEqual([
      'api-gateway.shop.sim',
      'postgres.shop.sim',
    ]);
    await engine.syncService('postgres.shop.sim', true);
    expect(engine.contexts()).toEqual({ contexts: [{ name: 'sim', cluster: 'sim' }], current: 'sim' });
  });

  it('shutdown stops everything and is idempotent', async () => {
    const { cluster, engine, events, hosts } = setup();
    await shop(cluster);
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(
      () => engine.forwards().length === 2 && engine.forwards().every((f) => f.status === 'Active'),
    );
    await Promise.all([engine.shutdown(), engine.shutdown()]);
    expect(events.filter((e) => e.type === 'ShutdownComplete')).toHaveLength(1);
    expect(engine.services()).toEqual([]);
    expect(hosts.content).toBe('127.0.0.1 localhost\n');
    expect(cluster.activeWatchers()).toBe(0);
    await expect(roundTrip(`${NET}.1`, 8080, 'x')).rejects.toThrow();
    await expect(engine.addNamespace({ namespace: 'shop' })).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
