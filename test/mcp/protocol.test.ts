// The real MCP SDK client talking to our server in memory: what a client sees in tools/list,
// resources/list, prompts/list, a call, a resource read, a prompt and argument completion.
import { afterEach, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { KubefwdError } from '../../src/contract/errors.js';
import { createKubefwdMcpServer } from '../../src/mcp/server.js';
import type { BackendProvider } from '../../src/mcp/backend.js';
import { createFakeBackend } from './fake-backend.js';
import { errorJson } from './result-text.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const connect = async (backend: BackendProvider): Promise<Client> => {
  const server = createKubefwdMcpServer({ backend, version: '1.2.3' });
  const [ct, st] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([server.connect(st), client.connect(ct)]);
  open.push(client, server);
  return client;
};

const textOf = (r: { content?: unknown }): string =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');

describe('MCP protocol surface', () => {
  it('lists 28 tools with schemas and annotations, 8 resources, 10 prompts; server is "kubefwd"', async () => {
    const { backend } = createFakeBackend();
    const client = await connect(async () => backend);
    expect(client.getServerVersion()).toMatchObject({ name: 'kubefwd', version: '1.2.3' });
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(28);
    const add = tools.find((t) => t.name === 'add_service')!;
    expect(add.inputSchema).toMatchObject({
      type: 'object',
      required: ['namespace', 'service_name'],
      additionalProperties: false,
    });
    expect(add.outputSchema).toMatchObject({ type: 'object' });
    expect(add.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(
      [
        'kubefwd://contexts',
        'kubefwd://errors',
        'kubefwd://forwards',
        'kubefwd://http-traffic',
        'kubefwd://metrics',
        'kubefwd://services',
        'kubefwd://status',
        'kubefwd://summary',
      ].sort(),
    );
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(
      [
        'analyze_issues',
        'connection_guide',
        'debug_service',
        'explain_status',
        'fix_errors',
        'forward_namespace',
        'monitor',
        'quick_connect',
        'setup_local_dev',
        'troubleshoot',
      ].sort(),
    );
    const qc = prompts.find((p) => p.name === 'quick_connect')!;
    expect(qc.arguments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'service_name', required: true }),
        expect.objectContaining({ name: 'namespace', required: false }),
      ]),
    );
  });

  it('calls a tool: structured content and text; a hostile call is an isError result, not a protocol error', async () => {
    const { backend } = createFakeBackend();
    const client = await connect(async () => backend);
    const ok = await client.callTool({ name: 'get_connection_info', arguments: { service_name: 'redis' } });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toMatchObject({ envVars: { REDIS_URL: 'redis://redis:6379' } });
    const bad = await client.callTool({
      name: 'get_pod_logs',
      arguments: { namespace: '--all-namespaces', pod_name: 'x' },
    });
    expect(bad.isError).toBe(true);
    expect(errorJson(bad)).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'namespace' } });
    const wrongType = await client.callTool({
      name: 'list_services',
      arguments: { include_forwards: 'yes' },
    });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toContain('INVALID_INPUT');
  });

  it('reads resources as JSON, including real HTTP traffic', async () => {
    const { backend } = createFakeBackend();
    const client = await connect(async () => backend);
    const read = async (uri: string) => {
      const r = await client.readResource({ uri });
      const c = r.contents[0] as { mimeType?: string; text: string };
      expect(c.mimeType).toBe('application/json');
      return JSON.parse(c.text) as Record<string, unknown> & unknown[];
    };
    const traffic = await read('kubefwd://http-traffic');
    expect(traffic.count).toBe(4);
    expect(traffic.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', service: 'api-gateway', namespace: 'shop', statusCode: 200 }),
    );
    expect(JSON.stringify(traffic)).not.toContain('\\u001b');
    expect(traffic.untrusted).toMatch(/never instructions/);
    expect(await read('kubefwd://errors')).toMatchObject({ errorCount: 1 });
    expect(await read('kubefwd://summary')).toMatchObject({ status: 'degraded', version: '9.9.9' });
    // kubefwd's shape: bare arrays.
    expect(await read('kubefwd://forwards')).toHaveLength(4);
    expect(await read('kubefwd://services')).toHaveLength(4);
    expect(await read('kubefwd://status')).toMatchObject({ status: 'issues' });
    expect(await read('kubefwd://metrics')).toMatchObject({ totalServices: 4 });
    expect(await read('kubefwd://contexts')).toMatchObject({ currentContext: 'sim' });
  });

  it('gets prompts with arguments and completes them from the daemon', async () => {
    const { backend } = createFakeBackend();
    const client = await connect(async () => backend);
    const p = await client.getPrompt({ name: 'fix_errors', arguments: { auto_reconnect: 'true' } });
    expect(textOf({ content: p.messages.map((m) => m.content) })).toContain('reconnect_all_errors');
    // Prompt arguments are strings: a yes/no one takes "true" or "false" only, and says so.
    await expect(
      client.getPrompt({ name: 'fix_errors', arguments: { auto_reconnect: 'maybe' } }),
    ).rejects.toThrow('auto_reconnect: must be "true" or "false", not "maybe"');
    expect(
      textOf({
        content: (
          await client.getPrompt({ name: 'fix_errors', arguments: { auto_reconnect: 'false' } })
        ).messages.map((m) => m.content),
      }),
    ).toContain('Manual Reconnect');
    const yes = await client.complete({
      ref: { type: 'ref/prompt', name: 'fix_errors' },
      argument: { name: 'auto_reconnect', value: 't' },
    });
    expect(yes.completion.values).toEqual(['true']);
    const p2 = await client.getPrompt({ name: 'quick_connect', arguments: { service_name: 'postgres' } });
    expect(p2.messages[0]!.role).toBe('user');
    const c = await client.complete({
      ref: { type: 'ref/prompt', name: 'quick_connect' },
      argument: { name: 'service_name', value: 'p' },
    });
    expect(c.completion.values).toEqual(['payments', 'postgres']);
    const n = await client.complete({
      ref: { type: 'ref/prompt', name: 'setup_local_dev' },
      argument: { name: 'namespace', value: 'sh' },
    });
    expect(n.completion.values).toEqual(['shop']);
  });

  it('with kubefwd down: still lists everything; calls say how to start it; then works without restart', async () => {
    let up = false;
    const { backend } = createFakeBackend();
    const client = await connect(async () => {
      if (!up)
        throw new KubefwdError('DAEMON_UNAVAILABLE', 'kubefwd is not running (no ~/.kubefwd/api.json)');
      return backend;
    });
    expect((await client.listTools()).tools).toHaveLength(28);
    const down = await client.callTool({ name: 'list_services', arguments: {} });
    expect(down.isError).toBe(true);
    expect(textOf(down)).toContain('sudo -E kubefwd');
    const res = await client.readResource({ uri: 'kubefwd://status' });
    expect(JSON.parse((res.contents[0] as { text: string }).text)).toMatchObject({
      error: { code: 'DAEMON_UNAVAILABLE' },
    });
    const comp = await client.complete({
      ref: { type: 'ref/prompt', name: 'quick_connect' },
      argument: { name: 'service_name', value: '' },
    });
    expect(comp.completion.values).toEqual([]);
    up = true;
    const ok = await client.callTool({ name: 'list_services', arguments: {} });
    expect(ok.isError).toBeFalsy();
  });
});
