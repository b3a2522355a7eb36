import net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { KubefwdError } from '../../contract/errors.js';
import { FrameParser, RstStatus, encodeFrame } from './frames.js';
import { SpdySession } from './session.js';
import type { SpdyStream } from './stream.js';

/** A connected pair of loopback TCP sockets. */
const socketPair = async (): Promise<[net.Socket, net.Socket, () => void]> => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [serverSide] = await accepted;
  return [client, serverSide, () => server.close()];
};

/** Delivers bytes one at a time, to prove the session does not depend on chunk boundaries. */
const trickle = (inner: Duplex): Duplex => {
  const d = new Duplex({
    read() {
      inner.resume();
    },
    write(chunk: Buffer, _e, cb) {
      inner.write(chunk, cb);
    },
    final(cb) {
      inner.end(cb);
    },
    destroy(err, cb) {
      inner.destroy();
      cb(err);
    },
  });
  inner.on('data', (c: Buffer) => {
    for (const b of c) d.push(Buffer.from([b]));
  });
  inner.on('end', () => d.push(null));
  inner.on('close', () => d.destroy());
  return d;
};

const collect = async (s: NodeJS.ReadableStream): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Two connected sockets, closed after the test; for a peer that is not a SpdySession. */
const rawPair = async (): Promise<[net.Socket, net.Socket]> => {
  const [a, b, stop] = await socketPair();
  cleanups.push(() => {
    a.destroy();
    b.destroy();
    stop();
  });
  return [a, b];
};

const pair = async (opts: { trickle?: boolean; client?: object; server?: object } = {}) => {
  const [a, b, stop] = await socketPair();
  const client = new SpdySession(opts.trickle === true ? trickle(a) : a, { role: 'client', ...opts.client });
  const server = new SpdySession(b, { role: 'server', ...opts.server });
  cleanups.push(() => {
    client.destroy();
    server.destroy();
    stop();
  });
  return { client, server, a, b };
};

/** Server that echoes every stream back (upper-cased is not needed: byte-exact echo). */
const echo = (server: SpdySession): SpdyStream[] => {
  const seen: SpdyStream[] = [];
  server.on('stream', (s) => {
    seen.push(s);
    s.reply({ ok: 'yes' });
    s.pipe(s);
  });
  return seen;
};

describe('SpdySession', () => {
  it('opens a stream, carries headers both ways, echoes bytes and half-closes', async () => {
    const { client, server } = await pair();
    const seen = echo(server);
    const s = client.openStream({ StreamType: 'data', port: '80', requestid: '0' });
    const reply = once(s, 'reply');
    s.end(Buffer.from('hello'));
    expect(await collect(s)).toEqual(Buffer.from('hello'));
    expect((await reply)[0]).toEqual({ ok: 'yes' });
    expect(seen[0]?.headers).toEqual({ streamtype: 'data', port: '80', requestid: '0' });
    expect(s.id).toBe(1);
  });

  it('holds writes back until released (or the peer sends), then sends them in order with the FIN', async () => {
    const { client, server } = await pair();
    const got: Buffer[] = [];
    let ended = false;
    const served = new Promise<SpdyStream>((resolve) =>
      server.on('stream', (s) => {
        s.reply();
        s.on('data', (c: Buffer) => got.push(c));
        s.on('end', () => (ended = true));
        resolve(s);
      }),
    );
    const s = client.openStream({ n: '1' });
    s.holdWrites();
    s.write('one ');
    s.end('two');
    await served;
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(0);
    expect(s.sentBytes).toBe(0);
    s.releaseWrites();
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(got).toString()).toBe('one two');
    expect(ended).toBe(true);
    expect(s.sentBytes).toBe(7);

    // The peer's first byte releases too; a destroyed stream never sends what it held.
    const t = client.openStream({ n: '2' });
    t.holdWrites();
    t.write('held');
    const [peer] = (await once(server, 'stream')) as [SpdyStream];
    peer.reply();
    const echoed = once(peer, 'data') as Promise<[Buffer]>;
    peer.write('hi');
    expect((await echoed)[0].toString()).toBe('held');
  });

  it('GOAWAY refuses the streams we opened after the last one the peer took', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => s.reply());
    const taken = client.openStream({ n: '1' });
    await once(taken, 'reply');
    const late = client.openStream({ n: '2' });
    const lateError = once(late, 'error') as Promise<[KubefwdError]>;
    // As spdystream's Close(): last good = the last stream it received (1), sent before 3 arrives.
    (server as unknown as { lastRemoteStreamId: number }).lastRemoteStreamId = 1;
    server.goAway();
    expect((await lateError)[0].message).toMatch(/REFUSED_STREAM/);
    expect(taken.destroyed).toBe(false);
  });

  it('a never-read stream that gets DATA stops the connection reading, as a blocked spdystream worker does', async () => {
    const { client, server } = await pair();
    const streams: SpdyStream[] = [];
    server.on('stream', (s) => {
      s.reply();
      streams.push(s);
      if (streams.length === 1) server.neverRead(s);
      else s.pipe(s);
    });
    const unread = client.openStream({ n: '1' });
    await once(unread, 'reply');
    unread.write('stuck');
    await new Promise((r) => setTimeout(r, 50));
    const other = client.openStream({ n: '2' });
    other.write('x');
    const answer = await Promise.race([
      once(other, 'data').then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('stalled'), 300)),
    ]);
    expect(answer).toBe('stalled');
  });

  it('works when every byte arrives in its own chunk', async () => {
    const { client, server } = await pair({ trickle: true });
    echo(server);
    const streams = [0, 1, 2].map((i) => client.openStream({ n: String(i) }));
    const payloads = streams.map((_, i) => Buffer.alloc(3000 + i, i + 1));
    streams.forEach((s, i) => s.end(payloads[i]));
    const got = await Promise.all(streams.map(collect));
    expect(got).toEqual(payloads);
    expect(streams.map((s) => s.id)).toEqual([1, 3, 5]);
  });

  it('keeps the other direction open after a half-close', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => {
      s.reply();
      s.resume();
      s.on('end', () => {
        // Client finished sending; server keeps talking, then ends.
        s.write('late ');
        setImmediate(() => s.end('reply'));
      });
    });
    const s = client.openStream({});
    s.end('req');
    expect((await collect(s)).toString()).toBe('late reply');
  });

  it('a 4 MiB transfer stays byte-exact with a slow reader (backpressure bounds the buffer)', async () => {
    const { client, server } = await pair({
      client: { streamHighWaterMark: 64 * 1024, streamBufferLimit: 128 * 1024 },
    });
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    server.on('stream', (s) => {
      s.reply();
      s.resume();
      s.end(big);
    });
    const s = client.openStream({});
    s.end();
    const parts: Buffer[] = [];
    let maxBuffered = 0;
    for await (const c of s) {
      parts.push(c as Buffer);
      maxBuffered = Math.max(maxBuffered, s.readableLength);
      await new Promise((r) => setImmediate(r));
    }
    expect(Buffer.concat(parts).equals(big)).toBe(true);
    // Bounded by streamBufferLimit plus what one socket read delivers.
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });

  it('RST_STREAM: a refused stream errors on the client, others continue', async () => {
    const { client, server } = await pair();
    server.on('stream', (s, h) => {
      if (h.port === 'bad') s.reset(RstStatus.REFUSED_STREAM);
      else {
        s.reply();
        s.pipe(s);
      }
    });
    const bad = client.openStream({ port: 'bad' });
    const good = client.openStream({ port: 'good' });
    const [err] = (await once(bad, 'error')) as [KubefwdError];
    expect(err.code).toBe('STREAM_ERROR');
    expect(err.message).toMatch(/REFUSED_STREAM/);
    expect(bad.resetStatus).toBe(RstStatus.REFUSED_STREAM);
    good.end('still fine');
    expect((await collect(good)).toString()).toBe('still fine');
  });

  it('destroying a stream locally sends RST CANCEL to the peer', async () => {
    const { client, server } = await pair();
    const got = new Promise<number>((resolve) =>
      server.on('stream', (s) => {
        s.reply();
        s.on('reset', resolve);
      }),
    );
    const s = client.openStream({});
    s.write('x');
    s.destroy();
    expect(await got).toBe(RstStatus.CANCEL);
  });

  it('PING measures a round trip; the server answers client pings and vice versa', async () => {
    const { client, server } = await pair();
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
    expect(await server.ping()).toBeGreaterThanOrEqual(0);
  });

  it('keep-alive declares a silent peer dead with a TIMEOUT', async () => {
    const [a, b] = await rawPair();
    b.resume(); // a peer that reads but never answers
    const client = new SpdySession(a, { role: 'client', pingIntervalMs: 20, pingTimeoutMs: 60 });
    const s = client.openStream({});
    const streamErr = once(s, 'error');
    const err = await client.closed;
    expect(err).toBeInstanceOf(KubefwdError);
    expect((err as KubefwdError).code).toBe('TIMEOUT');
    expect(((await streamErr)[0] as KubefwdError).code).toBe('TIMEOUT');
    expect(a.destroyed).toBe(true);
  });

  it('checkAlive proves a connection now: answered is alive, silence ends it with TIMEOUT', async () => {
    const { client, server } = await pair();
    echo(server);
    expect(await client.checkAlive(1000)).toBe(true);
    expect(client.isClosed).toBe(false);

    // A peer that reads but never answers (a NAT that forgot the connection looks the same).
    const [a, b] = await rawPair();
    b.resume();
    const silent = new SpdySession(a, { role: 'client' });
    const s = silent.openStream({});
    const streamErr = once(s, 'error');
    expect(await silent.checkAlive(50)).toBe(false);
    expect(((await silent.closed) as KubefwdError).code).toBe('TIMEOUT');
    expect(((await streamErr)[0] as KubefwdError).message).toMatch(/no answer to a PING within 50 ms/);
    expect(await silent.checkAlive(50)).toBe(false);
  });

  it('checkAlive counts any bytes as life: a PING answer queued behind data is not a dead peer', async () => {
    const [a, b] = await rawPair();
    // The peer never answers PINGs but keeps sending bytes (a busy download, its answer far behind).
    const client = new SpdySession(a, { role: 'client' });
    b.resume();
    let id = 2;
    const traffic = setInterval(() => b.write(encodeFrame({ type: 'ping', id: (id += 2) })), 10);
    cleanups.push(() => clearInterval(traffic));
    expect(await client.checkAlive(100)).toBe(true);
    expect(client.isClosed).toBe(false);
  });

  it('checkAlive does not judge a connection whose output waits (an upload, its PING queued behind it)', async () => {
    // A peer that answers nothing (as spdystream sends no window updates) and reads slowly.
    const [a, b] = await rawPair();
    const client = new SpdySession(a, { role: 'client' });
    const upload = client.openStream({});
    upload.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024);
    const fill = (): void => {
      while (upload.write(chunk));
    };
    upload.on('drain', fill);
    fill();
    b.pause();
    const sip = setInterval(() => b.read(16 * 1024), 20);
    cleanups.push(() => clearInterval(sip));
    await new Promise((r) => setTimeout(r, 200));
    expect(a.writableLength).toBeGreaterThan(0);
    expect(await client.checkAlive(300)).toBe(true);
    expect(client.isClosed).toBe(false);
  });

  it('the peer cutting the connection closes every stream with a reason', async () => {
    const { client, server, b } = await pair();
    echo(server);
    const streams = [1, 2, 3].map(() => client.openStream({}));
    streams.forEach((s) => s.write('x'));
    await Promise.all(streams.map((s) => once(s, 'data')));
    const errors = streams.map((s) => once(s, 'error'));
    b.destroy();
    for (const e of await Promise.all(errors)) expect((e[0] as KubefwdError).code).toBe('STREAM_ERROR');
    expect(await client.closed).toBeInstanceOf(KubefwdError);
    expect(client.streamCount).toBe(0);
  });

  it('close() sends GOAWAY, the peer sees it and the end; closed resolves undefined', async () => {
    const { client, server } = await pair();
    const goaway = once(server, 'goaway');
    client.close();
    await goaway;
    expect(await client.closed).toBeUndefined();
    expect(await server.closed).toBeInstanceOf(KubefwdError);
    expect(() => client.openStream({})).toThrow(/closed/);
  });

  it('after GOAWAY from the peer, no new streams may be opened', async () => {
    const { client, server } = await pair();
    const g = once(client, 'goaway');
    server.close();
    await g;
    expect(() => client.openStream({})).toThrow(/going away|closed/);
  });

  it('refuses streams when nobody listens, and SYN_STREAMs with a wrong id parity', async () => {
    const { client } = await pair();
    // The server session has no 'stream' listener.
    const s = client.openStream({});
    s.on('error', () => {});
    await once(s, 'reset');
    expect(s.resetStatus).toBe(RstStatus.REFUSED_STREAM);
  });

  it('a lingering open waits a turn: the SYN_STREAM and the bytes written in the next turn go out in one write', async () => {
    // What the session hands its pipe, one entry per write (a corked batch is one writev).
    const writes: Buffer[] = [];
    const pipe = new Duplex({
      read() {},
      write(chunk: Buffer, _e, cb) {
        writes.push(chunk);
        cb();
      },
      writev(chunks, cb) {
        writes.push(Buffer.concat(chunks.map((c) => c.chunk as Buffer)));
        cb();
      },
    });
    const client = new SpdySession(pipe, { role: 'client' });
    cleanups.push(() => client.destroy());
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    const frames = (b: Buffer): string[] =>
      new FrameParser().push(b).map((f) => `${f.type}${f.type === 'data' ? `:${f.data.toString()}` : ''}`);

    // Without linger the SYN_STREAM leaves at the end of its own turn.
    client.openStream({ n: '0' });
    await turn();
    expect(writes.map(frames)).toEqual([['syn_stream']]);
    writes.length = 0;

    const s = client.openStream({ n: '1' }, { linger: true });
    await turn();
    expect(writes).toHaveLength(0); // lingering
    s.write('GET /'); // what a just-accepted socket delivers in the next poll phase
    await turn();
    expect(writes.map(frames)).toEqual([['syn_stream', 'data:GET /']]);
    writes.length = 0;

    // A flush lingers once: streams opened turn after turn do not hold the first one back further.
    for (let i = 0; i < 3; i++) {
      client.openStream({ n: String(10 + i) }, { linger: true });
      await turn();
    }
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(frames(writes[0]!)).toEqual(['syn_stream', 'syn_stream']);
  });

  it('runs over any Duplex pipe (in-memory pair)', async () => {
    const ab = new PassThrough();
    const ba = new PassThrough();
    const end = (r: PassThrough, w: PassThrough): Duplex => Duplex.from({ readable: r, writable: w });
    const client = new SpdySession(end(ba, ab), { role: 'client' });
    const server = new SpdySession(end(ab, ba), { role: 'server' });
    cleanups.push(() => {
      client.destroy();
      server.destroy();
    });
    echo(server);
    const s = client.openStream({});
    s.end('mem');
    expect((await collect(s)).toString()).toBe('mem');
  });

  it('200 concurrent streams each stay byte-exact', async () => {
    const { client, server } = await pair();
    echo(server);
    const streams = Array.from({ length: 200 }, (_, i) => client.openStream({ i: String(i) }));
    const payloads = streams.map((_, i) => Buffer.alloc(10_000 + i, i & 0xff));
    streams.forEach((s, i) => s.end(payloads[i]));
    const got = await Promise.all(streams.map(collect));
    got.forEach((g, i) => expect(g.equals(payloads[i]!)).toBe(true));
    await new Promise((r) => setImmediate(r));
    expect(client.streamCount).toBe(0);
  });
});
