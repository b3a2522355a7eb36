// issue 6 "Done when", HTTP variant: `./bin/kubefwd mcp --http` (Streamable HTTP) started before the
// daemon, then used with the daemon's key by the SDK's HTTP client for the same stories; refused
// without a key, with a wrong key, and with a foreign Host or Origin (DNS rebinding).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { discoverDaemon } from '../../src/api/client/index.js';
import { isBuilt, startCli, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { echoRoundTrip, eventually, httpGet, resolveName } from '../e2e/net.js';
import { randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

let fx: Fixture;
let mcp: CliProcess;
let url: URL;
let key: string;
const clients: Client[] = [];

/** A raw POST with full control of the headers (fetch cannot set Host). */
const rawPost = (headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          host: url.host,
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(INIT);
  });

const connect = async (bearer?: string): Promise<Client> => {
  const client = new Client({ name: 'e2e-http', version: '1' });
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {},
  });
  await client.connect(transport);
  clients.push(client);
  return client;
};

describe.skipIf(!isBuilt())('kubefwd mcp --http, end to end (real daemon, simulated cluster)', () => {
  beforeAll(async () => {
    fx = await createFixture(IP_BASE);
    mcp = startCli(['mcp', '--http', '127.0.0.1:0'], { env: fx.env });
    const m = await mcp.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/mcp)/, 20_000);
    url = new URL(m[1]!);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    mcp?.kill('SIGTERM');
    await mcp?.exited;
    await fx?.close();
  });

  it('before kubefwd runs and with no key configured it refuses (503), never serves without a key', async () => {
    expect(await rawPost({})).toBe(503);
    expect(await rawPost({ authorization: 'Bearer guess' })).toBe(503);
  });

  it('once kubefwd runs: its key is required; wrong key, foreign Host or Origin are refused', async () => {
    const daemon = fx.start([]);
    await daemon.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/, 45_000);
    key = (await discoverDaemon({ home: fx.home, env: {} })).key!;
    expect(await rawPost({})).toBe(401);
    expect(await rawPost({ authorization: 'Bearer wrong' })).toBe(401);
    expect(await rawPost({ authorization: `Bearer ${key}`, host: 'evil.example' })).toBe(403);
    expect(await rawPost({ authorization: `Bearer ${key}`, origin: 'http://evil.example' })).toBe(403);
    expect(await rawPost({ authorization: `Bearer ${key}` })).toBe(200);
    await expect(connect()).rejects.toThrow();
    await expect(connect('not-the-key')).rejects.toThrow();
  }, 60_000);

  it('with the key: the same tools, resources and prompts, and the stories work', async () => {
    const client = await connect(key);
    expect(client.getServerVersion()?.name).toBe('kubefwd');
    expect((await client.listTools()).tools).toHaveLength(28);
    expect((await client.listResources()).resources).toHaveLength(8);
    expect((await client.listPrompts()).prompts).toHaveLength(10);
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const r = await client.callTool({ name, arguments: args });
      if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
      return r.structuredContent as Record<string, unknown>;
    };
    const listed = await call('list_k8s_services', { namespace: 'shop' });
    expect((listed.services as { name: string }[]).map((s) => s.name)).toContain('postgres');
    await call('add_service', { namespace: 'shop', service_name: 'postgres' });
    await call('add_service', { namespace: 'shop', service_name: 'api-gateway' });
    await eventually(
      async () => (await call('get_service', { key: 'postgres.shop.sim' })).status === 'active',
      20_000,
    );
    await eventually(
      async () => (await call('get_service', { key: 'api-gateway.shop.sim' })).status === 'active',
      20_000,
    );
    const pg = await call('get_connection_info', { service_name: 'postgres' });
    const ip = await eventually(() => resolveName(fx.hostsPath, 'postgres'), 10_000);
    expect(pg.localIP).toBe(ip);
    expect((await echoRoundTrip(ip, 5432, Buffer.from('over http'))).toString()).toBe('over http');
    const gw = await eventually(() => resolveName(fx.hostsPath, 'api-gateway'), 10_000);
    expect((await httpGet(gw, 8080, '/via-http-mcp', 'api-gateway')).status).toBe(200);
    await eventually(async () => {
      const t = await call('get_http_traffic', { service_key: 'api-gateway.shop.sim' });
      return (t.requests as { path: string }[]).some((r) => r.path === '/via-http-mcp');
    }, 10_000);
    const bad = await client.callTool({ name: 'remove_service', arguments: { key: '../../etc/passwd' } });
    expect(bad.isError).toBe(true);
    expect(await call('remove_service', { key: 'postgres.shop.sim' })).toMatchObject({ success: true });
  }, 60_000);

  it('stops at once on SIGINT, with a client connected and a listening stream open (issue 14 item 5)', async () => {
    const client = await connect(key);
    await client.listTools();
    const stream = new AbortController();
    // A client's standalone GET stream (server-to-client messages), as SDK clients open one.
    void fetch(url, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: stream.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    mcp.kill('SIGINT');
    const exit = await mcp.exited;
    const ms = Date.now() - started;
    stream.abort();
    expect(exit.code).toBe(0);
    // Before: 3–8 s (kept-alive and streaming connections held the server open). The bound is far
    // above the figure measured now (tens of ms) so a loaded machine does not make it flaky.
    expect(ms).toBeLessThan(2000);
  }, 30_000);
});
