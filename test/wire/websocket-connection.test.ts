// Interoperability with an independent implementation: the `ws` server as the peer.
import http from 'node:http';
import type net from 'node:net';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient, type WebSocket } from 'ws';
import { WebSocketByteStream } from '../../src/wire/websocket/byte-stream.js';
import {
  POOLED_FRAME_MAX,
  WebSocketConnection,
  type WebSocketOptions,
} from '../../src/wire/websocket/connection.js';
import { connectToWs } from '../support/ws-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A ws server; returns a connected client WebSocketConnection and the server-side socket. */
const connected = (
  options: WebSocketOptions = {},
): Promise<{ client: WebSocketConnection; peer: WebSocket; socket: net.Socket }> =>
  connectToWs((fn) => cleanups.push(fn), options);

/** Our connection in the server role, with the `ws` client as the peer. */
async function serving(options: WebSocketOptions): Promise<{ server: WebSocketConnection; peer: WsClient }> {
  const httpServer = http.createServer();
  const accepted = new Promise<WebSocketConnection>((resolve) => {
    httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const accept = createHash('sha1')
        .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      resolve(new WebSocketConnection(socket, head, { ...options, role: 'server' }));
    });
  });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as net.AddressInfo;
  const peer = new WsClient(`ws://127.0.0.1:${port}/`);
  const server = await accepted;
  await once(peer, 'open');
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        peer.terminate();
        server.terminate();
        httpServer.close(() => r());
      }),
  );
  return { server, peer };
}

describe('WebSocketConnection against ws', () => {
  it('exchanges binary and text messages both ways (our frames are masked; ws enforces it)', async () => {
    const { client, peer } = await connected();
    const got = once(peer, 'message') as Promise<[Buffer, boolean]>;
    client.send(Buffer.from([1, 2, 3]), true);
    const [data, isBinary] = await got;
    expect(Buffer.from(data)).toEqual(Buffer.from([1, 2, 3]));
    expect(isBinary).toBe(true);
    const back = once(client, 'message');
    peer.send('text back');
    const [msg, bin] = await back;
    expect(msg.toString()).toBe('text back');
    expect(bin).toBe(false);
  });

  it('reassembles fragmented messages and answers pings', async () => {
    const { client, peer } = await connected();
    const msg = once(client, 'message');
    peer.send(Buffer.from('frag'), { fin: false, binary: true });
    peer.send(Buffer.from('mented'), { fin: true, binary: true });
    expect((await msg)[0].toString()).toBe('fragmented');
    const pong = once(peer, 'pong');
    peer.ping(Buffer.from('p1'));
    expect(Buffer.from((await pong)[0] as Buffer).toString()).toBe('p1');
  });

  it('carries large messages', async () => {
    const { client, peer } = await connected();
    const big = randomBytes(3 * 1024 * 1024);
    const got = once(peer, 'message') as Promise<[Buffer]>;
    client.send(big, true);
    expect(Buffer.from((await got)[0]).equals(big)).toBe(true);
  });

  it('sends many large messages back to back byte-exact (pooled frame buffers are reused only once written)', async () => {
    const { client, peer } = await connected();
    // Distinct contents, sent without waiting: the socket buffers most of them, so a frame buffer
    // handed back before its write finished would corrupt a later message.
    const messages = Array.from({ length: 200 }, (_, i) => randomBytes(100_000 + i * 97));
    const got: Buffer[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on('message', (d: Buffer) => {
        got.push(d);
        if (got.length === messages.length) resolve();
      }),
    );
    for (const m of messages) client.send(m, true);
    await all;
    expect(got.every((b, i) => b.equals(messages[i]!))).toBe(true);
  });
  it('completes the close handshake started by the server', async () => {
    const { client, peer } = await connected();
    const closed = once(client, 'close');
    peer.close(1000, 'bye');
    expect(await closed).toEqual([1000, 'bye']);
  });

  it('completes the close handshake started by us', async () => {
    const { client, peer } = await connected();
    const peerClosed = once(peer, 'close');
    const closed = once(client, 'close');
    client.close(1000);
    expect((await peerClosed)[0]).toBe(1000);
    expect((await closed)[0]).toBe(1000);
  });

  it('reports a dropped connection as 1006', async () => {
    const { client, peer } = await connected();
    const closed = once(client, 'close');
    peer.terminate();
    expect((await closed)[0]).toBe(1006);
  });

  it('checkAlive: ws answers our PING; a peer gone silent is dropped with an error', async () => {
    const { client, peer } = await connected();
    expect(await client.checkAlive(1000)).toBe(true);
    expect(client.isOpen).toBe(true);
    // The peer reads nothing more (a NAT or VPN that forgot the connection looks the same to us).
    peer.pause();
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    const closed = new Promise((resolve) => client.once('close', resolve));
    expect(await client.checkAlive(50)).toBe(false);
    await closed;
    expect(errors.map((e) => e.message)).toEqual([
      'no answer to a PING within 50 ms: the connection is dead',
    ]);
    expect(await client.checkAlive(50)).toBe(false);
  });

  it('checkAlive does not judge a connection whose output waits (an upload, its PING queued behind it)', async () => {
    const { client, peer } = await connected();
    peer.pause();
    const big = Buffer.alloc(256 * 1024);
    // More than the kernel's buffers on both sides take.
    for (let i = 0; i < 400 && client.bufferedAmount < 4 * 1024 * 1024; i++) {
      client.send(big, true);
      await new Promise((r) => setImmediate(r));
    }
    expect(client.bufferedAmount).toBeGreaterThan(0);
    expect(await client.checkAlive(50)).toBe(true);
    expect(client.isOpen).toBe(true);
  });

  it('as a byte stream: coalesced writes arrive in order, a normal close is EOF', async () => {
    const { client, peer } = await connected({ mode: 'bytes' });
    const stream = new WebSocketByteStream(client);
    const received: Buffer[] = [];
    peer.on('message', (d: Buffer) => received.push(Buffer.from(d)));
    for (let i = 0; i < 100; i++) stream.write(Buffer.from([i]));
    while (Buffer.concat(received).length < 100) await new Promise((r) => setTimeout(r, 5));
    expect(Buffer.concat(received)).toEqual(Buffer.from(Array.from({ length: 100 }, (_, i) => i)));
    peer.send(Buffer.from('tail'));
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const ended = once(stream, 'end');
    setTimeout(() => peer.close(1000), 20);
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('tail');
  });

  it('in bytes mode marks where each message starts and ends, across pieces and fragments', async () => {
    const { client, peer } = await connected({ mode: 'bytes' });
    const messages: Buffer[] = [];
    let current: Buffer[] | undefined;
    client.on('bytes', (piece, start, end) => {
      if (start) {
        expect(current, 'a message starts inside another').toBeUndefined();
        current = [];
      }
      if (piece.length > 0) {
        expect(current, 'bytes outside a message').toBeDefined();
        current?.push(Buffer.from(piece));
      }
      if (end) {
        messages.push(Buffer.concat(current ?? []));
        current = undefined;
      }
    });
    const big = randomBytes(700 * 1024); // arrives in many pieces
    const tail = randomBytes(1000);
    peer.send(big, { binary: true });
    // A fragmented message whose first fragment is empty: its start comes with the first byte.
    peer.send(Buffer.alloc(0), { binary: true, fin: false });
    peer.send(tail.subarray(0, 10), { binary: true, fin: false });
    peer.send(tail.subarray(10), { binary: true, fin: true });
    peer.send(Buffer.from([7]), { binary: true });
    while (messages.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(messages.map((m) => m.length)).toEqual([big.length, tail.length, 1]);
    expect(messages[0]!.equals(big)).toBe(true);
    expect(messages[1]!.equals(tail)).toBe(true);
    expect(messages[2]).toEqual(Buffer.from([7]));
  });

  it('a byte stream sends a large write as messages of at most POOLED_FRAME_MAX, byte-exact', async () => {
    const { client, peer } = await connected({ mode: 'bytes' });
    const stream = new WebSocketByteStream(client);
    const sizes: number[] = [];
    const received: Buffer[] = [];
    peer.on('message', (d: Buffer) => {
      sizes.push(d.length);
      received.push(Buffer.from(d));
    });
    const data = randomBytes(3 * POOLED_FRAME_MAX + 12345);
    // Several buffers of one writev, one of them larger than a message.
    stream.cork();
    stream.write(data.subarray(0, 100));
    stream.write(data.subarray(100, 2 * POOLED_FRAME_MAX + 7));
    stream.write(data.subarray(2 * POOLED_FRAME_MAX + 7));
    stream.uncork();
    while (Buffer.concat(received).length < data.length) await new Promise((r) => setTimeout(r, 5));
    expect(Buffer.concat(received).equals(data)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(POOLED_FRAME_MAX);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    stream.destroy();
  });

  it('a byte stream needs a connection in bytes mode', async () => {
    const { client } = await connected();
    expect(() => new WebSocketByteStream(client)).toThrow(/bytes mode/);
  });
});

/** Collects the peer's messages; resolves once `n` arrived. */
const messagesOf = (peer: WebSocket, n: number): Promise<Buffer[]> =>
  new Promise((resolve) => {
    const got: Buffer[] = [];
    peer.on('message', (d: Buffer) => {
      got.push(Buffer.from(d));
      if (got.length === n) resolve(got);
    });
  });

/** Counts the writes our connection hands its socket. */
const countWrites = (socket: net.Socket): { writes: number } => {
  const counter = { writes: 0 };
  const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
  socket.write = (...a: unknown[]) => {
    counter.writes++;
    return write(...a);
  };
  return counter;
};

describe('WebSocketConnection: frames sent while a write is in flight', () => {
  it('go out together as one buffer, in order, each callback once and in order', async () => {
    const { client, peer, socket } = await connected();
    const counter = countWrites(socket);
    // Small ones, one larger than a pooled buffer in the middle, small ones again.
    const messages = [
      ...Array.from({ length: 30 }, (_, i) => randomBytes(500 + i)),
      randomBytes(POOLED_FRAME_MAX + 1000),
      ...Array.from({ length: 30 }, (_, i) => randomBytes(20_000 + i)),
    ];
    const got = messagesOf(peer, messages.length);
    const called: number[] = [];
    messages.forEach((m, i) => client.send(m, true, () => called.push(i)));
    const received = await got;
    expect(received.every((b, i) => b.equals(messages[i]!))).toBe(true);
    expect(called).toEqual(messages.map((_, i) => i));
    // The first frame is written at once; the 29 small ones behind it share a buffer, the large one
    // goes out on its own, and the 30 of 20 KB fill three more pooled buffers. One write per frame
    // before.
    expect(counter.writes).toBeLessThanOrEqual(8);
    expect(client.bufferedAmount).toBe(0);
  });

  it('count as buffered: send() says when to wait, onceDrain runs when all were written', async () => {
    const { client, peer } = await connected();
    const messages = Array.from({ length: 40 }, () => randomBytes(4_000));
    const got = messagesOf(peer, messages.length);
    const accepted = messages.map((m) => client.send(m, true));
    // The first is in flight; the rest wait in the queue, past the socket's 16 KiB mark.
    expect(accepted.slice(0, 3)).toEqual([true, true, true]);
    expect(accepted.at(-1)).toBe(false);
    expect(client.bufferedAmount).toBeGreaterThanOrEqual(39 * 4_000);
    await new Promise<void>((resolve) => client.onceDrain(resolve));
    expect(client.bufferedAmount).toBe(0);
    expect((await got).every((b, i) => b.equals(messages[i]!))).toBe(true);
  });

  it('are written before the close frame and the end of the socket', async () => {
    const { client, peer } = await connected();
    const messages = Array.from({ length: 20 }, () => randomBytes(3_000));
    const got = messagesOf(peer, messages.length);
    const peerClosed = once(peer, 'close');
    for (const m of messages) client.send(m, true);
    client.close(1000);
    expect((await got).every((b, i) => b.equals(messages[i]!))).toBe(true);
    expect((await peerClosed)[0]).toBe(1000);
  });

  it("are written before our side ends when the peer's close arrives while they wait", async () => {
    const { client, peer, socket } = await connected();
    const messages = Array.from({ length: 20 }, () => randomBytes(3_000));
    const got = messagesOf(peer, messages.length);
    const closed = once(client, 'close');
    for (const m of messages) client.send(m, true);
    // A close frame from the server (unmasked, code 1000), handled in the same turn: our answer
    // and the end of our side queue behind the 19 frames still waiting.
    socket.emit('data', Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    expect((await got).every((b, i) => b.equals(messages[i]!))).toBe(true);
    expect((await closed)[0]).toBe(1000);
  });

  it('still waiting when the connection drops are failed, and their buffers freed', async () => {
    const { client, socket } = await connected();
    const errors: (Error | undefined)[] = [];
    for (let i = 0; i < 10; i++) client.send(randomBytes(1_000), true, (err) => errors.push(err));
    socket.destroy();
    await once(client, 'close');
    expect(errors).toHaveLength(10);
    expect(errors.slice(1).every((e) => e instanceof Error)).toBe(true);
    expect(client.bufferedAmount).toBe(0);
  });
});

describe('WebSocketConnection as a server, against the ws client', () => {
  it('sends unmasked frames (ws rejects masked ones) and unmasks what the client sends', async () => {
    const { server, peer } = await serving({});
    const got = once(peer, 'message') as Promise<[Buffer, boolean]>;
    server.send([Buffer.from('he'), Buffer.from('llo')], false);
    const [data, isBinary] = await got;
    expect(isBinary).toBe(false);
    expect(Buffer.from(data).toString()).toBe('hello');
    const back = once(server, 'message') as Promise<[Buffer, boolean]>;
    peer.send(Buffer.alloc(200_000, 7));
    const [echo, binary] = await back;
    expect(binary).toBe(true);
    expect(echo.equals(Buffer.alloc(200_000, 7))).toBe(true);
  });

  it('in bytes mode delivers large messages in pieces whose concatenation is byte-exact', async () => {
    const { server, peer } = await serving({ mode: 'bytes' });
    const payload = Buffer.allocUnsafe(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const pieces: Buffer[] = [];
    let received = 0;
    const all = new Promise<void>((resolve) =>
      server.on('bytes', (b) => {
        pieces.push(Buffer.from(b));
        received += b.length;
        if (received >= payload.length) resolve();
      }),
    );
    peer.send(payload.subarray(0, 1_000_000));
    peer.send(payload.subarray(1_000_000));
    await all;
    // Buffer.equals, not toEqual: a deep compare of 3 MiB element by element takes seconds.
    expect(Buffer.concat(pieces).equals(payload)).toBe(true);
    // Streamed, not reassembled: more pieces than messages.
    expect(pieces.length).toBeGreaterThan(2);
  });
});
