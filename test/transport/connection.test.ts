// How the transports reach the API server: client certificates, insecure-skip-tls-verify, a wrong
// CA, an unreachable server, and the kubeconfig proxy-url (HTTP CONNECT).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConnection } from '../../src/kube/connection.js';
import { createPortForwarder, type PortForwarder } from '../../src/kube/portforward/index.js';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY } from '../../src/sim/index.js';
import { SERVER_CERT, SERVER_KEY } from '../../src/sim/tls.js';
import { createKubeConnection } from '../../src/kube/auth/connection.js';
import { upgrade } from '../../src/kube/portforward/upgrade.js';
import { silentLogger } from '../../src/kube/types.js';
import {
  connectLocal,
  localForward,
  readN,
  startHarness,
  type Harness,
  type LocalForward,
} from './support.js';

/** A minimal HTTP CONNECT proxy; counts tunnels; optionally requires basic auth. */
async function connectProxy(
  auth?: string,
): Promise<{ url: string; tunnels: () => number; close(): Promise<void> }> {
  let tunnels = 0;
  const open = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    open.add(client);
    if (
      auth !== undefined &&
      req.headers['proxy-authorization'] !== `Basic ${Buffer.from(auth).toString('base64')}`
    ) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host ?? '127.0.0.1', () => {
      tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    open.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${auth === undefined ? '' : `${auth}@`}127.0.0.1:${port}`,
    tunnels: () => tunnels,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('reaching the API server', () => {
  let h: Harness;
  const forwarders: PortForwarder[] = [];
  const locals: LocalForward[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const pf of forwarders.splice(0)) pf.close();
    for (const l of locals.splice(0)) await l.close();
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(async () => {
    await h.sim.stop();
  });

  const echoVia = async (
    conn: ClusterConnection,
    transport: 'tunnel' | 'spdy' | 'websocket',
  ): Promise<string> => {
    const pf = createPortForwarder(conn, { transport });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    const local = await localForward(() => session.openStream(5432));
    locals.push(local);
    const s = await connectLocal(local.port);
    const r = readN(s, 5);
    s.write('hello');
    const got = (await r).toString();
    s.destroy();
    return got;
  };

  for (const transport of ['tunnel', 'spdy', 'websocket'] as const) {
    it(`authenticates with a client certificate (${transport})`, async () => {
      const conn: ClusterConnection = {
        ...h.conn,
        tlsOptions: async () => ({ ...(await h.conn.tlsOptions()), cert: CLIENT_CERT, key: CLIENT_KEY }),
        authHeaders: async () => ({}),
      };
      expect(await echoVia(conn, transport)).toBe('hello');
    });

    it(`goes through the kubeconfig proxy-url with CONNECT (${transport})`, async () => {
      const proxy = await connectProxy('user:secret');
      cleanups.push(() => proxy.close());
      expect(await echoVia({ ...h.conn, proxyUrl: proxy.url }, transport)).toBe('hello');
      expect(proxy.tunnels()).toBeGreaterThan(0);
    });
  }

  it('honours insecure-skip-tls-verify (no CA, rejectUnauthorized false)', async () => {
    const conn: ClusterConnection = { ...h.conn, tlsOptions: async () => ({ rejectUnauthorized: false }) };
    expect(await echoVia(conn, 'spdy')).toBe('hello');
  });

  it('reports an untrusted server certificate as TLS_ERROR and does not fall back', async () => {
    const pf = createPortForwarder({ ...h.conn, tlsOptions: async () => ({}) }, { transport: 'auto' });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    await expect(session.ready()).rejects.toMatchObject({ code: 'TLS_ERROR' });
    expect(pf.negotiated()).toBeUndefined();
  });

  it('reports an unreachable API server as API_UNREACHABLE', async () => {
    const dead = net.createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const { port } = dead.address() as net.AddressInfo;
    await new Promise<void>((r) => dead.close(() => r()));
    const pf = createPortForwarder({ ...h.conn, server: `https://127.0.0.1:${port}` }, { transport: 'auto' });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: 'x' });
    await expect(session.openStream(80)).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    expect((await session.closed)?.code).toBe('API_UNREACHABLE');
  });

  it('tells a server that does not answer at all (unreachable) from one that took the request and went quiet (TIMEOUT)', async () => {
    // A stopped API server (SIGSTOP, a dead VPN's NAT): the kernel accepts, nobody speaks TLS.
    const mute = net.createServer(() => undefined);
    // One that completes TLS and then never answers the request (waiting on a kubelet).
    const slow = https.createServer({ cert: SERVER_CERT, key: SERVER_KEY }, () => undefined);
    slow.on('upgrade', () => undefined);
    const held: net.Socket[] = [];
    for (const srv of [mute, slow]) {
      srv.on('connection', (c: net.Socket) => held.push(c));
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
    }
    cleanups.push(async () => {
      for (const c of held) c.destroy();
      for (const srv of [mute, slow]) await new Promise<void>((r) => srv.close(() => r()));
    });
    const proxy = await connectProxy();
    cleanups.push(() => proxy.close());
    const attempt = (srv: net.Server, proxyUrl?: string) =>
      upgrade(
        {
          ...h.conn,
          server: `https://127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
          ...(proxyUrl ? { proxyUrl } : {}),
        },
        {
          method: 'POST',
          path: '/x',
          headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' },
          timeoutMs: 400,
          what: 'port-forward to pod shop/x',
        },
      ).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
    const unreachable = await attempt(mute);
    expect(unreachable?.code).toBe('API_UNREACHABLE');
    expect(unreachable?.message).toMatch(/does not answer: no TLS handshake within 400 ms$/);
    const quiet = await attempt(slow);
    expect(quiet?.code).toBe('TIMEOUT');
    expect(quiet?.message).toMatch(/took the request but did not answer: no upgrade within 400 ms$/);
    // The same through a kubeconfig proxy-url: the proxy's answer is not the server's.
    expect((await attempt(mute, proxy.url))?.code).toBe('API_UNREACHABLE');
    expect((await attempt(slow, proxy.url))?.code).toBe('TIMEOUT');
  });

  it('rejects a bad pod port before connecting', async () => {
    const pf = createPortForwarder(h.conn, { transport: 'spdy' });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    await expect(session.openStream(0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(session.openStream(70000)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('resumes the TLS session of an earlier upgrade, directly and through the proxy; other credentials do not', async () => {
    // An API server that answers every upgrade with 101 and notes whether the handshake was resumed.
    const resumed: boolean[] = [];
    const server = https.createServer({ cert: SERVER_CERT, key: SERVER_KEY });
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      resumed.push((req.socket as unknown as { isSessionReused(): boolean }).isSessionReused());
      socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const proxy = await connectProxy();
    cleanups.push(() => proxy.close());
    const { port } = server.address() as net.AddressInfo;
    const connection = (proxyUrl?: string) =>
      createKubeConnection(
        {
          name: 'ctx',
          namespace: 'default',
          clusterName: 'c',
          cluster: {
            server: `https://127.0.0.1:${port}`,
            'certificate-authority-data': Buffer.from(CA_CERT).toString('base64'),
            ...(proxyUrl === undefined ? {} : { 'proxy-url': proxyUrl }),
          },
          userName: 'u',
          user: { token: 't' },
          source: '/k',
        },
        {
          env: {},
          home: '/h',
          invokingUser: undefined,
          clock: { now: () => Date.now(), setTimeout: () => ({ cancel: () => undefined }) },
          logger: silentLogger,
        },
      );
    const up = async (conn: ClusterConnection): Promise<void> => {
      const u = await upgrade(conn, {
        method: 'POST',
        path: '/x',
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' },
        timeoutMs: 5_000,
        what: 'test upgrade',
      });
      u.socket.destroy();
      // TLS 1.3 hands out the session ticket after the handshake.
      await new Promise((r) => setTimeout(r, 50));
    };
    const conn = connection();
    for (let i = 0; i < 3; i++) await up(conn);
    const viaProxy = connection(proxy.url);
    for (let i = 0; i < 2; i++) await up(viaProxy);
    // Another connection (its own credentials and TLS context) starts with a full handshake.
    await up(connection());
    expect(resumed).toEqual([false, true, true, false, true, false]);
  });
});
