// issue 6 "Done when": the SDK's MCP client over stdio spawns the real `./bin/kubefwd mcp` — before
// the daemon runs — and then walks the seed's stories against the real daemon and the simulated
// cluster: list, forward postgres and redis (the connection string echoes bytes), test api-gateway
// and read its HTTP traffic, kill a pod (diagnosed, then reconnected), remove the namespace (hosts
// block empty). The same MCP process serves everything: it was started while kubefwd was down.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SAMPLE_SCENARIO } from '../../src/sim/index.js';
import { binPath, isBuilt, repoRoot, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { echoRoundTrip, eventually, httpGet, kubefwdBlock, resolveName } from '../e2e/net.js';
import { errorJson } from './result-text.js';
import { ipPrefix, randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();

let fx: Fixture;
let kubefwd: CliProcess | undefined;
let client: Client;
let transport: StdioClientTransport;
let mcpStderr = '';

type Result = { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };
const call = async (name: string, args: Record<string, unknown> = {}): Promise<Result> =>
  (await client.callTool({ name, arguments: args })) as Result;
const ok = async (name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
  const r = await call(name, args);
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent ?? {};
};
const textOf = (r: Result): string =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');

const redisDeployment = (): string => {
  const doc = SAMPLE_SCENARIO.split('\n---').find(
    (d) => /kind: Deployment/.test(d) && /name: redis\n/.test(d),
  );
  if (!doc) throw new Error('redis Deployment not in the sample scenario');
  return doc;
};

describe.skipIf(!isBuilt())('kubefwd mcp over stdio, end to end (real daemon, simulated cluster)', () => {
  beforeAll(async () => {
    fx = await createFixture(IP_BASE);
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [binPath, 'mcp'],
      env: fx.env as Record<string, string>,
      cwd: repoRoot,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (mcpStderr += d.toString()));
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await fx?.close();
  });

  it('starts without kubefwd: lists 28 tools, 8 resources, 10 prompts; calls say how to start kubefwd', async () => {
    expect((await client.listTools()).tools).toHaveLength(28);
    expect((await client.listResources()).resources).toHaveLength(8);
    expect((await client.listPrompts()).prompts).toHaveLength(10);
    const r = await call('list_services');
    expect(r.isError).toBe(true);
    expect(errorJson(r)).toMatchObject({ error: { code: 'DAEMON_UNAVAILABLE' } });
    expect(textOf(r)).toContain('sudo -E kubefwd');
  });

  it('works once kubefwd starts, without restarting the MCP server', async () => {
    kubefwd = fx.start(['-v']);
    await kubefwd.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/, 45_000);
    const health = await ok('get_health');
    expect(health).toMatchObject({ status: 'healthy', totalServices: 0 });
    expect(await ok('list_contexts')).toMatchObject({ current: 'sim' });
  }, 60_000);

  it('"what services are in shop" → list', async () => {
    const r = await ok('list_k8s_services', { namespace: 'shop' });
    const names = (r.services as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['api-gateway', 'postgres', 'redis', 'auth', 'kafka']));
  });

  it('a namespace or pod that does not exist: named, with the closest names and the tool to call', async () => {
    const ns = await call('add_namespace', { namespace: 'shpo' });
    expect(ns.isError).toBe(true);
    expect(textOf(ns)).toContain('NAMESPACE_NOT_FOUND');
    expect(textOf(ns)).toContain('namespace "shpo" does not exist in context sim (did you mean "shop"?)');
    const logsNs = await call('get_pod_logs', { namespace: 'doesnotexist', pod_name: 'web-0' });
    expect(textOf(logsNs)).toContain('NAMESPACE_NOT_FOUND');
    const logsPod = await call('get_pod_logs', { namespace: 'shop', pod_name: 'never-was' });
    expect(textOf(logsPod)).toContain('POD_NOT_FOUND');
    expect(textOf(logsPod)).toContain('list_pods');
    expect(textOf(logsPod)).not.toMatch(/POST \/api\//);
    // A service in a namespace that does not exist, a misspelt service, a namespace listed: the
    // API server answers these with a bare 404 or an empty list; kubefwd says which it is.
    const svcNs = await call('add_service', { namespace: 'shpo', service_name: 'postgres' });
    expect(textOf(svcNs)).toContain('namespace "shpo" does not exist in context sim (did you mean "shop"?)');
    expect(textOf(svcNs)).toContain('list_k8s_namespaces');
    const typo = await call('add_service', { namespace: 'shop', service_name: 'postgress' });
    expect(textOf(typo)).toContain(
      'service "postgress" not found in namespace shop (context sim) (did you mean "postgres"?)',
    );
    expect(textOf(typo)).toMatch(/Next step: The services of shop: .*api-gateway.*postgres/);
    expect(errorJson(typo)).toMatchObject({ error: { code: 'SERVICE_NOT_FOUND', field: 'service_name' } });
    const list = await call('list_k8s_services', { namespace: 'doesnotexist' });
    expect(errorJson(list)).toMatchObject({ error: { code: 'NAMESPACE_NOT_FOUND', field: 'namespace' } });
    const traffic = await call('get_http_traffic', { service_key: 'nonexistent-svc' });
    expect(errorJson(traffic)).toMatchObject({ error: { code: 'SERVICE_NOT_FOUND', field: 'service_key' } });
  });

  it('"forward postgres and redis" → forwarded; the connection strings work (bytes echo)', async () => {
    for (const svc of ['postgres', 'redis']) {
      const added = await ok('add_service', { namespace: 'shop', service_name: svc });
      expect(added).toMatchObject({ key: `${svc}.shop.sim`, success: true });
      await eventually(
        async () => (await ok('get_service', { key: `${svc}.shop.sim` })).status === 'active',
        20_000,
      );
    }
    // Short keys: the name alone, or name.namespace, names the one service.
    expect(await ok('get_service', { key: 'postgres' })).toMatchObject({ key: 'postgres.shop.sim' });
    expect(await ok('get_service', { key: 'redis.shop' })).toMatchObject({ key: 'redis.shop.sim' });
    expect(await ok('get_metrics', { scope: 'service_detail', service_key: 'redis' })).toMatchObject({
      services: [expect.objectContaining({ key: 'redis.shop.sim' })],
    });
    // kubefwd runs with --hosts-path here: the names resolve for no program, so the connection
    // strings use the IPs (the names are still given, and are in that file).
    const pg = await ok('get_connection_info', { service_name: 'postgres', namespace: 'shop' });
    expect(pg.envVars).toMatchObject({
      DATABASE_URL: `postgresql://postgres@${String(pg.localIP)}:5432/postgres`,
      POSTGRES_PORT: '5432',
    });
    const redis = await ok('get_connection_info', { service_name: 'redis' });
    expect(redis.envVars).toMatchObject({ REDIS_URL: `redis://${String(redis.localIP)}:6379` });
    for (const info of [pg, redis]) {
      const cs = (info.connectionStrings as { url: string; port: number }[])[0]!;
      const ip = new URL(cs.url).hostname;
      expect(ip).toBe(info.localIP);
      expect(ip.startsWith(ipPrefix(IP_BASE))).toBe(true);
      const host = (info.hostnames as string[])[0]!;
      expect(await eventually(() => resolveName(fx.hostsPath, host), 10_000)).toBe(ip);
      const payload = Buffer.from(`hello ${host} through kubefwd mcp`);
      expect((await echoRoundTrip(ip, cs.port, payload)).toString()).toBe(payload.toString());
    }
  }, 60_000);

  it('"test api-gateway and show me the traffic" → requests appear in get_http_traffic', async () => {
    await ok('add_namespace', { namespace: 'shop' });
    const key = 'api-gateway.shop.sim';
    await eventually(async () => (await ok('get_service', { key })).status === 'active', 20_000);
    const info = await ok('get_connection_info', { service_name: 'api-gateway' });
    const ip = await eventually(() => resolveName(fx.hostsPath, 'api-gateway'), 10_000);
    expect(info.localIP).toBe(ip);
    for (const p of ['/health', '/orders?id=7'])
      expect((await httpGet(ip, 8080, p, 'api-gateway')).status).toBe(200);
    const traffic = await eventually(async () => {
      const t = await ok('get_http_traffic', { service_key: key });
      return (t.requests as unknown[]).length >= 2 ? t : undefined;
    }, 10_000);
    const reqs = traffic.requests as { method: string; path: string; statusCode: number }[];
    expect(reqs.map((r) => r.path)).toEqual(expect.arrayContaining(['/health', '/orders?id=7']));
    expect(reqs.every((r) => r.method === 'GET' && r.statusCode === 200)).toBe(true);
    const kafka = await eventually(async () => {
      const k = await ok('get_connection_info', { service_name: 'kafka' });
      return (k.pods as unknown[] | undefined)?.length === 3 ? k : undefined;
    }, 20_000);
    const brokers = kafka.pods as { hostname: string; ip: string }[];
    expect(brokers.map((b) => b.hostname)).toEqual(['kafka-0.kafka', 'kafka-1.kafka', 'kafka-2.kafka']);
    // By IP, as the names resolve for no program under --hosts-path.
    expect((kafka.envVars as Record<string, string>).KAFKA_BROKERS).toBe(
      brokers.map((b) => `${b.ip}:9092`).join(','),
    );
    const broker = brokers[1]!;
    expect(await eventually(() => resolveName(fx.hostsPath, broker.hostname), 10_000)).toBe(broker.ip);
    expect((await echoRoundTrip(broker.ip, 9092, Buffer.from('to broker 1'))).toString()).toBe('to broker 1');
    const res = await client.readResource({ uri: 'kubefwd://http-traffic' });
    const body = JSON.parse((res.contents[0] as { text: string }).text) as { requests: { path: string }[] };
    expect(body.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/health']));
    const pod = (await ok('get_service', { key })).forwards as { podName: string }[];
    const logs = await call('get_pod_logs', { namespace: 'shop', pod_name: pod[0]!.podName, tail_lines: 20 });
    expect(logs.isError).toBeFalsy();
    expect(textOf(logs)).toMatch(/untrusted content/i);
  }, 60_000);

  it('a pod is killed → diagnose_errors and get_analysis report it; reconnect_service recovers it', async () => {
    const key = 'redis.shop.sim';
    const pod = ((await ok('get_service', { key })).forwards as { podName: string }[])[0]!.podName;
    await fx.sim.control.deleteObject('Deployment', 'shop', 'redis');
    await fx.sim.control.deletePod('shop', pod).catch(() => undefined);
    const diag = await eventually(async () => {
      const d = await ok('diagnose_errors');
      return (d.errors as { serviceKey: string }[]).some((e) => e.serviceKey === key) ? d : undefined;
    }, 20_000);
    const err = (diag.errors as { serviceKey: string; errorType: string; nextStep: { tool: string } }[]).find(
      (e) => e.serviceKey === key,
    )!;
    expect(err.errorType).toMatch(/NO_PODS|POD_NOT_FOUND|CONNECTION_REFUSED|STREAM_ERROR/);
    expect((await ok('get_health')).status).toBe('degraded');
    const analysis = await ok('get_analysis');
    expect(analysis.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ serviceKey: key, errorCode: err.errorType })]),
    );
    await fx.sim.control.apply(redisDeployment());
    await fx.sim.control.waitForPodsReady('shop', { app: 'redis' }, 20_000);
    expect(await ok('reconnect_service', { key })).toMatchObject({ success: true, service: key });
    await eventually(async () => (await ok('get_service', { key })).status === 'active', 20_000);
    const info = await ok('get_connection_info', { service_name: 'redis' });
    const payload = Buffer.from('back again');
    expect((await echoRoundTrip(info.localIP as string, 6379, payload)).toString()).toBe('back again');
  }, 90_000);

  it('hostile arguments never reach the daemon as anything but data', async () => {
    for (const args of [
      { namespace: '--server=https://evil.example' },
      { namespace: '../../etc' },
      { namespace: 'shop\nfoo' },
      { namespace: 'x'.repeat(100_000) },
      { namespace: 42 },
    ]) {
      const r = await call('list_k8s_services', args);
      expect(errorJson(r)).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'namespace' } });
    }
    expect((await ok('get_health')).status).toBeDefined();
  });

  it('"remove the namespace" → hosts block empty', async () => {
    expect(await ok('remove_namespace', { namespace: 'shop' })).toMatchObject({
      success: true,
      context: 'sim',
    });
    await eventually(async () => {
      const text = await readFile(fx.hostsPath, 'utf8');
      return (
        kubefwdBlock(text)
          .split('\n')
          .filter((l) => l && !l.startsWith('#')).length === 0
      );
    }, 15_000);
    expect(await ok('list_hostnames')).toMatchObject({ total: 0 });
    expect(mcpStderr).not.toMatch(/Error:|at .*\.js:\d+/);
  }, 30_000);
});
