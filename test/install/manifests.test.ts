// The descriptions of the package other tools read agree with package.json: the MCP registry's
// server.json (name = package.json's mcpName, which the registry checks against the npm package),
// the engines field naming the Node versions CI runs, and the CI workflow's matrix.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../e2e/cli-process.js';

const json = async <T>(file: string): Promise<T> =>
  JSON.parse(await readFile(join(repoRoot, file), 'utf8')) as T;

describe('package descriptions', () => {
  it('server.json names the npm package at its version, started as `kubefwd mcp` over stdio', async () => {
    const pkg = await json<{ name: string; version: string; mcpName: string }>('package.json');
    const server = await json<{
      name: string;
      version: string;
      packages: {
        identifier: string;
        version: string;
        registryType: string;
        transport: { type: string };
        packageArguments: { value: string }[];
      }[];
    }>('server.json');
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toEqual([
      expect.objectContaining({
        registryType: 'npm',
        identifier: pkg.name,
        version: pkg.version,
        transport: { type: 'stdio' },
      }),
    ]);
    expect(server.packages[0]!.packageArguments.map((a) => a.value)).toEqual(['mcp']);
  });

  it('engines names exactly the Node versions the CI matrix and .ci/run test', async () => {
    const pkg = await json<{ engines: { node: string } }>('package.json');
    const workflow = parse(await readFile(join(repoRoot, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
      jobs: { test: { strategy: { matrix: { os: string[]; node: number[] } } } };
    };
    const { os, node } = workflow.jobs.test.strategy.matrix;
    expect(os).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
    expect(node).toEqual([20, 22, 24]);
    expect(pkg.engines.node).toBe(node.map((v) => `^${v}.0.0`).join(' || '));
    const ciRun = await readFile(join(repoRoot, '.ci', 'run'), 'utf8');
    expect(ciRun).toMatch(/for v in 22\.\d+\.\d+ 24\.\d+\.\d+; do/);
  });
});
