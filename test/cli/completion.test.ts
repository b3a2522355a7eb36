// Shell completion through the built CLI: `kubefwd __complete` against a kubeconfig with two
// contexts and against the simulated cluster, `kubefwd completion SHELL`, and the bash script run
// in a real bash with the COMP_WORDS/COMP_CWORD a Tab press would set. zsh and fish are exercised
// when installed. Everything listens on loopback and is stopped afterwards.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeSources } from '../../src/cli/completion/sources.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { cliEnv, isBuilt, repoRoot, runCli } from '../e2e/cli-process.js';
import { testKubeconfig } from '../support/kubeconfig.js';

const has = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
const hasBash = has('bash');
const hasZsh = has('zsh');
const hasFish = has('fish');
const hasPwsh = has('pwsh');
if (!hasZsh) console.warn('zsh not found on PATH: skipping the zsh completion script test');
if (!hasFish) console.warn('fish not found on PATH: skipping the fish completion script test');
if (!hasPwsh)
  console.warn(
    'pwsh not found on PATH: skipping the PowerShell completion script test (it runs on the Windows CI)',
  );

let dir: string;
let home: string;
let binDir: string;
/** Two contexts whose server (port 1) refuses connections. */
let twoContexts: string;
/** A server that accepts and never answers. */
let silentKubeconfig: string;
let silent: Server;
const silentSockets = new Set<Socket>();
let sim: SimCluster | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-completion-'));
  home = join(dir, 'home');
  await mkdir(home);
  // `kubefwd` on PATH, as the scripts call it: the built CLI behind a small wrapper.
  binDir = join(dir, 'bin');
  await mkdir(binDir);
  const wrapper = join(binDir, 'kubefwd');
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec '${process.execPath}' '${join(repoRoot, 'dist', 'src', 'cli', 'bin.js')}' "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  // Windows finds commands by extension (the PowerShell test runs there).
  await writeFile(
    `${wrapper}.cmd`,
    `@"${process.execPath}" "${join(repoRoot, 'dist', 'src', 'cli', 'bin.js')}" %*\r\n`,
  );
  twoContexts = join(dir, 'two.yaml');
  await writeFile(twoContexts, testKubeconfig('https://127.0.0.1:1', ['alpha', 'beta']));
  silent = createServer((s) => {
    silentSockets.add(s);
    s.on('close', () => silentSockets.delete(s));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  silentKubeconfig = join(dir, 'silent.yaml');
  await writeFile(silentKubeconfig, testKubeconfig(`https://127.0.0.1:${port}`, ['quiet']));
});

afterAll(async () => {
  await sim?.stop();
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
  cliEnv(home, { PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, ...extra });

/** `kubefwd __complete ARGS`: its candidate lines and directive; stderr must stay empty. */
const completeCli = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
  const r = await runCli(['__complete', ...args], { env: env(extra) });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines.pop()).toBe('');
  const directive = lines.pop();
  return { candidates: lines, directive };
};

describe('the kube completion sources (in-process)', () => {
  it('give up on a silent API server at their deadline, with nothing', async () => {
    const sources = kubeSources({ HOME: home }, 300);
    const started = Date.now();
    expect(await sources.namespaces({ kubeconfig: silentKubeconfig, contexts: [] })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await sources.contexts({ kubeconfig: twoContexts })).toEqual(['alpha', 'beta']);
  });
});

describe.skipIf(!isBuilt())('kubefwd __complete (built CLI)', () => {
  it('-x lists the contexts of the kubeconfig given with -c or in $KUBECONFIG', async () => {
    expect(await completeCli(['-c', twoContexts, '-x', ''])).toEqual({
      candidates: ['alpha', 'beta'],
      directive: ':nofiles',
    });
    expect(await completeCli(['svc', '-x', ''], { KUBECONFIG: twoContexts })).toEqual({
      candidates: ['alpha', 'beta'],
      directive: ':nofiles',
    });
    expect((await completeCli(['svc', '-x', 'alpha,'], { KUBECONFIG: twoContexts })).candidates).toEqual([
      'alpha,beta',
    ]);
  });

  it('subcommands, flags, files; nothing (and exit 0, silent) for a missing kubeconfig', async () => {
    expect(await completeCli(['sv'])).toEqual({ candidates: ['svcs', 'svc'], directive: ':nofiles' });
    expect(await completeCli(['svc', '--tr'])).toEqual({
      candidates: ['--transport'],
      directive: ':nofiles',
    });
    expect(await completeCli(['svc', '-c', ''])).toEqual({ candidates: [], directive: ':files' });
    expect(await completeCli(['-c', join(dir, 'missing.yaml'), '-x', ''])).toEqual({
      candidates: [],
      directive: ':nofiles',
    });
    expect(await completeCli([])).toMatchObject({ directive: ':nofiles' });
  });

  it('-n gives nothing, quickly, when the API server refuses or never answers', async () => {
    expect(await completeCli(['-n', ''], { KUBECONFIG: twoContexts })).toEqual({
      candidates: [],
      directive: ':nofiles',
    });
    const started = Date.now();
    expect(await completeCli(['-c', silentKubeconfig, '-n', ''])).toEqual({
      candidates: [],
      directive: ':nofiles',
    });
    // The deadline is 2 s (without it: the client's 30 s); the rest is node's start-up on a busy machine.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('-n lists the namespaces of the simulated cluster', async () => {
    sim = await createSimCluster({ readyDelayMs: 10, waitReady: false });
    const { candidates, directive } = await completeCli(['svc', '-c', sim.kubeconfigPath, '-n', '']);
    expect(directive).toBe(':nofiles');
    for (const ns of ['shop', 'analytics', 'sandbox', 'default']) expect(candidates).toContain(ns);
    expect((await completeCli(['-n', 'shop,an'], { KUBECONFIG: sim.kubeconfigPath })).candidates).toEqual([
      'shop,analytics',
    ]);
    expect(
      (await completeCli(['-x', sim.contextName, '-n', 'sa'], { KUBECONFIG: sim.kubeconfigPath })).candidates,
    ).toEqual(['sandbox']);
  });
});

describe.skipIf(!isBuilt())('kubefwd completion SHELL (built CLI)', () => {
  it('prints a script per shell that calls `kubefwd __complete`', async () => {
    for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
      const r = await runCli(['completion', shell], { env: env() });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('__complete');
      expect(r.stdout).toContain('kubefwd');
    }
  });

  it('an unknown shell is one line naming it and the supported ones, exit 1', async () => {
    for (const shell of ['tcsh', 'cmd']) {
      const r = await runCli(['completion', shell], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^kubefwd: .*"${shell}".*bash, zsh, fish, powershell`));
    }
  });

  it('no shell or --help prints how to install each; kubefwd help mentions completion', async () => {
    for (const args of [['completion'], ['completion', '--help'], ['help', 'completion']]) {
      const r = await runCli(args, { env: env() });
      expect(r.code).toBe(0);
      for (const line of [
        'source <(kubefwd completion bash)',
        'source <(kubefwd completion zsh)',
        'kubefwd completion fish | source',
        '_kubefwd',
      ])
        expect(r.stdout).toContain(line);
    }
    expect((await runCli(['help'], { env: env() })).stdout).toContain('kubefwd completion bash|zsh|fish');
  });
});

/** Runs `script` in bash after sourcing the completion script; prints one COMPREPLY entry per line. */
const bashComplete = async (words: string[], extra: NodeJS.ProcessEnv = {}): Promise<string[]> => {
  const script = join(dir, 'kubefwd.bash');
  const gen = await runCli(['completion', 'bash'], { env: env() });
  await writeFile(script, gen.stdout);
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `source '${script}'
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_kubefwd
printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env: env(extra), cwd: dir, encoding: 'utf8', timeout: 20_000 },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
};

describe.skipIf(!isBuilt() || !hasBash)('the bash script in bash', () => {
  it('completes subcommands, flags and values from COMP_WORDS/COMP_CWORD', async () => {
    expect((await bashComplete(['kubefwd', 'sv'])).sort()).toEqual(['svc', 'svcs']);
    expect(await bashComplete(['kubefwd', 'svc', '--tr'])).toEqual(['--transport']);
    expect(await bashComplete(['kubefwd', '-x', ''], { KUBECONFIG: twoContexts })).toEqual(['alpha', 'beta']);
    // bash splits `--transport=sp` at the '='; the candidates replace only the last piece.
    expect(await bashComplete(['kubefwd', 'svc', '--transport', '=', 'sp'])).toEqual(['spdy']);
    // Tab right after the '=': bash's word is '=', readline replaces what follows it, so no '=' again.
    expect(await bashComplete(['kubefwd', '--transport', '='])).toEqual([
      'auto',
      'tunnel',
      'spdy',
      'websocket',
    ]);
    expect(await bashComplete(['kubefwd', '--theme', '='])).toEqual(['dark', 'light']);
    expect(await bashComplete(['kubefwd', 'completion', 'f'])).toEqual(['fish']);
  });

  it('lets bash complete paths for file flags', async () => {
    expect(await bashComplete(['kubefwd', '-c', 'two.y'])).toEqual(['two.yaml']);
    expect(await bashComplete(['kubefwd', 'svc', '--kubeconfig', '=', 'sil'])).toEqual(['silent.yaml']);
    expect(await bashComplete(['kubefwd', '--kubeconfig', '='])).toContain('silent.yaml');
  });
});

describe.skipIf(!isBuilt() || !hasZsh)('the zsh script in zsh', () => {
  it('registers _kubefwd when sourced and when autoloaded from $fpath', async () => {
    const gen = await runCli(['completion', 'zsh'], { env: env() });
    const fpathDir = join(dir, 'zfunc');
    await mkdir(fpathDir, { recursive: true });
    await writeFile(join(fpathDir, '_kubefwd'), gen.stdout);
    const run = (script: string) =>
      spawnSync('zsh', ['-f', '-c', script], { env: env(), cwd: dir, encoding: 'utf8', timeout: 20_000 });
    const sourced = run(
      `autoload -U compinit && compinit -u -d '${dir}/zcd1' && source <(kubefwd completion zsh) && print -r -- $_comps[kubefwd]`,
    );
    expect(sourced.stdout.trim()).toBe('_kubefwd');
    const autoloaded = run(
      `fpath=('${fpathDir}' $fpath); autoload -U compinit && compinit -u -d '${dir}/zcd2' && print -r -- $_comps[kubefwd]`,
    );
    expect(autoloaded.stdout.trim()).toBe('_kubefwd');
  });
});

describe.skipIf(!isBuilt() || !hasFish)('the fish script in fish', () => {
  it('completes through `complete -C`', async () => {
    const r = spawnSync(
      'fish',
      [
        '--no-config',
        '-c',
        'kubefwd completion fish | source; complete -C "kubefwd sv"; complete -C "kubefwd svc --tr"',
      ],
      { env: env(), cwd: dir, encoding: 'utf8', timeout: 20_000 },
    );
    const got = r.stdout.split('\n').map((l) => l.split('\t')[0]);
    expect(got).toContain('svc');
    expect(got).toContain('svcs');
    expect(got).toContain('--transport');
  });
});

describe.skipIf(!isBuilt() || !hasPwsh)('the PowerShell script in pwsh', () => {
  it('completes through TabExpansion2', async () => {
    const r = spawnSync(
      'pwsh',
      [
        '-NoProfile',
        '-Command',
        "kubefwd completion powershell | Out-String | Invoke-Expression; foreach ($l in 'kubefwd sv', 'kubefwd svc --tr') { (TabExpansion2 -inputScript $l -cursorColumn $l.Length).CompletionMatches.CompletionText }",
      ],
      { env: env(), cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
    const got = r.stdout.split(/\r?\n/);
    expect(got).toContain('svc');
    expect(got).toContain('svcs');
    expect(got).toContain('--transport');
  });
});
