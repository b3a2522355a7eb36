// Every one of the 28 tools through the MCP clients people use — the SDK 1.x client
// (@modelcontextprotocol/sdk, what most hosts and the Inspector are built on) and the v2 client
// (@modelcontextprotocol/client) — over stdio (`kubefwd mcp`) and Streamable HTTP (`kubefwd mcp
// --http`), in each branch a user reaches: kubefwd down, invalid input, kubefwd started later,
// success, not found, and a forward that fails (its address held by another program).
// Each result is checked as the clients check it: structuredContent, when present, must pass the
// SDK 1.x ajv validator against the tool's listed outputSchema (SDK 1.x applies it to error results
// too, v2 to successes); a success repeats its data as JSON in the last text block; an error has
// no structuredContent and carries our code, message and next step.
// One daemon, one sim cluster and one client per generation × transport serve the whole matrix.
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { binPath, isBuilt, repoRoot, startCli, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { errorOf, lastJson } from './result-text.js';

interface Result {
  isError?: boolean;
  content?: unknown;
  structuredContent?: unknown;
}
interface ListedTool {
  name: string;
  inputSchema: { properties?: Record<string, unknown> };
  outputSchema?: Record<string, unknown>;
}
/** What the matrix needs of a client; both generations have these methods. */
interface Driver {
  name: string;
  tools: Map<string, ListedTool>;
  call(name: string, args: Record<string, unknown>): Promise<Result>;
  close(): Promise<void>;
}
interface SdkClient {
  listTools(): Promise<{ tools: unknown[] }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

const KEY = randomBytes(16).toString('hex');
// A random /16 of 127/8 for this run, so a parallel run of the suite never shares addresses.
const NET = `127.${randomInt(64, 250)}`;
const IP_BASE = `${NET}.${randomInt(1, 200)}.1`;
/** redis is reserved here, and this test holds redis's port on it: its forward cannot listen. */
const HELD_IP = `${NET}.${randomInt(201, 250)}.77`;

/** A pod name is only known once the cluster runs; filled in by the success phase. */
const dyn = { pod: 'postgres-x' };

/** Valid arguments, in the order the success phase calls them (all 28 tools). */
const SUCCESS: [string, () => Record<string, unknown>][] = [
  ['get_health', () => ({})],
  ['list_contexts', () => ({})],
  ['list_k8s_namespaces', () => ({})],
  ['list_k8s_services', () => ({ namespace: 'shop' })],
  ['add_service', () => ({ namespace: 'shop', service_name: 'postgres' })],
  ['add_namespace', () => ({ namespace: 'analytics' })],
  ['list_services', () => ({ include_forwards: true })],
  ['get_service', () => ({ key: 'postgres.shop.sim' })],
  ['find_services', () => ({ query: 'postgres in shop' })],
  ['list_hostnames', () => ({})],
  ['get_connection_info', () => ({ service_name: 'postgres', namespace: 'shop' })],
  ['list_pods', () => ({ namespace: 'shop', service_name: 'postgres' })],
  ['get_pod', () => ({ namespace: 'shop', pod_name: dyn.pod })],
  ['get_pod_logs', () => ({ namespace: 'shop', pod_name: dyn.pod, tail_lines: 5 })],
  ['get_events', () => ({ namespace: 'shop', limit: 5 })],
  ['get_endpoints', () => ({ namespace: 'shop', service_name: 'postgres' })],
  ['get_metrics', () => ({ scope: 'by_service' })],
  ['get_http_traffic', () => ({ service_key: 'postgres.shop.sim' })],
  ['get_history', () => ({ type: 'events', count: 5 })],
  ['get_logs', () => ({ count: 5 })],
  ['get_quick_status', () => ({})],
  ['get_analysis', () => ({})],
  ['diagnose_errors', () => ({})],
  ['reconnect_service', () => ({ key: 'postgres.shop.sim' })],
  ['sync_service', () => ({ key: 'postgres.shop.sim', force: true })],
  ['reconnect_all_errors', () => ({})],
  ['remove_service', () => ({ key: 'postgres.shop.sim' })],
  ['remove_namespace', () => ({ namespace: 'analytics' })],
];

/**
 * Tools with a "not found" branch, with the code the user sees. The others only list or summarise
 * (an unknown filter gives an empty list): find_services, list_services, list_hostnames,
 * list_contexts, get_health, get_quick_status, get_analysis, diagnose_errors, get_logs,
 * reconnect_all_errors, and the lists below under EMPTY. remove_namespace is idempotent (it stops
 * whatever watches the namespace, nothing included), so it has no not-found branch either.
 */
const NOT_FOUND: [string, Record<string, unknown>, string][] = [
  ['add_namespace', { namespace: 'nope' }, 'NAMESPACE_NOT_FOUND'],
  ['add_service', { namespace: 'shop', service_name: 'nope' }, 'SERVICE_NOT_FOUND'],
  ['get_connection_info', { service_name: 'nope' }, 'SERVICE_NOT_FOUND'],
  ['list_k8s_namespaces', { context: 'nope' }, 'CONTEXT_NOT_FOUND'],
  ['get_pod_logs', { namespace: 'shop', pod_name: 'nope' }, 'POD_NOT_FOUND'],
  ['get_pod', { namespace: 'shop', pod_name: 'nope' }, 'POD_NOT_FOUND'],
  ['get_endpoints', { namespace: 'shop', service_name: 'nope' }, 'SERVICE_NOT_FOUND'],
  ['get_service', { key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
  ['reconnect_service', { key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
  ['sync_service', { key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
  ['get_metrics', { scope: 'service_detail', service_key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
  ['get_http_traffic', { service_key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
  ['get_http_traffic', { forward_key: 'nope.shop.sim.pod.80' }, 'FORWARD_NOT_FOUND'],
  // Kubernetes lists an unknown namespace as empty; kubefwd says it does not exist.
  ['list_k8s_services', { namespace: 'nope' }, 'NAMESPACE_NOT_FOUND'],
  ['list_pods', { namespace: 'nope' }, 'NAMESPACE_NOT_FOUND'],
  ['get_events', { namespace: 'nope' }, 'NAMESPACE_NOT_FOUND'],
  // A service kubefwd never knew has no history; one that is gone still has its records.
  ['get_history', { type: 'reconnections', service_key: 'nope.shop.sim' }, 'SERVICE_NOT_FOUND'],
];

/** Filters that match nothing: a successful, empty answer. */
const EMPTY: [string, Record<string, unknown>][] = [
  ['list_pods', { namespace: 'shop', label_selector: 'app=nope' }],
  ['find_services', { query: 'nope' }],
  ['list_services', { namespace: 'nope' }],
];

const ajv = new AjvJsonSchemaValidator();
const textsOf = (r: Result): string[] =>
  ((r.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '');

/** The checks of both client generations, applied to every result; returns the problems found. */
const problemsOf = (d: Driver, tool: string, r: Result): string[] => {
  const listed = d.tools.get(tool);
  if (!listed?.outputSchema) return [`${tool} is not listed with an outputSchema`];
  const problems: string[] = [];
  if (r.structuredContent !== undefined) {
    const v = ajv.getValidator(listed.outputSchema)(r.structuredContent);
    if (!v.valid) problems.push(`structuredContent fails the outputSchema: ${v.errorMessage ?? ''}`);
  }
  if (r.isError) {
    if (r.structuredContent !== undefined) problems.push('an error result carries structuredContent');
    if (!/^Error [A-Z_]+: /.test(textsOf(r)[0] ?? '')) problems.push('the error text does not come first');
  } else {
    if (r.structuredContent === undefined) problems.push('a success without structuredContent');
    else if (JSON.stringify(lastJson(r)) !== JSON.stringify(r.structuredContent))
      problems.push('the last text block is not the JSON of structuredContent');
  }
  return problems;
};

let fx: Fixture;
let httpMcp: CliProcess;
let daemon: CliProcess | undefined;
let holder: Server;
const drivers: Driver[] = [];

const driver = async (name: string, client: SdkClient, connect: () => Promise<void>): Promise<Driver> => {
  await connect();
  const { tools } = await client.listTools(); // both generations compile their output validators here
  return {
    name,
    tools: new Map((tools as ListedTool[]).map((t) => [t.name, t])),
    call: async (tool, args) => (await client.callTool({ name: tool, arguments: args })) as Result,
    close: () => client.close(),
  };
};

/** Calls `tool` and returns what is wrong with the answer, or the answer when `want` holds. */
const run = async (
  d: Driver,
  tool: string,
  args: Record<string, unknown>,
  want: (r: Result) => string | undefined,
): Promise<{ r?: Result; problems: string[] }> => {
  const where = `${d.name} ${tool}(${JSON.stringify(args)})`;
  let r: Result;
  try {
    r = await d.call(tool, args);
  } catch (err) {
    return { problems: [`${where}: the client threw ${String(err)}`] };
  }
  const problems = [...problemsOf(d, tool, r), want(r) ?? ''].filter(Boolean);
  return { r, problems: problems.map((p) => `${where}: ${p}\n  ${textsOf(r).join('\n  ').slice(0, 600)}`) };
};

const errorCode = (r: Result): string | undefined => (r.isError ? errorOf(r).code : undefined);
const wantError =
  (code: string, more?: (r: Result) => string | undefined) =>
  (r: Result): string | undefined =>
    errorCode(r) === code ? more?.(r) : `expected ${code}, got ${errorCode(r) ?? 'a success'}`;
const wantSuccess = (r: Result): string | undefined =>
  r.isError ? `expected a success, got ${errorCode(r) ?? '?'}` : undefined;

describe.skipIf(!isBuilt())('28 tools × SDK 1.x and v2 clients × stdio and Streamable HTTP', () => {
  beforeAll(async () => {
    fx = await createFixture(IP_BASE);
    httpMcp = startCli(['mcp', '--http', '127.0.0.1:0'], { env: { ...fx.env, KUBEFWD_API_KEY: KEY } });
    const url = new URL((await httpMcp.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/mcp)/, 30_000))[1]!);
    const stdio = {
      command: process.execPath,
      args: [binPath, 'mcp'],
      env: fx.env as Record<string, string>,
    };
    const auth = { requestInit: { headers: { authorization: `Bearer ${KEY}` } } };
    const v1s = new ClientV1({ name: 'matrix-sdk1', version: '1' });
    const v2s = new ClientV2({ name: 'matrix-v2', version: '1' });
    const v1h = new ClientV1({ name: 'matrix-sdk1-http', version: '1' });
    const v2h = new ClientV2({ name: 'matrix-v2-http', version: '1' });
    drivers.push(
      ...(await Promise.all([
        driver('sdk1/stdio', v1s, () =>
          v1s.connect(new StdioV1({ ...stdio, cwd: repoRoot, stderr: 'ignore' })),
        ),
        driver('v2/stdio', v2s, () =>
          v2s.connect(new StdioV2({ ...stdio, cwd: repoRoot, stderr: 'ignore' })),
        ),
        driver('sdk1/http', v1h, () => v1h.connect(new HttpV1(url, auth))),
        driver('v2/http', v2h, () => v2h.connect(new HttpV2(url, auth))),
      ])),
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close().catch(() => undefined)));
    httpMcp?.kill('SIGTERM');
    await httpMcp?.exited;
    holder?.close();
    await fx?.close();
  });

  it('every client lists the 28 tools, each with an output schema', () => {
    for (const d of drivers) {
      expect(d.tools.size, d.name).toBe(28);
      expect(
        [...d.tools.values()].filter((t) => t.outputSchema?.type !== 'object').map((t) => t.name),
        d.name,
      ).toEqual([]);
    }
    expect(SUCCESS.map(([t]) => t).sort()).toEqual([...drivers[0]!.tools.keys()].sort());
  });

  it('kubefwd down: every tool answers DAEMON_UNAVAILABLE with how to start kubefwd', async () => {
    const problems: string[] = [];
    for (const d of drivers)
      for (const [tool, args] of SUCCESS) {
        const { problems: p } = await run(
          d,
          tool,
          args(),
          wantError('DAEMON_UNAVAILABLE', (r) =>
            textsOf(r)[0]!.includes('sudo -E kubefwd') ? undefined : 'no "sudo -E kubefwd" in the text',
          ),
        );
        problems.push(...p);
      }
    expect(problems).toEqual([]);
  }, 120_000);

  it('invalid input: every tool answers INVALID_INPUT naming the field', async () => {
    const problems: string[] = [];
    for (const d of drivers)
      for (const [tool, args] of SUCCESS) {
        const first = Object.keys(d.tools.get(tool)?.inputSchema.properties ?? {})[0];
        // A value no field accepts (upper case, a space, a newline), or a field no tool has.
        const bad = first ? { ...args(), [first]: 'Bad Value!\n' } : { unexpected_field: 1 };
        const field = first ?? 'unexpected_field';
        const { problems: p } = await run(
          d,
          tool,
          bad,
          wantError('INVALID_INPUT', (r) =>
            errorOf(r).field === field ? undefined : `field ${String(errorOf(r).field)}, not ${field}`,
          ),
        );
        problems.push(...p);
      }
    expect(problems).toEqual([]);
  }, 120_000);

  it('kubefwd started later: the same clients work without reconnecting, every tool succeeds', async () => {
    daemon = fx.start(['-v', '-r', `redis.shop:${HELD_IP}`], { KUBEFWD_API_KEY: KEY });
    await daemon.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/, 45_000);
    await fx.sim.control.waitForPodsReady('shop', { app: 'postgres' }, 20_000);
    const problems: string[] = [];
    for (const d of drivers)
      for (const [tool, args] of SUCCESS) {
        const { r, problems: p } = await run(d, tool, args(), wantSuccess);
        problems.push(...p);
        const data = r?.structuredContent as Record<string, unknown> | undefined;
        if (tool === 'list_pods') dyn.pod = ((data?.pods ?? []) as { name: string }[])[0]?.name ?? dyn.pod;
        if (tool === 'add_service' && data?.status !== 'active')
          problems.push(`${d.name} add_service: status ${String(data?.status)}, not active`);
      }
    expect(problems).toEqual([]);
  }, 240_000);

  it('not found: each tool that looks something up says so with its code and next step', async () => {
    const problems: string[] = [];
    for (const d of drivers) {
      for (const [tool, args, code] of NOT_FOUND)
        problems.push(
          ...(
            await run(
              d,
              tool,
              args,
              wantError(code, (r) => (errorOf(r).hint.length > 10 ? undefined : 'no next step')),
            )
          ).problems,
        );
      // Idempotent, as annotated: a service that is not forwarded is already stopped.
      problems.push(
        ...(
          await run(
            d,
            'remove_service',
            { key: 'nope.shop.sim' },
            (r) =>
              wantSuccess(r) ??
              ((r.structuredContent as { removed?: boolean }).removed === false
                ? undefined
                : 'not removed: false'),
          )
        ).problems,
      );
      for (const [tool, args] of EMPTY)
        problems.push(
          ...(
            await run(
              d,
              tool,
              args,
              (r) =>
                wantSuccess(r) ??
                ((r.structuredContent as { count?: number }).count === 0 ? undefined : 'not empty'),
            )
          ).problems,
        );
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('a forward that cannot listen (address held by another program): add_service is an error with cause and fix', async () => {
    holder = createServer();
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(6379, HELD_IP, resolve);
    });
    const problems: string[] = [];
    for (const d of drivers) {
      const { problems: p } = await run(
        d,
        'add_service',
        { namespace: 'shop', service_name: 'redis' },
        wantError('PORT_IN_USE', (r) => {
          const e = errorOf(r);
          if (!e.message.includes(`${HELD_IP}:6379`)) return `the message does not name ${HELD_IP}:6379`;
          if (!/another program/.test(e.message + e.hint)) return 'the cause is not named';
          return e.hint.includes('reconnect_service') ? undefined : 'no way to retry named';
        }),
      );
      problems.push(...p);
      problems.push(...(await run(d, 'remove_service', { key: 'redis.shop.sim' }, wantSuccess)).problems);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
