// The API's guards: bearer key on everything but health, Host header (DNS rebinding), no CORS,
// loopback only, key and discovery file permissions.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, discoverDaemon } from '../../src/api/client/index.js';
import {
  createApiServer,
  defaultAllowedHosts,
  isAllowedHost,
  maskKey,
  parseListen,
  resolveApiKey,
  startApiServer,
  type RunningApiServer,
} from '../../src/api/server/index.js';
import { removeDiscoveryFile, writeDiscoveryFile } from '../../src/os/discovery-file.js';
import { checkBearer, safeEqual } from '../../src/api/server/security.js';
import { KubefwdError } from '../../src/contract/errors.js';
import { harness, KEY } from './harness.js';

let h: ReturnType<typeof harness> | undefined;
let server: RunningApiServer | undefined;
let home: string | undefined;
afterEach(async () => {
  h?.close();
  h = undefined;
  await server?.close();
  server = undefined;
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

/** Every documented operation with its path parameters filled in. */
const operations = async (hh: ReturnType<typeof harness>) => {
  const doc = (await (await hh.req('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, 'x'),
      secured: !Array.isArray(op.security) || op.security.length > 0,
    })),
  );
};

describe('bearer key', () => {
  it('every route but the public ones answers 401 without a key or with a wrong one', async () => {
    h = harness();
    const ops = await operations(h);
    expect(ops.length).toBeGreaterThan(40);
    const open = ops.filter((o) => !o.secured).map((o) => o.path);
    expect(open.sort()).toEqual(['/', '/api', '/api/health', '/api/v1', '/docs', '/openapi.yaml']);
    for (const op of ops.filter((o) => o.secured)) {
      const none = await h.req(op.path, { method: op.method, noKey: true });
      expect([op.path, none.status]).toEqual([op.path, 401]);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
      const wrong = await h.req(op.path, { method: op.method, headers: { authorization: `Bearer ${KEY}x` } });
      expect([op.path, wrong.status]).toEqual([op.path, 401]);
      expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('Invalid API key');
    }
  });

  it('the /docs page names exactly the routes the server leaves open', async () => {
    h = harness();
    const open = (await operations(h)).filter((o) => !o.secured).map((o) => o.path);
    const html = await (await h.req('/docs', { noKey: true })).text();
    const header = /<header>([\s\S]*?)<\/header>/.exec(html)![1]!;
    expect(header).not.toContain('every route but');
    const named = [...header.matchAll(/<code>([^<]+)<\/code>/g)]
      .map((m) => m[1])
      .filter((p) => p!.startsWith('/'));
    expect(named.sort()).toEqual(open.sort());
    for (const path of open) expect((await h.req(path, { noKey: true })).status, path).toBeLessThan(400);
  });

  it('accepts only "Bearer <key>"', () => {
    expect(checkBearer(undefined, 'k')).toBe('missing');
    expect(checkBearer('', 'k')).toBe('missing');
    expect(checkBearer('Basic abc', 'k')).toBe('invalid');
    expect(checkBearer('Bearer k', 'k')).toBe('ok');
    expect(checkBearer('bearer  k ', 'k')).toBe('ok');
    expect(checkBearer('Bearer k2', 'k')).toBe('invalid');
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });

  it('the client reports UNAUTHORIZED for a wrong key', async () => {
    h = harness();
    const bad = createApiClient({
      baseUrl: 'http://127.0.0.1:8080',
      key: 'nope',
      fetch: (u, i) => Promise.resolve(h!.app.request(u, i)),
    });
    await expect(bad.listServices()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await bad.health()).toMatchObject({ status: 'healthy' });
  });
});

describe('Host header (DNS rebinding)', () => {
  it('refuses foreign hosts, even for health, and accepts ours', async () => {
    h = harness();
    for (const host of [
      'evil.example',
      'evil.example:8080',
      '127.0.0.1.nip.io',
      'kubefwd.internal.evil.example',
    ]) {
      const r = await h.req('/api/health', { headers: { host } });
      expect([host, r.status]).toEqual([host, 403]);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN_HOST');
    }
    for (const host of ['kubefwd.internal', 'localhost:9999', '127.0.0.1:8080', 'KUBEFWD.INTERNAL'])
      expect((await h.req('/api/v1/services', { headers: { host } })).status).toBe(200);
  });

  it('matches names and ports', () => {
    const allowed = defaultAllowedHosts('127.2.27.1', 80);
    expect(isAllowedHost('kubefwd.internal', allowed)).toBe(true);
    expect(isAllowedHost('127.2.27.1', allowed)).toBe(true);
    expect(isAllowedHost('127.2.27.1:81', allowed)).toBe(false);
    expect(isAllowedHost('localhost:80', allowed)).toBe(true);
    expect(isAllowedHost(undefined, allowed)).toBe(false);
    expect(isAllowedHost('[::1]:8080', ['[::1]:8080'])).toBe(true);
  });
});

describe('no CORS', () => {
  it('sends no CORS headers and does not answer preflights', async () => {
    h = harness();
    const r = await h.req('/api/v1/services', { headers: { origin: 'http://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await h.req('/api/v1/services', {
      method: 'OPTIONS',
      noKey: true,
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    // Refused as what it is (a cross-origin browser call), not as a missing key.
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    expect(r.headers.get('cache-control')).toContain('no-store');
    for (const origin of ['http://evil.example', 'http://localhost']) {
      const body = (await (
        await h.req('/api/v1/services', {
          method: 'OPTIONS',
          noKey: true,
          headers: { origin, 'access-control-request-method': 'GET' },
        })
      ).json()) as { error: { code: string; message: string; hint: string; field: string } };
      expect(body.error).toMatchObject({ code: 'CROSS_ORIGIN_REFUSED', field: 'header.origin' });
      expect(body.error.message).toContain(`browser page on ${origin} cannot call it`);
      expect(body.error.hint).toMatch(/dashboard.*program/);
    }
  });
});

describe('loopback only', () => {
  it('refuses to listen beyond loopback', async () => {
    h = harness();
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com'])
      await expect(startApiServer({ app: h.app, host, port: 0 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    expect(() => parseListen('0.0.0.0:80')).toThrow(/loopback/);
    expect(() => parseListen('nonsense')).toThrow(KubefwdError);
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });

  it('createApiServer binds loopback and accepts only its own Host names with its port', async () => {
    h = harness();
    server = await createApiServer({
      state: h.state,
      controller: h.controller,
      version: 't',
      startedAt: 0,
      key: KEY,
      host: '127.0.0.1',
      port: 0,
    });
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const r = httpRequest(
          { host: '127.0.0.1', port: server!.port, path: '/api/health', headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        r.on('error', reject);
        r.end();
      });
    expect(await get(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await get(`kubefwd.internal:${server.port}`)).toBe(200);
    expect(await get(`localhost:${server.port + 1}`)).toBe(403);
    expect(await get('attacker.example')).toBe(403);
  });

  it('serves on a loopback address over a real socket, Host checked', async () => {
    h = harness();
    server = await startApiServer({ app: h.app, host: '127.0.0.1', port: 0 });
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const ok = await fetch(`${server.url}/api/v1/services`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
    const taken = startApiServer({ app: h.app, host: '127.0.0.1', port: server.port });
    await expect(taken).rejects.toMatchObject({ code: 'PORT_IN_USE' });
  });
});

describe('key and discovery file', () => {
  it('resolves the key from KUBEFWD_API_KEY or generates 32 hex chars; masks it', () => {
    expect(resolveApiKey({ KUBEFWD_API_KEY: 'pinned' })).toEqual({ key: 'pinned', source: 'env' });
    const g = resolveApiKey({});
    expect(g.source).toBe('generated');
    expect(g.key).toMatch(/^[0-9a-f]{32}$/);
    expect(resolveApiKey({}).key).not.toBe(g.key);
    expect(maskKey(g.key)).not.toContain(g.key.slice(4));
  });

  it('writes api.json mode 0600 in a 0700 dir, owned by the invoking user; discoverDaemon reads it', async () => {
    home = await mkdtemp(join(tmpdir(), 'kubefwd-api-'));
    const uid = process.getuid?.() ?? 0;
    // Under root, hand the file to another user as sudo would (SUDO_UID); otherwise to ourselves.
    const owner = uid === 0 ? 4321 : uid;
    const path = await writeDiscoveryFile({
      home,
      uid: owner,
      gid: owner,
      url: 'http://127.0.0.1:4321',
      key: 'k'.repeat(32),
      pid: process.pid,
    });
    const st = await stat(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect((await stat(join(home, '.kubefwd'))).mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(owner);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      url: 'http://127.0.0.1:4321',
      key: 'k'.repeat(32),
      pid: process.pid,
    });
    expect(await discoverDaemon({ home, env: {} })).toEqual({
      url: 'http://127.0.0.1:4321',
      key: 'k'.repeat(32),
      pid: process.pid,
      source: 'file',
    });
    expect(await discoverDaemon({ home, env: { KUBEFWD_API_URL: 'http://x' } })).toMatchObject({
      url: 'http://x',
      key: 'k'.repeat(32),
    });
    // KUBEFWD_API_KEY wins over the file's key (--api-key's help says so).
    expect(await discoverDaemon({ home, env: { KUBEFWD_API_KEY: 'pinned' } })).toMatchObject({
      url: 'http://127.0.0.1:4321',
      key: 'pinned',
    });
    expect(await discoverDaemon({ home, url: 'http://y', key: 'z', env: {} })).toEqual({
      url: 'http://y',
      key: 'z',
      source: 'options',
    });
    await removeDiscoveryFile(home, process.pid + 1_000_000); // another pid: left alone
    await expect(stat(path)).resolves.toBeDefined();
    // A file left by a dead daemon is refused.
    await writeDiscoveryFile({
      home,
      uid: owner,
      gid: owner,
      url: 'http://127.0.0.1:4321',
      key: 'k',
      pid: 2 ** 22 + 17,
    });
    await expect(discoverDaemon({ home, env: {} })).rejects.toMatchObject({
      code: 'DAEMON_UNAVAILABLE',
      message: /gone/,
    });
    expect((await discoverDaemon({ home, env: {}, isAlive: () => true })).pid).toBe(2 ** 22 + 17);
    await removeDiscoveryFile(home, 2 ** 22 + 17);
    await expect(discoverDaemon({ home, env: {} })).rejects.toMatchObject({ code: 'DAEMON_UNAVAILABLE' });
    // No file, but a kubefwd runs (started without --api): said so, with what to do.
    const noFile = await mkdtemp(join(tmpdir(), 'kubefwd-nofile-'));
    await expect(
      discoverDaemon({ home: noFile, env: {}, runningWithoutApi: async () => 4242 }),
    ).rejects.toMatchObject({
      code: 'DAEMON_UNAVAILABLE',
      message: expect.stringMatching(/^kubefwd \(pid 4242\) is running without its REST API/),
      hint: expect.stringMatching(/--api/),
    });
    await rm(noFile, { recursive: true, force: true });
  });

  it('the client says DAEMON_UNAVAILABLE when nothing listens', async () => {
    h = harness();
    server = await startApiServer({ app: h.app, host: '127.0.0.1', port: 0 });
    const url = server.url;
    await server.close();
    server = undefined;
    const client = createApiClient({ baseUrl: url, key: KEY });
    const err = await client.listServices().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubefwdError);
    expect((err as KubefwdError).code).toBe('DAEMON_UNAVAILABLE');
    expect((err as KubefwdError).hint).toMatch(/sudo -E kubefwd/);
  });
});
