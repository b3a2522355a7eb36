// Runs the real kubefwd daemon (./bin/kubefwd) against a simulated cluster, for the soak and the
// reliability tests: temp HOME and hosts file, API on a free loopback port, its own IP base.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../../src/api/client/index.js';
import type { ForwardView } from '../../src/contract/state.js';
import { repoRoot } from './repo-root.js';

export const binPath = join(repoRoot, 'bin', 'kubefwd');

export interface DaemonOptions {
  kubeconfigPath: string;
  ipBase: string;
  args: string[];
  /** Initial hosts-file content (foreign lines that must survive byte for byte). */
  hostsContent?: string;
  env?: NodeJS.ProcessEnv;
  /** Reuse a directory (HOME, hosts file) of an earlier daemon; its hosts file is kept as it is. */
  dir?: string;
  /** Use this existing hosts file instead of the directory's own. */
  hostsPath?: string;
  /** A command that runs the daemon's command line (e.g. `nsenter -t PID -m --`); it must exec it. */
  launcher?: string[];
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly home: string;
  readonly hostsPath: string;
  output(): string;
  /** Resolves with the API client once the discovery file names a live API. */
  api(timeoutMs?: number): Promise<ApiClient>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Resident set size (KiB) and open file descriptors of the daemon process, from /proc. */
  usage(): { rssKiB: number; fds: number };
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): void;
}

export const startDaemon = (o: DaemonOptions): Daemon => {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'kubefwd-rel-'));
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const hostsPath = o.hostsPath ?? join(dir, 'hosts');
  if (o.hostsContent !== undefined || !existsSync(hostsPath))
    writeFileSync(hostsPath, o.hostsContent ?? '127.0.0.1 localhost\n');
  const fwdConf = join(dir, 'fwd.yml');
  writeFileSync(fwdConf, `baseUnreservedIP: ${o.ipBase}\n`);
  const [command, ...launcherArgs] = [...(o.launcher ?? []), process.execPath];
  const child = spawn(
    command,
    [
      ...launcherArgs,
      // Profiling the daemon: BENCH_DAEMON_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
      ...(process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      binPath,
      ...o.args,
      '-c',
      o.kubeconfigPath,
      '--hosts-path',
      hostsPath,
      '--api-listen',
      '127.0.0.1:0',
      '-z',
      fwdConf,
    ],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        LANG: 'C',
        // Profiling the daemon: BENCH_DAEMON_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
        ...(process.env.BENCH_DAEMON_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_DAEMON_NODE_OPTIONS }
          : {}),
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  // Diagnosing the daemon (e.g. BENCH_DAEMON_NODE_ARGS='--trace-gc'): BENCH_DAEMON_OUTPUT=FILE keeps
  // all of its output, not only the last 200 kB.
  const keep = process.env.BENCH_DAEMON_OUTPUT;
  const onOutput = (d: string): void => {
    out = (out + d).slice(-200_000);
    if (keep) appendFileSync(keep, d);
  };
  child.stdout?.setEncoding('utf8').on('data', onOutput);
  child.stderr?.setEncoding('utf8').on('data', onOutput);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('close', (code, signal) => {
      done = true;
      res({ code, signal });
    }),
  );
  const daemon: Daemon = {
    child,
    dir,
    home,
    hostsPath,
    output: () => out,
    exited,
    alive: () => !done,
    async api(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (done) throw new Error(`kubefwd exited before its API came up:\n${out}`);
        try {
          const file = JSON.parse(readFileSync(join(home, '.kubefwd', 'api.json'), 'utf8')) as {
            url: string;
            key: string;
          };
          const client = createApiClient({ baseUrl: file.url, key: file.key, timeoutMs: 10_000 });
          await client.health();
          return client;
        } catch (err) {
          if (Date.now() > deadline)
            throw new Error(`kubefwd API not up after ${timeoutMs} ms: ${String(err)}\n${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    usage() {
      const pid = child.pid;
      if (pid === undefined || done) return { rssKiB: 0, fds: 0 };
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = /VmRSS:\s+(\d+)/.exec(status);
      return { rssKiB: rss ? Number(rss[1]) : 0, fds: readdirSync(`/proc/${pid}/fd`).length };
    },
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
    cleanup() {
      if (!done) child.kill('SIGKILL');
      if (o.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
  return daemon;
};

/** name → ip from the kubefwd block of a hosts file. */
export const hostsMap = (text: string): Map<string, string> => {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [ip, ...names] = line.split(/\s+/);
    for (const n of names) if (ip !== undefined && !map.has(n)) map.set(n, ip);
  }
  return map;
};

/** Every forward, a page (the API's largest, 1,000) at a time. */
export const listAllForwards = async (api: ApiClient): Promise<ForwardView[]> => {
  const all: ForwardView[] = [];
  for (;;) {
    const { forwards } = await api.listForwards({ limit: 1000, offset: all.length });
    all.push(...forwards);
    if (forwards.length < 1000) return all;
  }
};

/** Polls until every forward the API lists is Active and at least `min` exist. */
export const waitAllActive = async (
  api: ApiClient,
  min: number,
  timeoutMs: number,
  /** Forwards allowed to stay non-Active (e.g. a service whose manual Endpoints name a deleted pod). */
  exempt: (key: string) => boolean = () => false,
): Promise<{ ms: number; forwards: number }> => {
  const t0 = Date.now();
  let last = '';
  let fullAt = -Infinity;
  for (;;) {
    try {
      // The summary is cheap; the whole list (2,000 forwards at scale is ~1 MB of JSON) is fetched
      // at most once a second, for exemptions and the message, so polling does not load the daemon.
      const { summary } = await api.listForwards({ limit: 1 });
      if (summary.totalForwards >= min && summary.activeForwards === summary.totalForwards)
        return { ms: Date.now() - t0, forwards: summary.totalForwards };
      last = `${summary.activeForwards} of ${summary.totalForwards} forwards Active`;
      if (summary.totalForwards >= min && Date.now() - fullAt >= 1000) {
        fullAt = Date.now();
        const forwards = await listAllForwards(api);
        const notActive = forwards.filter((f) => f.status !== 'Active' && !exempt(f.key));
        if (forwards.length >= min && notActive.length === 0)
          return { ms: Date.now() - t0, forwards: forwards.length };
        last = `${forwards.length} forwards; not active: ${notActive
          .slice(0, 20)
          .map((f) => `${f.key}=${f.status}${f.reason ? ` (${f.reason})` : ''}`)
          .join(', ')}${notActive.length > 20 ? ` and ${notActive.length - 20} more` : ''}`;
      }
    } catch (err) {
      last = String(err);
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`forwards not all Active after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

export const readHosts = (d: Daemon): string => readFileSync(d.hostsPath, 'utf8');

/** Waits until the daemon's hosts block is written (writes are batched, so Active can come first). */
export const waitForBlock = async (d: Daemon, timeoutMs = 10_000): Promise<string> => {
  const t0 = Date.now();
  for (;;) {
    const text = readHosts(d);
    if (text.includes('# kubefwd end')) return text;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`no kubefwd block in ${d.hostsPath} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
