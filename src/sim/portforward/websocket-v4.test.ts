import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketConnection } from '../../wire/websocket/index.js';
import { PortForwardHub } from './hub.js';
import { serveWebSocketV4 } from './websocket-v4.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const listen = async (server: net.Server): Promise<number> => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
};

describe('simulated kubelet v4 port-forward', () => {
  it('waits for one drain at a time when a slow client meets added latency (no listener pile-up)', async () => {
    // A pod that writes as fast as it may, a client that does not read, 20 ms of added latency:
    // many delayed sends find the socket full before the first pause takes effect.
    const blob = Buffer.alloc(64 * 1024, 7);
    const podPort = await listen(
      net.createServer((s) => {
        s.on('error', () => s.destroy());
        const pump = (): void => {
          while (!s.destroyed && s.write(blob));
        };
        s.on('drain', pump);
        pump();
      }),
    );
    const front = net.createServer();
    const frontPort = await listen(front);
    const client = net.connect(frontPort, '127.0.0.1');
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    const [sock] = (await once(front, 'connection')) as [net.Socket];
    cleanups.push(() => sock.destroy());
    client.pause();
    const ws = new WebSocketConnection(sock, Buffer.alloc(0), { role: 'server', mode: 'messages' });
    const hub = new PortForwardHub();
    hub.latencyMs = 20;
    serveWebSocketV4(ws, {
      base64: false,
      ports: [80],
      dial: () =>
        new Promise((resolve) => {
          const c = net.connect(podPort, '127.0.0.1', () => resolve(c));
          cleanups.push(() => c.destroy());
        }),
      hub,
    });
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, sock.listenerCount('drain'))), 1);
    cleanups.push(() => clearInterval(sample));
    // Under load the pipe can take longer than any fixed pause to fill: wait for the client to be
    // visibly slow (bounded), then keep sampling a while longer.
    for (let waited = 0; sock.writableLength === 0 && waited < 10_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(sock.writableLength).toBeGreaterThan(0); // the client really was slow
    expect(most).toBeLessThanOrEqual(2);
  });
});
