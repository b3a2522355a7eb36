// Shared harness for the transport tests: a simulated cluster, a ClusterConnection built from its
// token and CA (as the kubeconfig code would), local listeners bridged to port-forward streams,
// and open-handle accounting.
import net from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ClusterConnection } from '../../src/kube/connection.js';
import { bridge, type BridgeHandle } from '../../src/kube/portforward/index.js';
import { CA_CERT, createSimCluster, type SimCluster, type SimOptions } from '../../src/sim/index.js';
import { startSpdystreamServer } from '../../bench/lib/spdystream-server.js';

export type Transport = 'tunnel' | 'spdy' | 'websocket';
/** Who serves SPDY port-forward behind the sim's API server: its own JS server, or moby/spdystream. */
export type Kubelet = 'sim' | 'spdystream';

export interface Harness {
  sim: SimCluster;
  conn: ClusterConnection;
  /** A pod name of the shop namespace whose name starts with `prefix`. */
  pod(prefix: string): string;
}

export async function startHarness(
  opts: SimOptions = {},
  kubelet: Kubelet = 'sim',
  kubeletArgs: string[] = [],
): Promise<Harness> {
  const upstream = kubelet === 'spdystream' ? await startSpdystreamServer(kubeletArgs) : undefined;
  let created: SimCluster;
  try {
    created = await createSimCluster({
      readyDelayMs: 10,
      ...opts,
      ...(upstream ? { kubeletUpstream: upstream.url } : {}),
    });
  } catch (err) {
    await upstream?.stop();
    throw err;
  }
  const sim: SimCluster = upstream
    ? {
        ...created,
        stop: async () => {
          await created.stop();
          await upstream.stop();
        },
      }
    : created;
  const conn: ClusterConnection = {
    contextName: sim.contextName,
    server: sim.apiUrl,
    tlsOptions: async () => ({ ca: CA_CERT }),
    authHeaders: async () => ({ Authorization: `Bearer ${sim.token}` }),
  };
  return {
    sim,
    conn,
    pod(prefix) {
      const p = sim.control.pods('shop').find((x) => x.metadata.name.startsWith(prefix));
      if (p === undefined) throw new Error(`no pod ${prefix}* in shop`);
      return p.metadata.name;
    },
  };
}

export interface LocalForward {
  port: number;
  /** Every bridged connection so far, with the remote Duplex (for inspection). */
  bridges: { handle: BridgeHandle; remote: Duplex }[];
  /** Errors from opening streams. */
  openErrors: Error[];
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 whose connections are forwarded through `open()`, as the engine does. */
export async function localForward(open: () => Promise<Duplex>): Promise<LocalForward> {
  const bridges: LocalForward['bridges'] = [];
  const openErrors: Error[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.pause();
    open().then(
      (remote) => {
        bridges.push({ handle: bridge(socket, remote), remote });
        socket.resume();
      },
      (err: Error) => {
        openErrors.push(err);
        socket.destroy();
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    bridges,
    openErrors,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const connectLocal = async (port: number): Promise<net.Socket> => {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(s, 'connect');
  return s;
};

/** Reads a socket until it ends (or closes); rejects on error. */
export const readAll = (s: net.Socket): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('close', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });

/** Reads exactly n bytes. */
export const readN = (s: net.Socket, n: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer): void => {
      parts.push(c);
      got += c.length;
      if (got >= n) {
        s.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.once('close', () => {
      if (got < n) reject(new Error(`closed after ${got} of ${n} bytes`));
    });
  });

/** Deterministic pseudo-random bytes. */
export const pattern = (size: number, seed: number): Buffer => {
  const b = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
};

/** Sockets and timers of this process, by kind (process.getActiveResourcesInfo()). */
export const activeHandles = (): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of process.getActiveResourcesInfo()) out[k] = (out[k] ?? 0) + 1;
  return out;
};

const socketCount = (h: Record<string, number>): number => (h.TCPSocketWrap ?? 0) + (h.TLSWrap ?? 0);

/** Waits (bounded) until no more sockets are open than in `before`; returns the final counts. */
export async function settleHandles(
  before: Record<string, number>,
  maxMs = 3000,
): Promise<Record<string, number>> {
  const start = Date.now();
  let now = activeHandles();
  while (socketCount(now) > socketCount(before) && Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 20));
    now = activeHandles();
  }
  return now;
}

export const sockets = socketCount;

export const httpGet = async (port: number, path: string): Promise<{ status: number; body: string }> => {
  const s = await connectLocal(port);
  // No half-close after the request (curl and browsers do not): behind a kubelet a client FIN
  // gives the pod only the FIN grace to answer before the connection is closed.
  s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const raw = (await readAll(s)).toString('utf8');
  s.end();
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1] ?? 0);
  return { status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4) };
};

/**
 * A TCP relay in front of the API server that can black-hole traffic (a dead network path):
 * `freeze` every connection, now and later; `freezeOpen` only those open now (a NAT or VPN that
 * forgot them while a laptop slept: new connections get through).
 */
export async function freezableRelay(
  target: string,
): Promise<{ url: string; freeze(): void; freezeOpen(): void; close(): Promise<void> }> {
  const u = new URL(target);
  let frozen = false;
  const open = new Set<net.Socket>();
  const dead = new WeakSet<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(u.port), u.hostname);
    open.add(client);
    open.add(upstream);
    const relay = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (c: Buffer) => {
        if (!frozen && !dead.has(from)) to.write(c);
      });
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
    };
    relay(client, upstream);
    relay(upstream, client);
    client.once('close', () => open.delete(client));
    upstream.once('close', () => open.delete(upstream));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    freeze: () => {
      frozen = true;
    },
    freezeOpen: () => {
      for (const s of open) dead.add(s);
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
