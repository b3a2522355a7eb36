// A `ws` server (an independent WebSocket implementation) and our client connected to it, for
// the tests of our framer and of what is built on it.
import http from 'node:http';
import type net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocketConnection, type WebSocketOptions } from '../../src/wire/websocket/connection.js';

/**
 * Our client WebSocketConnection connected to a fresh `ws` server; `cleanup` receives what stops
 * both. Also checks the server's Sec-WebSocket-Accept.
 */
export async function connectToWs(
  cleanup: (fn: () => Promise<void> | void) => void,
  options: WebSocketOptions = {},
): Promise<{ client: WebSocketConnection; peer: WebSocket; socket: net.Socket }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => r());
      }),
  );
  const peerP = once(wss, 'connection') as Promise<[WebSocket]>;
  const { port } = server.address() as net.AddressInfo;
  const key = randomBytes(16).toString('base64');
  const req = http.request({
    host: '127.0.0.1',
    port,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
    },
  });
  req.end();
  const [res, socket, head] = (await once(req, 'upgrade')) as [http.IncomingMessage, net.Socket, Buffer];
  const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  if (res.headers['sec-websocket-accept'] !== expected)
    throw new Error('ws answered a wrong Sec-WebSocket-Accept');
  const client = new WebSocketConnection(socket, head, options);
  cleanup(() => client.terminate());
  const [peer] = await peerP;
  return { client, peer, socket };
}
