// The MCP Inspector's CLI (@modelcontextprotocol/inspector-cli, built on the SDK 1.x client) against
// `./bin/kubefwd mcp` over stdio: it lists the tools and, for a call with a bad argument (and one
// while kubefwd is down), prints our error text — not a -32602 protocol error.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, cliEnv, isBuilt, repoRoot } from '../e2e/cli-process.js';

// inspector-cli 1.0.3 reads its own package.json by a path it checks relative to the working
// directory ("../package.json"), so it runs from its build directory, where that path exists.
const inspectorBuild = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build');
const available = existsSync(join(inspectorBuild, 'cli.js'));
if (!available) console.warn('inspector-cli: skipped (npm ci installs @modelcontextprotocol/inspector-cli)');

let home: string;

const inspect = async (...args: string[]): Promise<Record<string, unknown>> => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['cli.js', '--cli', process.execPath, binPath, 'mcp', ...args],
    { cwd: inspectorBuild, env: cliEnv(home), timeout: 60_000 },
  );
  // A deprecation banner may come first; the answer is the JSON after it.
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, unknown>;
};
/** `get_service` with this key, as the Inspector's `--tool-arg key=value` sends it. */
const getService = (key: string) =>
  inspect('--method', 'tools/call', '--tool-name', 'get_service', '--tool-arg', `key=${key}`);
const textOf = (r: Record<string, unknown>): string =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');

describe.skipIf(!available || !isBuilt())('MCP Inspector CLI against kubefwd mcp', () => {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubefwd-inspector-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lists the 28 tools', async () => {
    const r = await inspect('--method', 'tools/list');
    expect((r.tools as unknown[]).length).toBe(28);
  }, 90_000);

  it('a bad argument gets our INVALID_INPUT text naming the field', async () => {
    const r = await getService('Bad_Key');
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(textOf(r)).toMatch(/^Error INVALID_INPUT: Invalid value for 'key' of get_service/);
    expect(textOf(r)).toContain('Field: key');
  }, 90_000);

  it('kubefwd down gets our DAEMON_UNAVAILABLE text with how to start it', async () => {
    const r = await getService('postgres.shop.sim');
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Error DAEMON_UNAVAILABLE: /);
    expect(textOf(r)).toContain('sudo -E kubefwd');
  }, 90_000);
});
