import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { connect, type Socket } from 'node:net';
import { apiLimitsFor, listenApi, listenApiOrFallback, type ApiListener } from './api-listener.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** A real address held by another program. */
const taken = async (): Promise<number> => {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  open.push({ close: () => new Promise((r) => s.close(r)) });
  return (s.address() as { port: number }).port;
};

const listen = async (host: string, port: number): Promise<ApiListener> => {
  const api = await listenApi(host, port);
  open.push(api);
  return api;
};

describe('listenApiOrFallback', () => {
  it('the well-known address taken (another kubefwd): a free loopback port instead, said once', async () => {
    const port = await taken();
    const said: string[] = [];
    const { api, wellKnown } = await listenApiOrFallback(
      listen,
      { host: '127.0.0.1', port, wellKnown: true },
      (m) => said.push(m),
    );
    expect(wellKnown).toBe(false);
    expect(api.port).not.toBe(port);
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^127\\.0\\.0\\.1:${port} \\(kubefwd\\.internal\\) is taken, most likely by another kubefwd: this one's REST API listens on http://127\\.0\\.0\\.1:${api.port} instead`,
        ),
      ),
    ]);
  });

  it('an address given with --api-listen is refused when taken, not moved', async () => {
    const port = await taken();
    const err = await listenApiOrFallback(
      listen,
      { host: '127.0.0.1', port, wellKnown: false },
      () => undefined,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubefwdError);
    expect(err).toMatchObject({ code: 'PORT_IN_USE', field: '--api-listen' });
  });
});

describe('the API connection cap', () => {
  it('is a quarter of the open-file limit (at most 256), streams half of it', () => {
    expect(apiLimitsFor(undefined)).toEqual({ total: 256, streams: 128 });
    expect(apiLimitsFor(1_048_576)).toEqual({ total: 256, streams: 128 });
    expect(apiLimitsFor(256)).toEqual({ total: 64, streams: 32 });
    expect(apiLimitsFor(20)).toEqual({ total: 16, streams: 8 });
  });

  /** A listener capped at `total` whose /stream answers never end and / answers at once. */
  const capped = async (total: number) => {
    const refused: string[] = [];
    const api = await listenApi('127.0.0.1', 0, { limits: { total }, onRefused: (w) => refused.push(w) });
    open.push(api);
    api.attach((req) =>
      new URL(req.url).pathname === '/stream'
        ? new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(':\n')) }))
        : new Response('ok'),
    );
    return { api, refused };
  };
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });
  const rawConnect = (port: number, request?: string): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        if (request) s.write(request);
        resolve(s);
      });
      sockets.push(s);
      s.on('error', () => undefined);
      s.once('error', reject);
    });
  const firstBytes = (s: Socket): Promise<string> =>
    new Promise((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));

  it('all clients on 127.0.0.1: idle connections at the cap make room for a request', async () => {
    const { api, refused } = await capped(4);
    for (let i = 0; i < 4; i++) await rawConnect(api.port);
    const r = await fetch(`${api.url}/`);
    expect([r.status, await r.text()]).toEqual([200, 'ok']);
    expect(refused[0]).toBe('closed an idle API connection to make room (more than 4 open)');
  });

  it('every connection busy with a stream: the next request is answered 503 with what to do', async () => {
    const { api, refused } = await capped(4);
    for (let i = 0; i < 4; i++) {
      const s = await rawConnect(api.port, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await firstBytes(s)).toMatch(/^HTTP\/1\.1 200/);
    }
    const r = await fetch(`${api.url}/`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({
      error: { code: 'NOT_READY', hint: expect.stringMatching(/event streams/) },
    });
    expect(refused).toContain('answered 503: all 4 API connections are busy');
  });
});
