// `npm run mcpb`'s script stages a bundle the official CLI validates; the staged bundle runs on its
// own (no repository around it) and serves the 28 tools its manifest lists. Packing (zip) is left
// out to keep the suite fast; `npm run mcpb` packs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { isBuilt, repoRoot } from '../e2e/cli-process.js';
import { errorJson } from './result-text.js';

const run = promisify(execFile);
const mcpbCli = join(repoRoot, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!isBuilt() || !existsSync(mcpbCli))('mcpb bundle', () => {
  it('builds and validates, and the staged bundle serves the tools its manifest lists', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubefwd-mcpb-'));
    const out = join(dir, 'out');
    await run(process.execPath, [join(repoRoot, 'scripts', 'build-mcpb.mjs'), '--out', out], {
      timeout: 90_000,
    });
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const bundle = join(out, `kubefwd-${pkg.version}.mcpb`);
    expect(existsSync(bundle)).toBe(true);
    const unpacked = join(dir, 'unpacked');
    await run(process.execPath, [mcpbCli, 'unpack', bundle, unpacked], { timeout: 60_000 });
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as {
      version: string;
      server: { type: string };
      tools: { name: string }[];
      prompts: { name: string }[];
    };
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.server.type).toBe('node');
    expect(manifest.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    expect(manifest.prompts).toHaveLength(10);

    const client = new Client({ name: 'mcpb-test', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(unpacked, 'server', 'main.js')],
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        cwd: dir,
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(manifest.tools.map((t) => t.name).sort());
      const r = await client.callTool({ name: 'get_quick_status', arguments: {} });
      expect(errorJson(r)).toMatchObject({ error: { code: 'DAEMON_UNAVAILABLE' } });
    } finally {
      await client.close();
    }
  }, 120_000);
});
