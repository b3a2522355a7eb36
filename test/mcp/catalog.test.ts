// `kubefwd mcp` answers the stdio handshake from a catalog captured from the MCP SDK server, before
// the SDK has loaded (src/mcp/stdio). These tests hold it to the SDK: the committed catalog is what
// the SDK answers today, the front's `initialize` is the SDK's for every version, and a real
// `kubefwd mcp` process answers requests that arrive before the SDK has loaded, handshake replay
// and all, without the client seeing anything twice.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRequest, initializeResult, type McpCatalog } from '../../src/mcp/stdio/catalog.js';
import { CATALOG_JSON } from '../../src/mcp/stdio/catalog-data.generated.js';
import { VERSION_MARK, askSdk, captureCatalog } from '../../src/mcp/stdio/capture.js';
import { binPath, cliEnv, isBuilt } from '../e2e/cli-process.js';

const catalog = JSON.parse(CATALOG_JSON) as McpCatalog;

const initialize = (id: number, protocolVersion: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: { roots: {} }, clientInfo: { name: 'test', version: '1' } },
});

describe('the MCP handshake catalog', () => {
  it('is what the SDK server answers now (else: npm run gen:mcp-catalog)', async () => {
    expect(await captureCatalog()).toEqual(catalog);
  });

  it('answers initialize as the SDK does, for each version it supports and one it does not', async () => {
    for (const version of [...catalog.versions, '1999-01-01', '2026-07-28']) {
      const msg = initialize(1, version);
      const sdk = await askSdk([msg]);
      const req = asRequest(msg);
      if (!req) throw new Error('not a request');
      expect(initializeResult(catalog, req, VERSION_MARK), version).toEqual(sdk.get(1)?.result);
    }
  });
});

/** A `kubefwd mcp` process spoken to line by line. */
const startMcp = (home: string) => {
  const child = spawn(process.execPath, [binPath, 'mcp'], {
    env: cliEnv(home),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      messages.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const answerTo = async (id: number): Promise<Record<string, unknown>> => {
    for (;;) {
      const found = messages.find((m) => m.id === id);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const sendRaw = (line: string) => child.stdin.write(`${line}\n`);
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.stdin.end();
    });
  return { send, sendRaw, answerTo, messages, stop, stderr: () => stderr };
};

describe.skipIf(!isBuilt())('kubefwd mcp on stdio, before and after the SDK loads', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubefwd-mcp-front-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('answers the handshake, then a tool call sent at once; the replayed initialize is not seen', async () => {
    const mcp = startMcp(home);
    mcp.send(initialize(1, '2025-06-18'));
    mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    mcp.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    mcp.send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get_quick_status', arguments: {} },
    });
    const init = await mcp.answerTo(1);
    expect(init.result).toMatchObject({ protocolVersion: '2025-06-18', serverInfo: { name: 'kubefwd' } });
    expect((await mcp.answerTo(2)).result).toEqual(catalog.lists['tools/list']);
    const call = (await mcp.answerTo(3)).result as { isError?: boolean; content: { text: string }[] };
    expect(call.isError).toBe(true);
    expect(call.content[0]?.text).toContain('DAEMON_UNAVAILABLE');
    // Now served by the SDK: a list asked again is the same, a ping is answered.
    mcp.send({ jsonrpc: '2.0', id: 4, method: 'prompts/list' });
    mcp.send({ jsonrpc: '2.0', id: 5, method: 'ping' });
    expect((await mcp.answerTo(4)).result).toEqual(catalog.lists['prompts/list']);
    expect((await mcp.answerTo(5)).result).toEqual({});
    expect(mcp.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    expect(await mcp.stop()).toBe(0);
  });

  it('exits when stdin closes right after the handshake, before the SDK has loaded', async () => {
    const mcp = startMcp(home);
    mcp.send(initialize(1, '2025-11-25'));
    expect((await mcp.answerTo(1)).result).toMatchObject({ protocolVersion: '2025-11-25' });
    expect(await mcp.stop()).toBe(0);
    expect(mcp.messages).toHaveLength(1);
  });

  it('answers the requests it got before stdin closed, then exits (echo … | kubefwd mcp)', async () => {
    const mcp = startMcp(home);
    mcp.send(initialize(1, '2025-06-18'));
    mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // Needs the SDK, which has not loaded yet when stdin ends.
    mcp.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_service', arguments: {} } });
    mcp.send({ jsonrpc: '2.0', id: 'last', method: 'tools/list' });
    expect(await mcp.stop()).toBe(0);
    const ids = mcp.messages.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining([1, 2, 'last']));
    const call = mcp.messages.find((m) => m.id === 2) as {
      result?: { isError?: boolean; content?: { text: string }[] };
    };
    expect(call.result?.isError).toBe(true);
    expect(call.result?.content?.[0]?.text).toMatch(/INVALID_INPUT.*'key' of get_service/);
  });

  it('answers a line that is not JSON with a JSON-RPC parse error (before and after the SDK loads) and goes on', async () => {
    const mcp = startMcp(home);
    mcp.sendRaw('not json');
    mcp.send(initialize(1, '2025-06-18'));
    expect((await mcp.answerTo(1)).result).toMatchObject({ protocolVersion: '2025-06-18' });
    mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    mcp.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect((await mcp.answerTo(2)).result).toEqual({});
    mcp.sendRaw('{"jsonrpc":"2.0","id":3,');
    mcp.send({ jsonrpc: '2.0', id: 4, method: 'ping' });
    expect((await mcp.answerTo(4)).result).toEqual({});
    const parseErrors = mcp.messages.filter(
      (m) => (m.error as { code?: number } | undefined)?.code === -32700,
    );
    expect(parseErrors).toEqual([
      expect.objectContaining({
        id: null,
        error: expect.objectContaining({
          message: expect.stringMatching(/^Parse error: the line is not JSON/),
        }),
      }),
      expect.objectContaining({ id: null }),
    ]);
    expect(await mcp.stop()).toBe(0);
    expect(mcp.stderr()).toContain(
      'a line that is not JSON was answered with a JSON-RPC parse error: "not json"',
    );
  });

  it('leaves a malformed initialize to the SDK: the same error as the SDK alone gives', async () => {
    const bad = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18' } };
    const mcp = startMcp(home);
    mcp.send(bad);
    const answer = await mcp.answerTo(1);
    const sdk = (await askSdk([bad])).get(1);
    expect(answer.error).toBeDefined();
    expect(answer).toEqual(sdk);
    expect(await mcp.stop()).toBe(0);
  });
});
