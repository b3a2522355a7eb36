// Issue 22 item 8: an MCP stdin line over the limit is answered with a JSON-RPC parse error, logged on
// stderr with the reason, and the server keeps serving; the in-place hosts write puts the new content
// down before it cuts the old, so a reader never sees an empty file.
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runMcpServer } from '../../src/mcp/index.js';
import { createLineLimit } from '../../src/mcp/stdin-lines.js';
import { writeInPlace } from '../../src/os/atomic-write.js';

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const collect = (s: PassThrough): (() => string) => {
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return () => text;
};

const until = async (cond: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

describe('kubefwd mcp on stdio: a line over the limit', () => {
  it('is answered with a parse error, logged, and the next request is served', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const stop = new AbortController();
    const running = runMcpServer({
      version: '1.2.3',
      apiUrl: 'http://127.0.0.1:9', // nothing listens: the server runs anyway
      apiKey: 'k',
      env: {},
      home: tmpdir(),
      stdin,
      stdout,
      stderr,
      signal: stop.signal,
    });
    // 11 MiB in one line, written in pieces as a pipe would deliver them.
    const piece = Buffer.alloc(1024 * 1024, 'a');
    stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"');
    for (let i = 0; i < 11; i++) stdin.write(piece);
    stdin.write('"}}\n');
    await until(() => out().includes('-32700'), 'the parse error');
    expect(JSON.parse(out().trim().split('\n')[0]!)).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: expect.stringContaining('10485760 bytes') },
    });
    expect(err()).toMatch(/kubefwd mcp: dropped a message of \d+ bytes on stdin \(limit 10485760\)/);
    stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      })}\n`,
    );
    await until(() => out().includes('"id":2'), 'the initialize answer');
    expect(out()).toMatch(/\{"result":\{"protocolVersion".*"id":2\}/);
    stop.abort();
    expect(await running).toBe(0);
  });

  it('lines within the limit pass byte for byte, however they are split', () => {
    const dropped: number[] = [];
    const t = createLineLimit({ maxLineBytes: 10, onDropped: (n) => dropped.push(n) });
    const chunks: Buffer[] = [];
    t.on('data', (c: Buffer) => chunks.push(c));
    for (const part of ['0123', '456789\nabc', '\n0123456789ABC', 'DEF\nok\n']) t.write(Buffer.from(part));
    const text = Buffer.concat(chunks).toString();
    expect(text.split('\n')).toEqual(['0123456789', 'abc', '\u0000', 'ok', '']);
    expect(dropped).toEqual([16]);
  });
});

describe('in-place hosts write', () => {
  it('writes the new content, then truncates to its length (never truncate-to-zero first)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubefwd-inplace-'));
    const path = join(dir, 'hosts');
    await writeFile(path, 'x'.repeat(1000));
    const probe = await open(path, 'r');
    const proto = Object.getPrototypeOf(probe) as {
      write: (...a: unknown[]) => unknown;
      truncate: (...a: unknown[]) => unknown;
    };
    await probe.close();
    const calls: string[] = [];
    const write = proto.write;
    const truncate = proto.truncate;
    vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...a: unknown[]) {
      calls.push('write');
      return write.apply(this, a);
    });
    vi.spyOn(proto, 'truncate').mockImplementation(function (this: unknown, ...a: unknown[]) {
      calls.push(`truncate(${String(a[0])})`);
      return truncate.apply(this, a);
    });
    await writeInPlace(path, Buffer.from('new\n'));
    expect(calls).toEqual(['write', 'truncate(4)']);
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });
});
