// issue 7 "Done when", end to end: the real `kubefwd svc -n shop --tui` in a pseudo-terminal
// (tmux) against the simulated cluster, reading the screen — the sample services appear, Enter
// opens detail with hostnames, the HTTP tab shows a request made through the forward, the Logs tab
// the pod's log line for it, `f` browse forwards a second namespace whose rows appear, `q` exits
// and the hosts block is gone. Then `kubefwd tui` attached to a running daemon shows the same rows,
// and when that daemon stops, says so and exits.
// Needs tmux, root (kubefwd svc binds 127.x and edits a hosts file) and a build (`npm run build`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/api/client/index.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { randomIpBase } from '../support/addresses.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'kubefwd');
const TMUX = '/usr/bin/tmux';
const ESC = String.fromCharCode(27);
const built = existsSync(join(root, 'dist', 'src', 'cli', 'bin.js'));
const isRoot = process.getuid?.() === 0;
const why = !existsSync(TMUX)
  ? 'tmux is not installed'
  : !built
    ? 'the CLI is not built (npm run build)'
    : !isRoot
      ? 'kubefwd svc needs root'
      : undefined;
if (why) console.warn(`skipping the TUI end-to-end tests: ${why}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A tmux server of our own (its own socket), one session running `command`. */
const createTerminal = (name: string, command: string[], env: Record<string, string>) => {
  const socket = `kubefwd-tui-${process.pid}-${name}`;
  const tmux = (...args: string[]) =>
    spawnSync(TMUX, ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const line = `env -i ${envArgs.join(' ')} ${command.map(shellQuote).join(' ')}; echo KUBEFWD-EXIT=$?; sleep 60`;
  const r = tmux('new-session', '-d', '-s', 's', '-x', '160', '-y', '48', line);
  if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
  const screen = () => tmux('capture-pane', '-p', '-t', 's').stdout;
  return {
    screen,
    /** The screen with its colour and attribute escapes (SGR). */
    styledScreen: () => tmux('capture-pane', '-e', '-p', '-t', 's').stdout,
    async waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (re.test(s)) return s;
        if (Date.now() > end) throw new Error(`screen never matched ${re}:\n${s}`);
        await sleep(100);
      }
    },
    /** tmux key names (Enter, Escape, Tab) or literal text. */
    async keys(...keys: string[]) {
      for (const k of keys) {
        tmux('send-keys', '-t', 's', ...(/^[A-Z][a-zA-Z]+$/.test(k) ? [k] : ['-l', k]));
        await sleep(250);
      }
    },
    close() {
      tmux('kill-server');
    },
  };
};
type Terminal = ReturnType<typeof createTerminal>;

const parseHosts = (text: string): Map<string, string> => {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const [ip, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    for (const n of names) if (ip && !map.has(n)) map.set(n, ip);
  }
  return map;
};

const httpGet = (ip: string, port: number, path: string, host: string) =>
  new Promise<number>((resolveGet, reject) => {
    const req = request(
      { host: ip, port, path, headers: { host: `${host}:${port}` }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolveGet(res.statusCode ?? 0));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

/** Hostnames of the services table on a screen (rows start with "│▶" or "│ "). */
const tableRows = (screen: string): string[] =>
  screen
    .split('\n')
    .filter((l) => /^│[▶ ]\S/.test(l) && !/^│ Hostname/.test(l))
    .map((l) => l.slice(2).split(/\s+/)[0]!);

interface Env {
  dir: string;
  home: string;
  hostsPath: string;
  fwdConf: string;
  sim: SimCluster;
}

const setup = async (ipBase: string): Promise<Env> => {
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-tui-e2e-'));
  const home = join(dir, 'home');
  await mkdir(home);
  const hostsPath = join(dir, 'hosts');
  await writeFile(hostsPath, '127.0.0.1 localhost\n');
  const fwdConf = join(dir, 'fwd.yml');
  await writeFile(fwdConf, `baseUnreservedIP: ${ipBase}\n`);
  const sim = await createSimCluster({ dir: join(dir, 'sim'), readyDelayMs: 50 });
  return { dir, home, hostsPath, fwdConf, sim };
};

const daemonArgs = (e: Env) => [
  'svc',
  '-n',
  'shop',
  '-c',
  e.sim.kubeconfigPath,
  '--hosts-path',
  e.hostsPath,
  '--api-listen',
  '127.0.0.1:0',
  '-z',
  e.fwdConf,
];

const termEnv = (home: string) => ({
  HOME: home,
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  // As on a CI runner: the TUI must render its frames anyway (ink would otherwise print only the last).
  CI: 'true',
});

// Generous limits: the whole suite shares two cores, and a loaded machine renders slowly.
describe.skipIf(why !== undefined)(
  'kubefwd svc -n shop --tui (real CLI in tmux, simulated cluster)',
  { timeout: 90_000 },
  () => {
    let env: Env;
    let term: Terminal;
    const base1 = randomIpBase();
    const path = `/tui-e2e-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      env = await setup(base1);
      term = createTerminal(
        'inproc',
        [process.execPath, bin, ...daemonArgs(env), '--tui'],
        termEnv(env.home),
      );
    }, 120_000);

    afterAll(async () => {
      term?.close();
      await env?.sim.stop();
      if (env) await rm(env.dir, { recursive: true, force: true });
    });

    it('shows the sample services with the current context', async () => {
      const s = await term.waitFor(/api-gateway\s+8080\s+● Active/, 60_000);
      expect(s.split('\n')[0]).toMatch(/kubefwd v\S+ \| ctx: sim \| ns: shop/);
      await term.waitFor(/postgres\s+5432\s+● Active/);
      expect(tableRows(term.screen())).toEqual(
        expect.arrayContaining(['api-gateway', 'postgres', 'redis', 'auth']),
      );
    });

    it('renders in colour, also with CI set (the status dots in the theme green)', async () => {
      await term.waitFor(/api-gateway\s+8080\s+● Active/, 60_000);
      // Each SGR sequence's parameters; a foreground colour is 30-37, 90-97 or 38;5;n / 38;2;r;g;b.
      const sgr = [...term.styledScreen().matchAll(new RegExp(`${ESC}\\[([0-9;]*)m`, 'g'))].map((m) => m[1]!);
      expect(sgr.some((p) => /(^|;)(3[0-7]|9[0-7]|38;[25];)/.test(p))).toBe(true);
    });

    // Under full-suite load a redraw after a key chunk took over waitFor's default 30 s: each
    // screen state gets up to KEY_WAIT_MS (it returns as soon as the screen matches), and the test
    // a limit that covers its four waits.
    const KEY_WAIT_MS = 60_000;
    it(
      'every key of a chunk acts (tmux send-keys -l jjj, as key repeat and paste deliver)',
      { timeout: 4 * KEY_WAIT_MS + 30_000 },
      async () => {
        await term.waitFor(/Services 1\/\d+/, KEY_WAIT_MS);
        await term.keys('jjj');
        await term.waitFor(/Services 4\/\d+/, KEY_WAIT_MS);
        await term.keys('gjjk');
        await term.waitFor(/Services 2\/\d+/, KEY_WAIT_MS);
        await term.keys('g');
        await term.waitFor(/Services 1\/\d+/, KEY_WAIT_MS);
      },
    );

    it('Enter opens the detail view with the hostnames', async () => {
      await term.keys('/', 'api-gateway', 'Enter');
      await term.waitFor(/Filter: api-gateway \(press Esc to clear\)/);
      await term.keys('Enter');
      const s = await term.waitFor(/CONNECT STRINGS/);
      // --hosts-path: the names resolve nowhere, so the address that works comes first.
      const ip = parseHosts(await readFile(env.hostsPath, 'utf8')).get('api-gateway');
      expect(s).toContain(`[1] ${ip}:8080`);
      expect(s).toContain('[2] api-gateway:8080');
      expect(s).toContain('api-gateway.shop.svc.cluster.local:8080');
      expect(s).toMatch(/STATUS: ● Active/);
    });

    it('the HTTP tab shows a request made through the forward', async () => {
      const ip = parseHosts(await readFile(env.hostsPath, 'utf8')).get('api-gateway');
      expect(ip?.startsWith(base1.replace(/\.1$/, '.'))).toBe(true);
      expect(await httpGet(ip!, 8080, path, 'api-gateway')).toBe(200);
      await term.keys('h');
      const s = await term.waitFor(new RegExp(`GET\\s+${path}\\s+200`));
      expect(s).toMatch(/\[HTTP \([1-9]\d*\)\]/);
    });

    it("the Logs tab shows the pod's log line for it", async () => {
      await term.keys('Tab');
      const s = await term.waitFor(new RegExp(`"GET ${path} HTTP/1.1" 200`));
      expect(s).toMatch(/● Following \(api-gateway\)/);
    });

    it('f opens browse; forwarding a second namespace adds its rows', async () => {
      await term.keys('Escape', 'Escape', 'f');
      let s = await term.waitFor(/Browse Namespaces[\s\S]*shop \[forwarded\]/);
      for (let i = 0; i < 10 && !/> analytics/.test(s); i++) {
        await term.keys('j');
        s = term.screen();
      }
      expect(s).toContain('> analytics');
      await term.keys('Enter');
      await term.waitFor(/Services in analytics[\s\S]*reports \(ClusterIP\) \[8080\]/);
      await term.keys('Enter');
      s = await term.waitFor(/reports\.analytics\s+8080\s+analytics\s+● Active/, 45_000);
      expect(s.split('\n')[0]).toContain('ns: analytics,shop');
      expect(tableRows(s)).toEqual(
        expect.arrayContaining(['api-gateway', 'events.analytics', 'reports.analytics']),
      );
    });

    it('q exits cleanly and the hosts block is gone', async () => {
      expect(await readFile(env.hostsPath, 'utf8')).toContain('# kubefwd begin');
      await term.keys('q');
      await term.waitFor(/KUBEFWD-EXIT=0/, 45_000);
      expect(await readFile(env.hostsPath, 'utf8')).toBe('127.0.0.1 localhost\n');
    });
  },
);

describe.skipIf(why !== undefined)('kubefwd tui attached to a running daemon', { timeout: 90_000 }, () => {
  let env: Env;
  let term: Terminal | undefined;
  let daemon: ChildProcess | undefined;
  let daemonExit: Promise<number | null>;
  let daemonOutput = '';

  beforeAll(async () => {
    env = await setup(randomIpBase());
    daemon = spawn(process.execPath, [bin, ...daemonArgs(env)], {
      env: { HOME: env.home, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout?.setEncoding('utf8').on('data', (d: string) => (daemonOutput += d));
    daemon.stderr?.setEncoding('utf8').on('data', (d: string) => (daemonOutput += d));
    daemonExit = new Promise((r) => daemon!.once('exit', (code) => r(code)));
    const discovery = join(env.home, '.kubefwd', 'api.json');
    for (let i = 0; i < 900 && !existsSync(discovery) && daemon.exitCode === null; i++) await sleep(100);
    if (!existsSync(discovery)) throw new Error(`the daemon wrote no discovery file:\n${daemonOutput}`);
  }, 120_000);

  afterAll(async () => {
    term?.close();
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await daemonExit;
    }
    await env?.sim.stop();
    if (env) await rm(env.dir, { recursive: true, force: true });
  });

  it('shows the same rows as the daemon serves, and q leaves the daemon running', async () => {
    const { url, key } = JSON.parse(await readFile(join(env.home, '.kubefwd', 'api.json'), 'utf8')) as {
      url: string;
      key: string;
    };
    const client = createApiClient({ baseUrl: url, key });
    let expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { forwards } = await client.listForwards();
      if (forwards.length >= 9 && forwards.every((f) => f.status === 'Active')) {
        expected = forwards.map((f) => f.hostnames.reduce((a, b) => (b.length < a.length ? b : a))).sort();
        break;
      }
      await sleep(200);
    }
    expect(expected.length).toBeGreaterThanOrEqual(9);

    term = createTerminal('attached', [process.execPath, bin, 'tui'], termEnv(env.home));
    const s = await term.waitFor(/api-gateway\s+8080\s+● Active/, 45_000);
    expect(s.split('\n')[0]).toContain(`attached: ${url}`);
    expect(s.split('\n')[0]).toContain('ctx: sim');
    await term.waitFor(new RegExp(`Forwards: ${expected.length}/${expected.length}`));
    expect(tableRows(term.screen()).sort()).toEqual(expected);

    await term.keys('q');
    await term.waitFor(/KUBEFWD-EXIT=0/);
    expect(daemon!.exitCode).toBeNull();
    expect(await readFile(env.hostsPath, 'utf8')).toContain('# kubefwd begin');
  });

  // It used to stay up saying "Shutting down..." over an empty list, its keys failing against a
  // daemon that was gone.
  it('when the daemon stops, the TUI says kubefwd (pid) stopped and exits, giving the terminal back', async () => {
    const { pid } = JSON.parse(await readFile(join(env.home, '.kubefwd', 'api.json'), 'utf8')) as {
      pid: number;
    };
    term?.close();
    term = createTerminal('attached-stop', [process.execPath, bin, 'tui'], termEnv(env.home));
    await term.waitFor(/api-gateway\s+8080\s+● Active/, 45_000);
    daemon!.kill('SIGTERM');
    await term.waitFor(new RegExp(`kubefwd \\(pid ${pid}\\) stopped — exiting`), 30_000);
    const s = await term.waitFor(/KUBEFWD-EXIT=0/, 30_000);
    // Printed on the main screen, after the TUI left its alternate one.
    expect(s).toContain(`kubefwd (pid ${pid}) stopped, so the TUI exited`);
    expect(s).not.toContain('Forwards:');
    await daemonExit;
  });
});
