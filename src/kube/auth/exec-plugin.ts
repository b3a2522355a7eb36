// client.authentication.k8s.io exec credential plugins (gke-gcloud-auth-plugin, kubelogin, aws …),
// run by us rather than by client-node because:
//   - under sudo they must run as the invoking user, with that user's HOME, so their token caches
//     under ~/.kube never become root-owned (kubefwd#285);
//   - sudo's secure_path drops the user's PATH, so a bare command is also looked up in the usual
//     per-user and package-manager bin directories;
//   - the credential is cached by its expiry (client-node 1.4 re-runs a plugin that gives none on
//     every request) and can be invalidated after a 401;
//   - KUBERNETES_EXEC_INFO is set, as kubectl does.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubefwdError } from '../../contract/errors.js';
import type { SudoUser } from '../../domain/invoking-user.js';
import type { ExecConfig } from '../kubeconfig/schema.js';
import type { KubeClock } from '../types.js';

export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
}

export interface ExecSpawnPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Set only when running as root for a sudo user. */
  uid?: number;
  gid?: number;
  /** The user's home under sudo: root's working directory may be unreadable to the user. */
  cwd?: string;
  /** Whether the plugin may talk to the user: it then gets our stdin (client-go's rule). */
  interactive?: boolean;
}

/** The hint of every plugin failure: the cluster was never contacted, so it is not about the cluster. */
const pluginHint = (command: string): string =>
  `The kubeconfig user's exec credential plugin failed before anything was sent to the cluster; run it by hand to see what it needs (${command}), e.g. a fresh login.`;

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms; undefined = valid until the server rejects it. */
  expiresAt?: number;
}

/** Extra places a plugin is commonly installed, searched after PATH (sudo's secure_path hides them). */
export const extraPluginDirs = (home: string): string[] => [
  join(home, '.local', 'bin'),
  join(home, 'bin'),
  join(home, 'go', 'bin'),
  join(home, '.krew', 'bin'),
  join(home, 'google-cloud-sdk', 'bin'),
  '/usr/local/bin',
  '/opt/homebrew/bin',
  '/usr/local/google-cloud-sdk/bin',
  '/snap/bin',
];

const isExecutable = (p: string): boolean => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Pure given `canExecute`: how to start the plugin (command, args, env, identity). */
export function planExecPlugin(
  exec: ExecConfig,
  deps: {
    env: NodeJS.ProcessEnv;
    invokingUser?: SudoUser | undefined;
    home: string;
    cluster?: ExecClusterInfo;
    canExecute?: (path: string) => boolean;
    /** Whether our stdin is a terminal; default: process.stdin.isTTY. */
    stdinIsTTY?: boolean;
  },
): ExecSpawnPlan {
  const interactive = isInteractive(exec, deps.stdinIsTTY ?? process.stdin.isTTY === true);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(deps.env)) if (v !== undefined) env[k] = v;
  const inv = deps.invokingUser;
  if (inv) {
    env.HOME = inv.home;
    env.USER = inv.name;
    env.LOGNAME = inv.name;
    // Root's XDG/cache locations would be written by the plugin as the user; point them home.
    delete env.XDG_CACHE_HOME;
    delete env.XDG_CONFIG_HOME;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const d of extraPluginDirs(deps.home)) if (!dirs.includes(d)) dirs.push(d);
  env.PATH = dirs.join(delimiter);
  for (const e of exec.env ?? []) env[e.name] = e.value;
  const info: Record<string, unknown> = {
    kind: 'ExecCredential',
    apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
    spec: {
      interactive,
      ...(exec.provideClusterInfo && deps.cluster ? { cluster: deps.cluster } : {}),
    },
  };
  env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  let command = exec.command;
  if (!command.includes('/')) {
    const can = deps.canExecute ?? isExecutable;
    const found = dirs.map((d) => join(d, command)).find((p) => can(p));
    if (found) command = found;
  }
  return {
    command,
    args: [...(exec.args ?? [])],
    env,
    ...(inv ? { uid: inv.uid, gid: inv.gid, cwd: inv.home } : {}),
    interactive,
  };
}

/**
 * client-go's rule: interactiveMode Never → never; IfAvailable (the default) → when stdin is a
 * terminal; Always → stdin must be a terminal, else the plugin is not run.
 */
function isInteractive(exec: ExecConfig, stdinIsTTY: boolean): boolean {
  const mode = exec.interactiveMode ?? 'IfAvailable';
  if (mode === 'Never') return false;
  if (mode === 'IfAvailable') return stdinIsTTY;
  if (mode === 'Always') {
    if (stdinIsTTY) return true;
    throw new KubefwdError(
      'AUTH_FAILED',
      `exec credential plugin ${exec.command} needs a terminal (interactiveMode: Always), but standard input is not a terminal`,
      {
        hint: 'Run kubefwd from a terminal, or log in with the plugin first so that it has a cached credential.',
      },
    );
  }
  throw new KubefwdError(
    'KUBECONFIG_INVALID',
    `exec credential plugin ${exec.command} has an invalid interactiveMode "${mode}" (Never, IfAvailable or Always)`,
  );
}

/** Parses the plugin's stdout (an ExecCredential). */
export function parseExecCredential(stdout: string, command: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    throw new KubefwdError(
      'AUTH_FAILED',
      `exec credential plugin ${command} printed no valid JSON ExecCredential`,
      { cause: err, hint: pluginHint(command) },
    );
  }
  const status = (doc as { status?: Record<string, unknown> } | null)?.status;
  if (typeof status !== 'object' || status === null) {
    throw new KubefwdError(
      'AUTH_FAILED',
      `exec credential plugin ${command} returned an ExecCredential without status`,
      { hint: pluginHint(command) },
    );
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const cred: ExecCredential = {};
  const token = str(status.token);
  const cert = str(status.clientCertificateData);
  const key = str(status.clientKeyData);
  if (token) cred.token = token;
  if (cert && key) {
    cred.clientCertificateData = cert;
    cred.clientKeyData = key;
  }
  if (!cred.token && !cred.clientCertificateData) {
    throw new KubefwdError(
      'AUTH_FAILED',
      `exec credential plugin ${command} returned neither a token nor a client certificate and key`,
      { hint: pluginHint(command) },
    );
  }
  const exp = str(status.expirationTimestamp);
  if (exp) {
    const t = Date.parse(exp);
    if (Number.isFinite(t)) cred.expiresAt = t;
  }
  return cred;
}

export interface ExecRunOptions {
  /**
   * Where the plugin's stderr goes while it runs (default: our stderr), as kubectl passes it
   * through: login prompts ("open https://… and enter code ABCD-1234") must be seen while it waits.
   */
  stderr?: { write(chunk: Buffer): unknown };
  /** Stops the plugin (kubefwd is shutting down). */
  signal?: AbortSignal;
}

export type ExecRunner = (
  plan: ExecSpawnPlan,
  timeoutMs: number,
  options?: ExecRunOptions,
) => Promise<string>;

/** Starts the plugin and returns its stdout; errors name the command and carry its stderr. */
export const runExecPlan: ExecRunner = (plan, timeoutMs, options = {}) =>
  new Promise((resolvePromise, reject) => {
    if (options.signal?.aborted) {
      reject(cancelled(plan.command));
      return;
    }
    const passStderr = options.stderr ?? process.stderr;
    const child = spawn(plan.command, plan.args, {
      env: plan.env,
      stdio: [plan.interactive === true ? 'inherit' : 'ignore', 'pipe', 'pipe'],
      ...(plan.uid !== undefined ? { uid: plan.uid } : {}),
      ...(plan.gid !== undefined ? { gid: plan.gid } : {}),
      ...(plan.cwd !== undefined && existsSync(plan.cwd) ? { cwd: plan.cwd } : {}),
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let errBytes = 0;
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      // Kept for the error message too (a plugin's reason for failing is on stderr).
      if (errBytes < 8192) errOut.push(c);
      errBytes += c.length;
      try {
        passStderr.write(c);
      } catch {
        // A closed stderr must not fail the login.
      }
    });
    const onAbort = (): void => {
      child.kill('SIGTERM');
      reject(cancelled(plan.command));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new KubefwdError(
          'AUTH_FAILED',
          `exec credential plugin ${plan.command} did not finish within ${timeoutMs} ms`,
          { hint: pluginHint(plan.command) },
        ),
      );
    }, timeoutMs);
    timer.unref?.();
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (code === 0) {
        resolvePromise(Buffer.concat(out).toString('utf8'));
        return;
      }
      const stderr = Buffer.concat(errOut).toString('utf8').trim();
      reject(
        new KubefwdError(
          'AUTH_FAILED',
          `exec credential plugin ${plan.command} failed (${signal ? `signal ${signal}` : `exit code ${code}`})${stderr ? `: ${stderr}` : ''}`,
          { hint: pluginHint(plan.command) },
        ),
      );
    });
  });

const cancelled = (command: string): KubefwdError =>
  new KubefwdError(
    'AUTH_FAILED',
    `exec credential plugin ${command} was stopped before it gave a credential: kubefwd is shutting down`,
    { hint: pluginHint(command) },
  );

export interface ExecCredentialSource {
  /** A valid credential, running the plugin when there is none or it (nearly) expired. */
  get(): Promise<ExecCredential>;
  /** Forget the cached credential (after a 401). */
  invalidate(): void;
  /** The command of the plugin run in progress, if one is (for messages about waiting on it). */
  running(): string | undefined;
  /** Stops a run in progress; later get() calls fail. */
  close(): void;
}

/** Refresh this long before the stated expiry, so a request never carries a just-expired token. */
const EXPIRY_SKEW_MS = 10_000;

export function createExecCredentialSource(
  exec: ExecConfig,
  plan: () => ExecSpawnPlan,
  deps: { clock: KubeClock; run?: ExecRunner; timeoutMs?: number; stderr?: ExecRunOptions['stderr'] },
): ExecCredentialSource {
  const run = deps.run ?? runExecPlan;
  const stop = new AbortController();
  let cached: ExecCredential | undefined;
  let inflight: Promise<ExecCredential> | undefined;
  let runningCommand: string | undefined;
  const fresh = (c: ExecCredential): boolean =>
    c.expiresAt === undefined || c.expiresAt - EXPIRY_SKEW_MS > deps.clock.now();
  return {
    get() {
      if (cached && fresh(cached)) return Promise.resolve(cached);
      if (inflight) return inflight;
      let p: ExecSpawnPlan;
      try {
        p = plan();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      runningCommand = p.command;
      inflight = run(p, deps.timeoutMs ?? 60_000, {
        signal: stop.signal,
        ...(deps.stderr ? { stderr: deps.stderr } : {}),
      })
        .catch((err: unknown) => {
          if (err instanceof KubefwdError) throw err;
          const code = (err as NodeJS.ErrnoException).code;
          const hint =
            code === 'ENOENT'
              ? `${exec.installHint ? `${exec.installHint.trim()}\n` : ''}If it is installed but not found under sudo, run: sudo -E env "PATH=$PATH" kubefwd ...`
              : pluginHint(p.command);
          throw new KubefwdError(
            'AUTH_FAILED',
            code === 'ENOENT'
              ? `exec credential plugin "${exec.command}" was not found (searched PATH and ${extraPluginDirs('~').join(', ')})`
              : `exec credential plugin ${p.command} could not start: ${(err as Error).message}`,
            { cause: err, hint },
          );
        })
        .then((stdout) => {
          const cred = parseExecCredential(stdout, exec.command);
          cached = cred;
          return cred;
        })
        .finally(() => {
          inflight = undefined;
          runningCommand = undefined;
        });
      return inflight;
    },
    invalidate() {
      cached = undefined;
    },
    running: () => runningCommand,
    close() {
      stop.abort();
    },
  };
}
