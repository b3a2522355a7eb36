// A TCP relay that adds a fixed delay to every byte in each direction: the "network" between our
// machine and the API server for the latency measurements. Unlike a delay inside the simulated
// cluster, it also delays TLS handshakes, upgrades and protocol control frames, as a real
// distant API server would.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Relay {
  port: number;
  close(): Promise<void>;
}

/**
 * A timer alone is up to ~1.5 ms late: Node truncates a delay to whole milliseconds, a delay under
 * one becomes one, and timers are checked once per turn of the event loop. Measured through this
 * relay, a request on an open connection took 21.6 ms for a nominal 20 ms round trip. So the timer
 * wakes us up to SPIN_MS early and the rest is waited out a turn of the event loop at a time
 * (setImmediate): every chunk goes out within a few tens of microseconds of its due time, for every
 * client alike.
 */
const SPIN_MS = 2;

/** Delays chunks by `ms` while keeping their order. */
const delayedWriter = (to: net.Socket, ms: number): ((chunk: Buffer | null) => void) => {
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let spinning: NodeJS.Immediate | undefined;
  const pump = (): void => {
    timer = undefined;
    spinning = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0]?.due ?? 0) <= now) {
      const item = queue.shift();
      if (item === undefined) break;
      if (item.chunk === null) to.end();
      else if (!to.destroyed) to.write(item.chunk);
    }
    arm();
  };
  const arm = (): void => {
    if (timer !== undefined || spinning !== undefined || queue.length === 0) return;
    const wait = (queue[0]?.due ?? 0) - performance.now();
    if (wait <= SPIN_MS) spinning = setImmediate(pump);
    else timer = setTimeout(pump, Math.floor(wait - SPIN_MS));
  };
  to.once('close', () => {
    clearTimeout(timer);
    if (spinning !== undefined) clearImmediate(spinning);
    queue.length = 0;
  });
  return (chunk) => {
    queue.push({ due: performance.now() + ms, chunk });
    arm();
  };
};

/** Relays 127.0.0.1:<port> to `target` with `oneWayMs` of delay each way. */
export async function startRelay(target: { host: string; port: number }, oneWayMs: number): Promise<Relay> {
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ ...target, allowHalfOpen: true, noDelay: true });
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const toUp = delayedWriter(upstream, oneWayMs);
    const toClient = delayedWriter(client, oneWayMs);
    client.on('data', (c: Buffer) => toUp(c));
    client.on('end', () => toUp(null));
    upstream.on('data', (c: Buffer) => toClient(c));
    upstream.on('end', () => toClient(null));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
