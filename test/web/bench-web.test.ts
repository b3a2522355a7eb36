// `npm run bench`'s web section, end to end at a tiny size (a smoke run of the machinery, not a
// measurement): it must still print its three goal lines — frame CPU from Chromium's trace,
// wall-clock per frame, the daemon's CPU — each as MET or NOT MET. Figures are not judged here.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumPath, NO_CHROMIUM } from '../../bench/lib/chromium.js';
import { repoRoot, runScript } from '../e2e/cli-process.js';

const benchMain = join(repoRoot, 'dist', 'bench', 'main.js');
const ready = chromiumPath() !== undefined && existsSync(benchMain);
if (!ready)
  console.warn(
    chromiumPath() === undefined
      ? NO_CHROMIUM
      : `${benchMain} is missing (npm run build): bench web smoke skipped`,
  );

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-bench-web-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!ready)('bench web section', () => {
  it(
    'prints MET / NOT MET for trace frame CPU p95, wall-clock p95 and the daemon’s CPU',
    { timeout: 240_000 },
    async () => {
      const out = join(dir, 'result.json');
      const r = await runScript(benchMain, [
        '--only',
        'web',
        '--quick',
        '--set',
        'webServices=12',
        '--set',
        'namespaces=2',
        '--set',
        'webSeconds=2',
        '--out',
        out,
      ]);
      if (r.code !== 0) console.log(r.stderr.slice(-4000));
      expect(r.code).toBe(0);
      const goals = r.stdout.split('\n').filter((l) => /^(MET|NOT MET)\s/.test(l));
      expect(goals).toHaveLength(3);
      expect(goals[0]).toMatch(
        /^(MET {4}|NOT MET) {2}page under 16 ms of main-thread CPU per frame at p95 .*Chromium trace.*: CPU p95 [\d.]+ ms over \d+ frames$/,
      );
      expect(goals[1]).toMatch(
        /^(MET {4}|NOT MET) {2}page under 16 ms wall-clock per frame at p95 .*: wall-clock p95 [\d.]+ ms over \d+ frames$/,
      );
      expect(goals[2]).toMatch(
        /^(MET {4}|NOT MET) {2}daemon CPU for serving the page stays small .*% without the page → [\d.]+% with it$/,
      );
      expect(r.stdout).toContain('frame main-thread CPU p95 (ms)');
      const record = JSON.parse(readFileSync(out, 'utf8')) as {
        sections: { web: { data: { frames: number; forwards: number } } };
      };
      expect(record.sections.web.data.forwards).toBe(12);
      expect(record.sections.web.data.frames).toBeGreaterThan(0);
    },
  );
});

if (!ready)
  describe('bench web section', () => {
    it.skip('needs Chromium and a build', () => undefined);
  });
