// Start-up time of the commands that are started again and again: `kubefwd version`, `kubefwd mcp`
// until it answers `initialize` and `tools/list` (MCP hosts spawn it for every session) and the completion entry
// point (`kubefwd __complete`, run by the shell on every Tab). Each is started N times from
// `node bin/kubefwd` and, when built (`npm run build:exe`, or --set exe=PATH), from the standalone
// executable. Wall time depends on how busy the machine is, so `node -e 0` is measured alongside;
// CPU time (user + system of the process, from /proc or the shell's `times`) depends much less.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procUsage } from '../lib/processes.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { median, round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GOAL_MS = 200;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Runs argv to completion under sh, which reports the child's CPU with `times`. */
const runToExit = (argv: string[]): Promise<Sample> =>
  new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn('/bin/sh', ['-c', '"$@" >/dev/null 2>&1; times', 'sh', ...argv], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, HOME: process.env.HOME ?? '/tmp' },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const wallMs = performance.now() - t0;
      // Second line of `times`: children's user and system time, e.g. "0m0.090000s 0m0.020000s".
      const line = out.trim().split('\n')[1] ?? '';
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolveRun({ wallMs, cpuMs: (secs.reduce((a, b) => a + b, 0) || NaN) * 1000 });
    });
  });

/** How far an MCP session goes before the clock stops. */
type McpMilestone = 'initialize' | 'tools/list' | 'tools/call';

const rpc = (id: number, method: string, params?: object): string =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })}\n`;

/**
 * Starts `argv mcp` and plays an MCP host's opening: `initialize`; on its answer `initialized` and
 * `tools/list`; on that answer a `tools/call` (get_quick_status, which answers without a daemon:
 * HOME is empty). Times until the answer that ends `milestone`.
 */
const mcpSession = (argv: string[], home: string, milestone: McpMilestone): Promise<Sample> =>
  new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, [...args, 'mcp'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, HOME: home },
    });
    const last = { initialize: 1, 'tools/list': 2, 'tools/call': 3 }[milestone];
    let out = '';
    let done = false;
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let nl: number;
      while (!done && (nl = out.indexOf('\n')) >= 0) {
        const { id } = JSON.parse(out.slice(0, nl)) as { id?: number };
        out = out.slice(nl + 1);
        if (id === last) {
          done = true;
          const wallMs = performance.now() - t0;
          const cpu = procUsage(child.pid);
          child.kill('SIGTERM');
          resolveRun({ wallMs, cpuMs: (cpu?.cpuSeconds ?? NaN) * 1000 });
        } else if (id === 1) {
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
          child.stdin.write(rpc(2, 'tools/list'));
        } else if (id === 2) {
          child.stdin.write(rpc(3, 'tools/call', { name: 'get_quick_status', arguments: {} }));
        }
      }
    });
    child.on('close', () => {
      if (!done) reject(new Error(`mcp exited before answering ${milestone}: ${out}`));
    });
    child.stdin.write(
      rpc(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      }),
    );
  });

const findExe = (o: BenchOptions): string | undefined => {
  if (o.settings.exe) return o.settings.exe;
  const dir = join(root, 'dist', 'exe');
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find((n) => /^kubefwd-.*-(linux|darwin|win)-(x64|arm64)(\.exe)?$/.test(n));
  return f ? join(dir, f) : undefined;
};

export const startupSection: Section = {
  name: 'startup',
  description: 'start-up time of version, mcp (until initialize and tools/list are answered) and completion',
  async run(o: BenchOptions): Promise<SectionResult> {
    const n = Number(o.settings.startupRuns ?? (o.quick ? 3 : 15));
    const exe = findExe(o);
    const launchers: [string, string[]][] = [
      ['node bin/kubefwd', [process.execPath, join(root, 'bin', 'kubefwd')]],
    ];
    if (exe) launchers.push([`executable`, [exe]]);
    else o.log('startup: no executable in dist/exe (npm run build:exe); measuring node bin/kubefwd only');
    const home = mkdtempSync(join(tmpdir(), 'kubefwd-bench-startup-'));
    // `goal: false`: printed for what it shows (the SDK loads after the handshake; the first tool
    // call pays for what is left of it), but a tool call is not a start.
    const cases: { name: string; goal?: false; measure: (argv: string[]) => Promise<Sample> }[] = [
      { name: 'version', measure: (a) => runToExit([...a, 'version']) },
      { name: 'mcp → initialize answered', measure: (a) => mcpSession(a, home, 'initialize') },
      { name: 'mcp → initialize + tools/list answered', measure: (a) => mcpSession(a, home, 'tools/list') },
      {
        name: 'mcp → … + first tool call answered',
        goal: false,
        measure: (a) => mcpSession(a, home, 'tools/call'),
      },
      { name: '__complete svc -- (Tab)', measure: (a) => runToExit([...a, '__complete', 'svc', '--']) },
    ];
    const sampleN = async (fn: () => Promise<Sample>): Promise<Sample> => {
      await fn(); // warm the file cache
      const xs: Sample[] = [];
      for (let i = 0; i < n; i++) xs.push(await fn());
      return { wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)) };
    };
    const baseline = await sampleN(() => runToExit([process.execPath, '-e', '0']));
    const rows: { launcher: string; command: string; goal: boolean; wallMs: number; cpuMs: number }[] = [];
    try {
      for (const [label, argv] of launchers)
        for (const c of cases) {
          const r = await sampleN(() => c.measure(argv));
          rows.push({ launcher: label, command: c.name, goal: c.goal ?? true, ...r });
          o.log(`startup: ${label} ${c.name}: ${round(r.wallMs)} ms`);
        }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const table = renderTable(
      `Start-up (median of ${n}; node -e 0 on this machine now: ${round(baseline.wallMs)} ms wall, ${round(baseline.cpuMs)} ms CPU)`,
      ['launcher', 'command', 'wall ms', 'CPU ms', 'wall − node -e 0'],
      rows.map((r) => [
        r.launcher,
        r.command,
        round(r.wallMs),
        round(r.cpuMs),
        round(r.wallMs - baseline.wallMs),
      ]),
    );
    return {
      data: { runs: n, exe, baseline, rows },
      tables: [table],
      goals: rows
        .filter((r) => r.goal)
        .map((r) => ({
          goal: `${r.launcher} ${r.command} starts in well under ${GOAL_MS} ms`,
          met: r.wallMs < GOAL_MS,
          detail: `median ${round(r.wallMs)} ms wall, ${round(r.cpuMs)} ms CPU (node -e 0: ${round(baseline.wallMs)} ms wall)`,
        })),
    };
  },
};
