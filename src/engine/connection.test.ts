import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { connectToPod } from './connection.js';
import type { ConnectionTap, PodSession } from './gateways.js';

/** A pod stream whose far side the test plays: what we write lands in `received`. */
const podStream = (): { stream: Duplex; received: Buffer[]; answer(text: string): void } => {
  const received: Buffer[] = [];
  const toClient = new PassThrough();
  const stream = new PassThrough();
  // The Duplex the engine sees: writes are recorded, reads come from toClient.
  const duplex = stream as unknown as Duplex;
  stream.write = ((chunk: Buffer) => {
    received.push(Buffer.from(chunk));
    return true;
  }) as typeof stream.write;
  toClient.on('data', (c: Buffer) => stream.push(c));
  return { stream: duplex, received, answer: (t) => toClient.write(t) };
};

const session = (opts: { dies?: boolean; stream: () => Duplex }): PodSession & { kill(): void } => {
  let kill: () => void = () => undefined;
  const closed = new Promise<KubefwdError | undefined>(
    (r) => (kill = () => r(new KubefwdError('STREAM_ERROR', 'cut'))),
  );
  if (opts.dies) kill();
  return {
    transport: 'test',
    closed,
    ready: () => Promise.resolve(),
    openStream: () => Promise.resolve(opts.stream()),
    check: () => Promise.resolve(true),
    close: () => kill(),
    kill: () => kill(),
  };
};

const tap = (): ConnectionTap & { out: number; in: number } => {
  const t = {
    out: 0,
    in: 0,
    toPod: (c: Buffer) => void (t.out += c.length),
    fromPod: (c: Buffer) => void (t.in += c.length),
    closed: () => undefined,
  };
  return t;
};

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A local listener handing each accepted socket to `onSocket`; returns a connected client. */
const pair = async (onSocket: (s: Socket) => void): Promise<Socket> => {
  server = createServer({ allowHalfOpen: true }, onSocket);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const client = createConnection({ host: '127.0.0.1', port });
  await new Promise((r) => client.once('connect', r));
  return client;
};

const read = (s: Socket, bytes: number): Promise<string> =>
  new Promise((resolve) => {
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.length >= bytes) resolve(got);
    });
  });

describe('connectToPod', () => {
  it('replays the first bytes on a new session when the old one died before the pod answered', async () => {
    const first = podStream();
    const second = podStream();
    const dying = session({ stream: () => first.stream });
    const healthy = session({ stream: () => second.stream });
    const sessions = [dying, healthy];
    const t = tap();
    const client = await pair((socket) =>
      connectToPod({
        socket,
        podPort: () => 80,
        session: () => Promise.resolve(sessions.shift() ?? healthy),
        sessionDied: (s) =>
          Promise.race([
            s.closed.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 50)),
          ]),
        tap: () => t,
        done: () => undefined,
      }),
    );
    client.write('GET / HTTP/1.1\r\n\r\n');
    await until(() => first.received.length > 0);
    expect(Buffer.concat(first.received).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    dying.kill();
    first.stream.destroy(new Error('WebSocket is not open'));
    await until(() => second.received.length > 0);
    expect(Buffer.concat(second.received).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    const reply = read(client, 6);
    second.answer('HTTP/1');
    expect(await reply).toBe('HTTP/1');
    expect(t).toMatchObject({ out: 18, in: 6 });
    client.destroy();
  });

  it('ends the connection when a healthy session’s stream fails (no replay)', async () => {
    const s = podStream();
    const healthy = session({ stream: () => s.stream });
    let failure: string | undefined;
    let opened = 0;
    const done = new Promise<void>((resolve) => {
      void pair((socket) =>
        connectToPod({
          socket,
          podPort: () => 80,
          session: () => {
            opened++;
            return Promise.resolve(healthy);
          },
          sessionDied: () => Promise.resolve(false),
          tap,
          done: (f) => {
            failure = f;
            resolve();
          },
        }),
      ).then((client) => {
        client.on('error', () => undefined);
        client.write('x');
        setTimeout(() => s.stream.destroy(new KubefwdError('CONNECTION_REFUSED', 'refused by pod')), 20);
      });
    });
    await done;
    expect(failure).toBe('refused by pod');
    expect(opened).toBe(1);
  });
});
