// Runs the real `./bin/kubefwd` (built by `npm run build`) as a child process for end-to-end tests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { worldReadableRoot } from '../support/world-readable.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = join(repoRoot, 'bin', 'kubefwd');
export const isBuilt = (): boolean => existsSync(join(repoRoot, 'dist', 'src', 'cli', 'bin.js'));

/** A clean environment: no sudo variables, HOME as given, no inherited kubeconfig. */
export const cliEnv = (home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C', ...extra };
  return env;
};

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout+stderr (rejects on exit or timeout). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<CliResult>;
  kill(signal?: NodeJS.Signals): void;
}

export const startCli = (
  args: string[],
  opts: {
    env: NodeJS.ProcessEnv;
    uid?: number;
    gid?: number;
    worldReadable?: boolean;
    /** A command that runs node (e.g. `unshare --net …`), given node's path and arguments last. */
    launcher?: string[];
  },
): CliProcess => {
  // Another user cannot load the CLI from a checkout in a private directory: run a mirror of it
  // (also when root starts it and it starts a process of another user: `sudo -E kubefwd`).
  const root =
    opts.worldReadable === true || (opts.uid !== undefined && opts.uid !== process.getuid?.())
      ? worldReadableRoot(repoRoot)
      : repoRoot;
  const [command, ...launcherArgs] = [...(opts.launcher ?? []), process.execPath];
  const child = spawn(command, [...launcherArgs, join(root, 'bin', 'kubefwd'), ...args], {
    cwd: root,
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    poke();
  });
  const exited = new Promise<CliResult>((resolveExit) => {
    child.once('close', (code, signal) => {
      poke();
      resolveExit({ code, signal, stdout: out, stderr: err });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
    },
    waitFor(re, timeoutMs = 40_000) {
      return new Promise((resolveWait, reject) => {
        const check = (): void => {
          const m = (out + err).match(re);
          if (m) {
            cleanup();
            resolveWait(m);
          } else if (done) {
            cleanup();
            reject(new Error(`kubefwd exited before ${re}: stdout=${out} stderr=${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timeout waiting for ${re}: stdout=${out} stderr=${err}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
};

export const runCli = async (
  args: string[],
  opts: { env: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs?: number },
): Promise<CliResult> => {
  const p = startCli(args, opts);
  const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
};

/** Runs a script of the build (the bench's main.js or soak.js) with this Node to its end. */
export const runScript = (
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
