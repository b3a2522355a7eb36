// The engine over the real listeners (src/os/listener.ts) on a random 127.x.y.0/24: what a taken
// port or address does to a forward's address, and to the addresses of the services after it.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import type { ListenerGateway } from '../../src/engine/gateways.js';
import type { EngineOptions } from '../../src/engine/options.js';
import { createListeners } from '../../src/os/listener.js';
import {
  FakeCluster,
  MemoryHosts,
  countingTraffic,
  echoServer,
  eventually,
  fakeProvider,
  memoryLogger,
  noLoopback,
  pod,
  roundTrip,
  service,
} from './fakes.js';
import { randomNet24 } from '../support/addresses.js';

const NET = randomNet24();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const listenOn = async (host: string, port: number): Promise<Server> => {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, resolve);
  });
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  return server;
};

const portOf = (server: Server): number => (server.address() as { port: number }).port;

/** A port free on every address now (the kernel's pick for 0.0.0.0, let go at once). */
const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '0.0.0.0', port: 0 }, resolve));
  const port = portOf(server);
  await new Promise<void>((done) => server.close(() => done()));
  return port;
};

const setup = (listener: ListenerGateway, options: EngineOptions = {}) => {
  const cluster = new FakeCluster('sim');
  const logger = memoryLogger();
  const engine: EngineRuntime = createEngine({
    clusters: fakeProvider(cluster),
    hosts: new MemoryHosts(),
    listener,
    loopback: noLoopback,
    traffic: countingTraffic(),
    logger,
    options: { ipBase: `${NET}.1`, hostsBatchMs: 5, connectWaitMs: 2000, ...options },
  });
  cleanups.push(() => engine.shutdown());
  return { cluster, logger, engine };
};

const backend = async (cluster: FakeCluster, podName: string, port: number, tag: string) => {
  const server = await echoServer(tag);
  cleanups.push(() => server.close());
  cluster.backends.set(podName, new Map([[port, server.port]]));
};

describe('engine: a port another program holds', () => {
  it('on every address (0.0.0.0): that service alone is in Error where it is; the next service gets the next address', async () => {
    const wildcard = await listenOn('0.0.0.0', 0);
    const taken = portOf(wildcard);
    const other = await freePort();
    const { cluster, engine, logger } = setup(createListeners({ claimPort: await freePort() }));
    cluster.apply('services', service('b1', 'app', [{ port: taken }]));
    cluster.apply('pods', pod('b1-0', 'app', { app: 'b1' }));
    await engine.addNamespace({ namespace: 'app' });
    const f = await eventually(() => engine.forwards().find((x) => x.serviceName === 'b1' && x.errorCode));
    expect(f).toMatchObject({ status: 'Error', errorCode: 'PORT_IN_USE', localIP: `${NET}.1` });
    expect(f.error).toBe(
      `port ${taken} is already in use by another program that listens on it on all addresses (0.0.0.0 or [::]), so no other address can take it; stop that program, or map the port elsewhere with -m ${taken}:${taken + 10_000 <= 65_535 ? taken + 10_000 : '<free port>'}`,
    );
    // It did not walk the block: no move, and the next service takes the next address.
    expect(logger.lines.filter((l) => /moved to|Cannot move/.test(l))).toEqual([]);
    cluster.apply('services', service('b2', 'app', [{ port: other }]));
    cluster.apply('pods', pod('b2-0', 'app', { app: 'b2' }));
    await backend(cluster, 'b2-0', other, 'b2:');
    const b2 = await eventually(() =>
      engine.forwards().find((x) => x.serviceName === 'b2' && x.status === 'Active'),
    );
    expect(b2.localIP).toBe(`${NET}.2`);
    expect((await roundTrip(`${NET}.2`, other, 'x')).toString()).toBe('b2:x');
    expect(engine.forwards().find((x) => x.serviceName === 'b1')?.localIP).toBe(`${NET}.1`);
    // Said once, as a single Error line naming the port and the way out.
    expect(logger.lines.filter((l) => l.startsWith('error b1.app'))).toEqual([
      `error b1.app is in Error: cannot listen on ${NET}.1:${taken}: ${f.error}`,
    ]);
  });

  it('once the other program is gone, a reconnect listens where the forward is (no move against its own bind)', async () => {
    const wildcard = await listenOn('0.0.0.0', 0);
    const taken = portOf(wildcard);
    const { cluster, engine, logger } = setup(createListeners({ claimPort: await freePort() }));
    cluster.apply('services', service('b1', 'app', [{ port: taken }]));
    cluster.apply('pods', pod('b1-0', 'app', { app: 'b1' }));
    await backend(cluster, 'b1-0', taken, 'b1:');
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => engine.forwards().find((x) => x.errorCode === 'PORT_IN_USE'));
    await new Promise<void>((done) => wildcard.close(() => done()));
    // A manual reconnect retries the failed listen and re-plans the service, which retries it too.
    await engine.reconnectService('b1.app.sim');
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Active'));
    expect(f.localIP).toBe(`${NET}.1`);
    expect((await roundTrip(`${NET}.1`, taken, 'x')).toString()).toBe('b1:x');
    expect(logger.lines.filter((l) => /moved to|moving to/.test(l))).toEqual([]);
  });

  it('on one address only: the forward moves on, and the address it left is free for the next service', async () => {
    const port = await freePort();
    await listenOn(`${NET}.1`, port);
    const other = await freePort();
    const { cluster, engine } = setup(createListeners({ claimPort: await freePort() }));
    cluster.apply('services', service('a', 'app', [{ port }]));
    cluster.apply('pods', pod('a-0', 'app', { app: 'a' }));
    await backend(cluster, 'a-0', port, 'a:');
    await engine.addNamespace({ namespace: 'app' });
    const a = await eventually(() =>
      engine.forwards().find((x) => x.serviceName === 'a' && x.status === 'Active'),
    );
    expect(a.localIP).toBe(`${NET}.2`);
    cluster.apply('services', service('c', 'app', [{ port: other }]));
    const c = await eventually(() => engine.services().find((x) => x.serviceName === 'c'));
    // NET.1 was busy for `a`'s port only.
    expect(c.localIP).toBe(`${NET}.1`);
  });

  it('the moves are told before the failure that ends them, in the order they happened', async () => {
    const port = await freePort();
    await listenOn(`${NET}.254`, port);
    await listenOn(`${NET}.255`, port);
    const { cluster, engine, logger } = setup(createListeners({ claimPort: await freePort() }), {
      ipBase: `${NET}.254`,
    });
    cluster.apply('services', service('edge', 'app', [{ port }]));
    await engine.addNamespace({ namespace: 'app' });
    await eventually(() => engine.forwards().find((x) => x.errorCode === 'PORT_IN_USE'));
    const said = logger.lines.filter((l) => /^(warn|error) /.test(l));
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(`^warn edge\\.app: ${NET}\\.254 port ${port} .*; moved to ${NET}\\.255$`),
      ),
      expect.stringMatching(/^error Cannot move edge\.app to another address: no free IP left/),
      expect.stringMatching(
        new RegExp(`^error edge\\.app is in Error: ${NET}\\.255:${port} is already in use`),
      ),
    ]);
  });
});

describe("engine: a service on kubefwd's own claim port", () => {
  it('forwards it on its address, which stays claimed against other kubefwds', async () => {
    const claimPort = await freePort();
    const { cluster, engine } = setup(createListeners({ claimPort }));
    cluster.apply('services', service('claimport', 'shop', [{ port: claimPort }]));
    cluster.apply('pods', pod('claimport-0', 'shop', { app: 'claimport' }));
    await backend(cluster, 'claimport-0', claimPort, 'pod:');
    await engine.addNamespace({ namespace: 'shop' });
    const f = await eventually(() => engine.forwards().find((x) => x.status === 'Active' || x.errorCode));
    expect(f).toMatchObject({ status: 'Active', localIP: `${NET}.1` });
    expect((await roundTrip(`${NET}.1`, claimPort, 'x')).toString()).toBe('pod:x');
    // Another kubefwd (its own listeners, the same claim port) still finds the address taken.
    const second = await createListeners({ claimPort }).claim(`${NET}.1`);
    expect(second).toEqual({ held: false, holder: `kubefwd (pid ${process.pid})` });
  });
});
