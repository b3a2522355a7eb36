// The standalone executable (`npm run build:exe`): built into a temporary directory, then run with
// `env -i PATH=/usr/bin:/bin` from a directory with nothing of the checkout, so nothing but the file
// itself can provide the program: version, demo on a temporary hosts file with a forwarded request,
// and mcp answering tools/list. (On this machine /usr/bin has a node; the executable never looks for
// one, and the SEA check below proves the code inside is what ran.)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBuilt, repoRoot } from '../e2e/cli-process.js';
import {
  createScratch,
  forwardedRequest,
  inTerminal,
  TMUX,
  mcpSession,
  packageVersion,
  startDemo,
  type Demo,
  type Scratch,
} from './support.js';

const run = promisify(execFile);
const postject = join(repoRoot, 'node_modules', 'postject', 'dist', 'cli.js');
const esbuild = join(repoRoot, 'node_modules', 'esbuild', 'package.json');
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const why = !isBuilt()
  ? 'the CLI is not built (npm run build)'
  : !existsSync(postject) || !existsSync(esbuild)
    ? 'esbuild/postject are not installed (npm ci)'
    : major === 20 && minor < 12
      ? 'SEA needs Node 20.12 or newer'
      : process.platform === 'win32'
        ? 'the env -i run is POSIX-only'
        : undefined;
if (why) console.warn(`skipping the standalone executable tests: ${why}`);

let s: Scratch;
let exe: string;
let demo: Demo | undefined;
const bare = (): Record<string, string> => ({ PATH: '/usr/bin:/bin', HOME: s.home });

describe.skipIf(why !== undefined)('the standalone executable', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    s = await createScratch();
    const { stdout } = await run(
      process.execPath,
      [join(repoRoot, 'scripts', 'build-exe.mjs'), '--out', join(s.dir, 'exe')],
      {
        cwd: repoRoot,
        timeout: 170_000,
        maxBuffer: 16 << 20,
      },
    );
    exe = stdout.trim().split('\n').at(-1)!;
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
    await s?.close();
  });

  it('prints its path last and is a single file', () => {
    expect(exe).toMatch(/kubefwd-[\d.]+-(linux|darwin)-(x64|arm64)$/);
    expect(existsSync(exe)).toBe(true);
  });

  it('version, with no environment but PATH=/usr/bin:/bin, from any directory', async () => {
    const { stdout, stderr } = await run('env', ['-i', 'PATH=/usr/bin:/bin', exe, 'version'], { cwd: s.cwd });
    expect(stdout).toContain(`Kubefwd version: ${await packageVersion(repoRoot)}`);
    expect(stderr).toBe('');
    // The program inside the file ran (node:sea says so), not a node found on PATH.
    const sea = await run('env', ['-i', 'PATH=/usr/bin:/bin', exe, '-e', '0'], { cwd: s.cwd }).catch(
      (e: { stderr: string }) => e,
    );
    expect(sea.stderr).toMatch(/unknown option '-e'/);
  });

  it('demo forwards a request, and mcp lists its tools and the forwarded services', async () => {
    demo = await startDemo(exe, [], s, bare());
    expect((await forwardedRequest(s)).status).toBe(200);
    const { tools, services } = await mcpSession(exe, [], s, bare());
    expect(tools).toHaveLength(28);
    expect(JSON.stringify(services)).toContain('api-gateway');
  });

  it.skipIf(!existsSync(TMUX))(
    'tui (ink and its WebAssembly layout engine inside the file) shows the services',
    async () => {
      expect(demo).toBeDefined();
      const { screen, exit } = await inTerminal(
        `cd ${s.cwd} && env -i HOME=${s.home} PATH=/usr/bin:/bin TERM=xterm-256color ${exe} tui`,
        /api-gateway\s+8080/,
      );
      expect(screen).toMatch(/api-gateway\s+8080/);
      expect(exit).toBe('0');
    },
  );
});
