// Issue 18's goals are judged by `npm run bench` and `npm run soak`, which are not tests; this runs
// both at a tiny size (a smoke run of the machinery, not a measurement) so that neither rots: every
// goal must still be printed as MET or NOT MET with its figures, the transport table must keep its
// CPU-per-GiB columns, and the soak must still move verified traffic through faults. Figures are
// not judged here (performance is measured by the bench, never by a timed assertion).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectlPath } from '../../bench/lib/sim-handle.js';
import { repoRoot, runScript } from '../e2e/cli-process.js';

const benchMain = join(repoRoot, 'dist', 'bench', 'main.js');
const soakMain = join(repoRoot, 'dist', 'bench', 'soak.js');
const built = existsSync(benchMain) && existsSync(soakMain);
if (!built) console.warn(`${benchMain} or soak.js is missing (npm run build): bench goals smoke skipped`);
const haveKubectl = kubectlPath() !== undefined;
if (!haveKubectl)
  console.warn(
    'kubectl not found: the bench goals smoke checks the goals that compare with kubectl are left out',
  );

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-bench-goals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The printed goal lines: "MET      <goal>: <detail>" or "NOT MET  <goal>: <detail>". */
const goalLines = (stdout: string): string[] =>
  stdout.split('\n').filter((l) => /^(MET {4}|NOT MET) {2}\S/.test(l));

const expectGoal = (lines: string[], goal: RegExp): void => {
  const line = lines.find((l) => goal.test(l));
  expect(line, `a goal line matching ${goal}`).toBeDefined();
  // Every goal states its figures after the colon.
  expect(line).toMatch(/: .*\d/);
};

describe.skipIf(!built)('npm run bench and npm run soak print issue 18’s goals', () => {
  it(
    'transport, engine and tui: every goal as MET / NOT MET with figures',
    { timeout: 240_000 },
    async () => {
      const out = join(dir, 'bench.json');
      const paths = ['tunnel', 'spdy', 'websocket', ...(haveKubectl ? ['kubectl'] : [])].join(',');
      const r = await runScript(benchMain, [
        ...['--quick', '--only', 'transport,engine,tui', '--set', `paths=${paths}`],
        ...['--set', 'services=40', '--set', 'namespaces=4', '--out', out],
      ]);
      if (r.code !== 0) console.log(r.stderr.slice(-4000));
      expect(r.code).toBe(0);
      const lines = goalLines(r.stdout);
      // The forwarding CPU per GiB and its ratio to kubectl are columns of the transport table.
      expect(r.stdout).toMatch(/CPU s per GiB +vs kubectl/);
      expectGoal(lines, /tunnel new-connection p50 with \+20 ms <= 1\.3x the added round trip: [\d.]+ ms/);
      if (haveKubectl) {
        expectGoal(
          lines,
          /every transport: forwarding CPU per GiB <= kubectl: tunnel [\d.]+ s\/GiB .*spdy .*websocket /,
        );
        expectGoal(lines, /tunnel \(what auto picks\) throughput >= 1\.3x kubectl: [\d.]+x/);
        expectGoal(lines, /tunnel new-connection p50 \(no added latency\) <= kubectl: [\d.]+ vs [\d.]+ ms/);
        expectGoal(
          lines,
          /tunnel connection-per-request rate \(\d+ cycles\) >= 1\.2x kubectl: [\d.]+ vs [\d.]+ per s/,
        );
      }
      expectGoal(lines, /40 services over 4 namespaces all Active in < 6 s \(median\): [\d.]+ s/);
      expectGoal(lines, /at most 10 hosts-file writes at start: \d+ writes/);
      expectGoal(lines, /daemon peak RSS < 300 MB: [\d.]+ MiB/);
      expectGoal(lines, /500 rows, all updating: a frame in < 16 ms at p95/);
      expectGoal(lines, /2000 rows, all updating: a frame in < 16 ms at p95/);

      const record = JSON.parse(readFileSync(out, 'utf8')) as {
        sections: Record<string, { goals: { goal: string; met: boolean; detail: string }[] }>;
      };
      for (const name of ['transport', 'engine', 'tui'])
        expect(record.sections[name]?.goals.length).toBeGreaterThan(0);
    },
  );

  it(
    'soak: RSS and open-handle slopes and a verdict, with verified traffic through faults',
    { timeout: 240_000 },
    async () => {
      const r = await runScript(soakMain, [
        ...[
          '--minutes',
          '0.4',
          '--fault-every',
          '6',
          '--op-every',
          '4',
          '--sample-every',
          '2',
          '--report-every',
          '10',
        ],
      ]);
      if (r.code === null) console.log(r.stderr.slice(-4000));
      // A 24-second soak's RSS is still warming up, so its verdict may be FAIL (exit 1): not judged.
      expect([0, 1]).toContain(r.code);
      const lines = goalLines(r.stdout);
      expectGoal(
        lines,
        /RSS flat \(≤ \d+ MiB\/hour\): -?[\d.]+ MiB\/hour over \d+ samples after the warm-up/,
      );
      expectGoal(lines, /open handles flat \(≤ \d+\/hour\): -?[\d.]+ handles\/hour/);
      expectGoal(lines, /0\.4-minute soak: \d+ mismatches/);
      const summary = JSON.parse(
        r.stdout.slice(r.stdout.indexOf('\n{') + 1, r.stdout.indexOf('\n}') + 2),
      ) as {
        roundTrips: number;
        mismatches: number;
        untargetedCloses: number;
        hung: number;
        faults: number;
        exitCode: number;
        hostsCleaned: boolean;
      };
      // What the soak exists to catch is judged: data verified through faults, a clean stop.
      expect(summary.roundTrips).toBeGreaterThan(0);
      expect(summary.faults).toBeGreaterThan(0);
      expect(summary).toMatchObject({
        mismatches: 0,
        untargetedCloses: 0,
        hung: 0,
        exitCode: 0,
        hostsCleaned: true,
      });
    },
  );
});

if (!built)
  describe('npm run bench and npm run soak print issue 18’s goals', () => {
    it.skip('needs a build (npm run build)', () => undefined);
  });
