// The npm package as a user gets it: `npm pack`, then `npm install -g` into a fresh prefix laid out
// as nvm, fnm or Homebrew lay theirs out (<prefix>/bin/node next to <prefix>/lib/node_modules), and
// `npx <tarball>`; HOME is a fresh directory and the working directory has nothing of the checkout.
// The installed `kubefwd` runs version, demo (with a forwarded request), mcp and tui, then again
// with a PATH that has no Node at all (sudo's secure_path, a GUI MCP host), where the launcher must
// find the prefix's Node by itself. npm resolves the dependencies through its cache
// (--prefer-offline), so after `npm ci` this needs no network.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
const windows = process.platform === 'win32';
const npm = windows ? 'npm.cmd' : 'npm';
// npm 11 skips dependency and global install scripts unless allowed; on Windows kubefwd's preinstall
// makes npm's shim start Node (scripts/lifecycle.cjs), so the README says to allow it there.
const allowOnWindows = windows ? ['--allow-scripts=kubefwd'] : [];

let s: Scratch;
let prefix: string;
let kubefwd: string;
let version: string;
let npmCache: string;
let tarball: string;
let npxBefore: Set<string>;
let demo: Demo | undefined;
let npx: Promise<{ stdout: string }>;

const npmRun = (args: string[], cwd: string, timeout = 150_000) =>
  run(npm, args, {
    cwd,
    timeout,
    shell: windows,
    env: { ...process.env, npm_config_cache: npmCache, npm_config_update_notifier: 'false', HOME: s.home },
    maxBuffer: 16 << 20,
  });

describe.skipIf(!isBuilt())('the npm package, installed', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    s = await createScratch();
    version = await packageVersion(repoRoot);
    // The user's cache holds every dependency after `npm ci`; the tarball installs from it.
    npmCache = (await run(npm, ['config', 'get', 'cache'], { shell: windows })).stdout.trim();
    npxBefore = new Set(await readdir(join(npmCache, '_npx')).catch(() => []));
    // dist/ is built by `npm test`; --ignore-scripts skips `prepare` (which would only build it again).
    await npmRun(['pack', '--ignore-scripts', '--pack-destination', s.dir], repoRoot);
    tarball = join(s.dir, `kubefwd-${version}.tgz`);
    prefix = join(s.dir, 'prefix');
    // npx installs into its own cache directory; both installs run at once.
    npx = npmRun(
      [
        'exec',
        '--yes',
        '--prefer-offline',
        ...allowOnWindows,
        `--package=${tarball}`,
        '--',
        'kubefwd',
        'version',
        'quiet',
      ],
      s.cwd,
    );
    npx.catch(() => undefined);
    await npmRun(
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...allowOnWindows,
        tarball,
      ],
      s.cwd,
    );
    kubefwd = windows ? join(prefix, 'kubefwd.cmd') : join(prefix, 'bin', 'kubefwd');
    if (!windows) {
      // The prefix's own Node, as nvm has it: a wrapper that leaves a mark, so the test knows the
      // launcher ran this one and not some node it found elsewhere.
      await writeFile(
        join(prefix, 'bin', 'node'),
        `#!/bin/sh\necho used > "${join(s.dir, 'prefix-node-used')}"\nexec "${process.execPath}" "$@"\n`,
      );
      await chmod(join(prefix, 'bin', 'node'), 0o755);
    }
  }, 240_000);

  afterAll(async () => {
    await npx?.catch(() => undefined);
    await demo?.stop();
    // npx keeps what it installed under the cache's _npx/: remove what this run added.
    for (const d of await readdir(join(npmCache ?? '', '_npx')).catch(() => [] as string[]))
      if (!npxBefore?.has(d)) {
        const lock = await readFile(join(npmCache, '_npx', d, 'package.json'), 'utf8').catch(() => '');
        if (tarball && lock.includes(tarball))
          await rm(join(npmCache, '_npx', d), { recursive: true, force: true });
      }
    await s?.close();
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    HOME: s.home,
    PATH: process.env.PATH ?? '',
    LANG: 'C',
    ...extra,
  });

  it('holds only what runs: built dist/ without bench or source maps, LICENSE, no install-time build', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/dist/src/cli/bin.js');
    expect(files).toContain('package/mcpb/manifest.json');
    expect(
      files.filter(
        (f) => f.includes('dist/bench') || f.endsWith('.map') || (f.includes('/src/') && f.endsWith('.ts')),
      ),
    ).toEqual([]);
    const installed = join(prefix, 'lib', 'node_modules', 'kubefwd');
    const pkg = JSON.parse(
      await readFile(
        join(windows ? join(prefix, 'node_modules', 'kubefwd') : installed, 'package.json'),
        'utf8',
      ),
    ) as {
      license: string;
    };
    expect(pkg.license).toBe('Apache-2.0');
    expect(await readFile(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(
      /Apache License\s+Version 2\.0, January 2004/,
    );
    // Only runtime dependencies were installed.
    if (!windows) {
      const modules = await readdir(join(installed, 'node_modules'));
      for (const dev of ['vitest', 'typescript', 'eslint', 'prettier', 'esbuild', 'postject'])
        expect(modules).not.toContain(dev);
    }
  });

  it('kubefwd version works from any directory', async () => {
    const { stdout } = await run(kubefwd, ['version'], { cwd: s.cwd, env: env(), shell: windows });
    expect(stdout).toContain(`Kubefwd version: ${version}`);
  });

  it('npx <tarball> runs it too', async () => {
    const { stdout } = await npmRun(
      [
        'exec',
        '--yes',
        '--prefer-offline',
        ...allowOnWindows,
        `--package=${tarball}`,
        '--',
        'kubefwd',
        'version',
        'quiet',
      ],
      s.cwd,
    );
    expect(stdout.trim()).toBe(version);
  });

  it('demo forwards, mcp answers and tui shows the services', async () => {
    demo = await startDemo(kubefwd, [], s, env());
    expect((await forwardedRequest(s)).status).toBe(200);
    const { tools, services } = await mcpSession(kubefwd, [], s, env());
    expect(tools).toHaveLength(28);
    expect(JSON.stringify(services)).toContain('api-gateway');
  });

  it.skipIf(windows || !existsSync(TMUX))('tui attaches to the demo in a terminal', async () => {
    expect(demo).toBeDefined();
    const { screen, exit } = await inTerminal(
      `cd ${s.cwd} && env -i HOME=${s.home} PATH=${s.noNodeBin} TERM=xterm-256color ${kubefwd} tui`,
      /api-gateway\s+8080/,
    );
    expect(screen).toMatch(/api-gateway\s+8080/);
    expect(exit).toBe('0');
  });

  describe.skipIf(windows)('with no Node on PATH (sudo secure_path, GUI MCP hosts)', () => {
    it('the launcher runs the Node of its own prefix', async () => {
      await rm(join(s.dir, 'prefix-node-used'), { force: true });
      const { stdout } = await run(kubefwd, ['version', 'quiet'], {
        cwd: s.cwd,
        env: env({ PATH: s.noNodeBin }),
      });
      expect(stdout.trim()).toBe(version);
      expect(existsSync(join(s.dir, 'prefix-node-used'))).toBe(true);
    });

    it('kubefwd mcp answers an MCP host that starts it with a minimal PATH', async () => {
      expect(demo).toBeDefined();
      const { tools } = await mcpSession(kubefwd, [], s, env({ PATH: s.noNodeBin }));
      expect(tools).toContain('list_services');
    });

    it('without any Node to find it says how to name one', async () => {
      // A copy of the launcher outside any prefix: only PATH and the usual places are left.
      const lone = join(s.dir, 'lone');
      await mkdir(join(lone, 'bin'), { recursive: true });
      await copyFile(
        join(prefix, 'lib', 'node_modules', 'kubefwd', 'bin', 'kubefwd'),
        join(lone, 'bin', 'kubefwd'),
      );
      const r = spawnSync(join(lone, 'bin', 'kubefwd'), ['version'], {
        env: { HOME: s.home, PATH: s.noNodeBin },
        encoding: 'utf8',
      });
      if (['/usr/local/bin/node', '/opt/homebrew/bin/node'].some((p) => existsSync(p))) return;
      expect(r.status).toBe(127);
      expect(r.stderr).toMatch(/cannot find Node\.js.*\n.*KUBEFWD_NODE=/);
    });
  });

  it('the .mcpb builder runs from the installed package', async () => {
    const installed = windows
      ? join(prefix, 'node_modules', 'kubefwd')
      : join(prefix, 'lib', 'node_modules', 'kubefwd');
    const out = join(s.dir, 'mcpb');
    await run(process.execPath, [join(installed, 'scripts', 'build-mcpb.mjs'), '--out', out, '--no-pack'], {
      cwd: s.cwd,
      env: env(),
      timeout: 90_000,
    });
    const manifest = JSON.parse(await readFile(join(out, 'kubefwd', 'manifest.json'), 'utf8')) as {
      tools: unknown[];
      version: string;
    };
    expect(manifest.tools).toHaveLength(28);
    expect(manifest.version).toBe(version);
  });
});
