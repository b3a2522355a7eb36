// The REST client and ClusterGateway over plain HTTP against a tiny scripted server: error mapping,
// 401 → refresh → retry, deadlines, line streaming, proxy-url CONNECT, unreachable servers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeConnection } from '../../src/kube/auth/connection.js';
import { createClusterGateway } from '../../src/kube/cluster-gateway.js';
import { createRestClient } from '../../src/kube/rest/client.js';
import { realClock, silentLogger } from '../../src/kube/types.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(
  handler: Handler,
): Promise<{ url: string; server: Server; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

const conn = (server: string, extra: Partial<KubeConnection> = {}): KubeConnection => ({
  contextName: 'test',
  namespace: 'default',
  server,
  tlsOptions: async () => ({}),
  authHeaders: async () => ({ Authorization: 'Bearer good' }),
  invalidateCredentials: () => false,
  pendingCredential: () => undefined,
  close: () => undefined,
  ...extra,
});

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
  });

const subject = { verb: 'list', resource: 'pods', namespace: 'ns' };

describe('REST client', () => {
  it('sends auth, builds the URL with the server path prefix and query, parses JSON', async () => {
    const { url, requests } = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"items":[]}');
    });
    const rest = createRestClient(conn(`${url}/prefix/`));
    cleanups.push(() => rest.close());
    const body = await rest.json<{ items: unknown[] }>({
      path: '/api/v1/namespaces/ns/pods',
      query: { labelSelector: 'app=a,tier in (x,y)', limit: 500, skip: undefined },
      subject,
    });
    expect(body).toEqual({ items: [] });
    expect(requests[0]?.url).toBe(
      '/prefix/api/v1/namespaces/ns/pods?labelSelector=app%3Da%2Ctier+in+%28x%2Cy%29&limit=500',
    );
    expect(requests[0]?.headers.authorization).toBe('Bearer good');
  });

  it('sends a list-valued header (impersonated groups) as one header line per value', async () => {
    const { url, requests } = await serve((_req, res) => res.end('{}'));
    const rest = createRestClient(
      conn(url, {
        authHeaders: async () => ({ 'Impersonate-User': 'jane', 'Impersonate-Group': ['ops', 'dev,qa'] }),
      }),
    );
    cleanups.push(() => rest.close());
    await rest.json({ path: '/api', subject });
    expect(requests[0]?.headersDistinct['impersonate-group']).toEqual(['ops', 'dev,qa']);
    expect(requests[0]?.headers['impersonate-user']).toBe('jane');
  });

  it('keeps connections alive between requests; dropIdleConnections makes the next request dial anew', async () => {
    const { url, requests } = await serve((_req, res) => res.end('{}'));
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    const port = async (): Promise<number> => {
      await rest.json({ path: '/api', subject });
      return requests.at(-1)!.socket.remotePort!;
    };
    const first = await port();
    expect(await port()).toBe(first);
    rest.dropIdleConnections();
    expect(await port()).not.toBe(first);
  });

  it('maps Status errors (403 names verb and resource, 404 → *_NOT_FOUND)', async () => {
    const { url } = await serve((req, res) => {
      res.statusCode = req.url?.includes('forbidden') ? 403 : 404;
      res.end(status(res.statusCode, res.statusCode === 403 ? 'Forbidden' : 'NotFound', 'nope'));
    });
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/forbidden', subject })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(/cannot list pods in namespace "ns"/),
    });
    await expect(
      rest.json({ path: '/x', subject: { verb: 'get', resource: 'services', namespace: 'ns', name: 'web' } }),
    ).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
  });

  it("keeps a 429's Retry-After (seconds) for the informer to wait as asked", async () => {
    const { url } = await serve((req, res) => {
      res.statusCode = 429;
      if (req.url === '/slow-down') res.setHeader('Retry-After', '2');
      res.end(status(429, 'TooManyRequests', 'Too many requests, please try again later.'));
    });
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/slow-down', subject })).rejects.toMatchObject({
      code: 'API_BUSY',
      httpStatus: 429,
      retryAfterMs: 2000,
    });
    await expect(rest.json({ path: '/other', subject })).rejects.toMatchObject({ retryAfterMs: undefined });
  });

  it('on 401 drops cached credentials and retries once; a second 401 is AUTH_FAILED', async () => {
    const { url, requests } = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer fresh') res.end('{"ok":true}');
      else {
        res.statusCode = 401;
        res.end(status(401, 'Unauthorized', 'Unauthorized'));
      }
    });
    let token = 'stale';
    const refreshing = createRestClient(
      conn(url, {
        authHeaders: async () => ({ Authorization: `Bearer ${token}` }),
        invalidateCredentials: () => {
          token = 'fresh';
          return true;
        },
      }),
    );
    cleanups.push(() => refreshing.close());
    await expect(refreshing.json({ path: '/a', subject })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    const fixed = createRestClient(conn(url, { authHeaders: async () => ({ Authorization: 'Bearer bad' }) }));
    cleanups.push(() => fixed.close());
    await expect(fixed.json({ path: '/a', subject })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('a server that never answers → API_UNREACHABLE after the request deadline', async () => {
    const { url } = await serve(() => undefined);
    const rest = createRestClient(conn(url), { requestTimeoutMs: 200 });
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/slow', subject })).rejects.toMatchObject({
      code: 'API_UNREACHABLE',
      message: expect.stringMatching(/did not answer within 200 ms/),
    });
  });

  it('nothing listening → API_UNREACHABLE naming the server', async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/', subject })).rejects.toMatchObject({
      code: 'API_UNREACHABLE',
      message: expect.stringContaining(`${url} (context "test") is unreachable`),
    });
  });

  it('an unresolvable host → API_UNREACHABLE', async () => {
    const rest = createRestClient(conn('http://no-such-host.invalid:6443'));
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/', subject })).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
  });

  it('streams lines split across chunks, and an idle stream fails after its timeout', async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/idle')) {
        res.write('{"a":1}\n');
        return;
      }
      res.write('{"type":"ADD');
      setTimeout(() => {
        res.write('ED","n":1}\n{"type":"MODIFIED","n":2}\n{"type":');
        res.end('"DELETED","n":3}');
      }, 10);
    });
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    const lines: string[] = [];
    await rest.lines({ path: '/watch', subject }, (l) => lines.push(l));
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 2, 3]);
    const idle: string[] = [];
    await expect(
      rest.lines({ path: '/idle', subject, timeoutMs: 150 }, (l) => idle.push(l)),
    ).rejects.toMatchObject({
      code: 'API_UNREACHABLE',
      message: expect.stringMatching(/silent for 150 ms/),
    });
    expect(idle).toEqual(['{"a":1}']);
  });

  it('says a stream is open once the server accepted it, before any line; never for a refusal', async () => {
    let release: (() => void) | undefined;
    const { url } = await serve((req, res) => {
      if (req.url === '/denied') {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"kind":"Status","code":403,"reason":"Forbidden","message":"pods is forbidden"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      release = () => res.end('{"n":1}\n');
    });
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    const seen: string[] = [];
    const done = rest.lines(
      { path: '/w', subject },
      (l) => seen.push(l),
      () => seen.push('open'),
    );
    await vi.waitFor(() => expect(seen).toEqual(['open']));
    release!();
    await done;
    expect(seen).toEqual(['open', '{"n":1}']);
    let opened = false;
    await expect(
      rest.lines(
        { path: '/denied', subject },
        () => undefined,
        () => (opened = true),
      ),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(opened).toBe(false);
  });

  it('an aborted stream resolves quietly', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('{"x":1}\n');
    });
    const rest = createRestClient(conn(url));
    cleanups.push(() => rest.close());
    const ac = new AbortController();
    const done = rest.lines({ path: '/w', subject, signal: ac.signal }, () => ac.abort());
    await expect(done).resolves.toBeUndefined();
  });

  it('goes through an HTTP CONNECT proxy from proxy-url', async () => {
    const { url } = await serve((_req, res) => res.end('{"via":"proxy"}'));
    const target = new URL(url);
    let connects = 0;
    const proxy = await serve(() => undefined);
    proxy.server.on('connect', (req: IncomingMessage, client: Socket) => {
      connects += 1;
      expect(req.url).toBe(`${target.hostname}:${target.port}`);
      const upstream = connect(Number(target.port), target.hostname, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      cleanups.push(() => {
        upstream.destroy();
        client.destroy();
      });
    });
    const rest = createRestClient(conn(url, { proxyUrl: proxy.url }));
    cleanups.push(() => rest.close());
    await expect(rest.json({ path: '/x', subject })).resolves.toEqual({ via: 'proxy' });
    expect(connects).toBe(1);
    expect(() => createRestClient(conn(url, { proxyUrl: 'socks5://p:1080' }))).toThrow(
      /only http and https proxies/,
    );
  });
});

describe('ClusterGateway over REST', () => {
  it('pages lists with continue tokens and passes log options', async () => {
    const { url, requests } = await serve((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (u.pathname.endsWith('/log')) {
        res.setHeader('content-type', 'text/plain');
        res.end('line1\nline2\n');
        return;
      }
      const page = u.searchParams.get('continue');
      res.end(
        JSON.stringify(
          page
            ? { items: [{ metadata: { name: 'b' } }], metadata: { resourceVersion: '9' } }
            : { items: [{ metadata: { name: 'a' } }], metadata: { resourceVersion: '8', continue: 'tok' } },
        ),
      );
    });
    const c = conn(url);
    const port = createClusterGateway({
      conn: c,
      rest: createRestClient(c),
      logger: silentLogger,
      clock: realClock,
      transport: 'auto',
      portForwarders: () => {
        throw new Error('unused');
      },
    });
    cleanups.push(() => port.close());
    const pods = await port.listPods('ns', { labelSelector: 'app=x' });
    expect(pods.map((p) => p.metadata.name)).toEqual(['a', 'b']);
    expect(requests[1]?.url).toBe('/api/v1/namespaces/ns/pods?labelSelector=app%3Dx&limit=500&continue=tok');
    const logs = await port.podLogs('ns', 'a', {
      container: 'c',
      tailLines: 10,
      timestamps: true,
      limitBytes: 100,
    });
    expect(logs).toBe('line1\nline2\n');
    expect(requests[2]?.url).toBe(
      '/api/v1/namespaces/ns/pods/a/log?container=c&tailLines=10&timestamps=true&limitBytes=100',
    );
    await expect(port.podLogs('ns', 'a', { sinceTime: 'yesterday' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'sinceTime',
    });
    await expect(port.podLogs('ns', 'a', { tailLines: -1 })).rejects.toMatchObject({ field: 'tailLines' });
  });
});
