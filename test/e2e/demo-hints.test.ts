// A newcomer runs `kubefwd demo` and types each command it suggests, as printed: every one must
// work with the clients Debian ships (curl, psql from postgresql-client, redis-cli from redis-tools).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, isBuilt, startCli, type CliProcess } from './cli-process.js';

const run = promisify(execFile);
const has = async (tool: string): Promise<boolean> =>
  run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
const missing = (
  await Promise.all(['curl', 'psql', 'redis-cli'].map(async (t) => ((await has(t)) ? undefined : t)))
).filter((t) => t !== undefined);
if (missing.length > 0)
  console.warn(`skipping the demo-hints test: ${missing.join(', ')} not installed (.ci/run installs them)`);
if (!isBuilt()) console.warn('skipping the demo-hints test: run `npm run build` first');

// A base of our own, so a parallel run of the suite does not collide with this one.
const IP_BASE = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 200) + 20}.1`;

describe.skipIf(missing.length > 0 || !isBuilt())('kubefwd demo: the printed hints work as printed', () => {
  let dir: string;
  let cli: CliProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubefwd-demo-hints-'));
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
    await writeFile(join(dir, 'fwd.yml'), `baseUnreservedIP: ${IP_BASE}\n`);
    cli = startCli(
      ['demo', '--hosts-path', join(dir, 'hosts'), '-z', join(dir, 'fwd.yml'), '--api-listen', '127.0.0.1:0'],
      { env: cliEnv(join(dir)) },
    );
  });
  afterAll(async () => {
    cli.kill('SIGTERM');
    await cli.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints curl, psql and redis-cli lines (by IP: the names are only in the temp hosts file); each succeeds', async () => {
    await cli.waitFor(/Try \(by IP[^\n]*\n(?: {2}\S[^\n]*\n){3}/, 60_000);
    const block = /Try \(by IP[^\n]*\n((?: {2}\S[^\n]*\n)+)/.exec(cli.stdout())![1]!;
    const hints = block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(hints.map((h) => h.split(' ')[0])).toEqual(['curl', 'psql', 'redis-cli']);
    expect(cli.stdout()).not.toMatch(/\bnc\b/);
    const expected: Record<string, RegExp> = {
      curl: /"pod":"api-gateway-/,
      psql: /Coffee mug[\s\S]*\(5 rows\)/,
      'redis-cli': /^PONG$/m,
    };
    for (const hint of hints) {
      expect(hint).toContain(IP_BASE.split('.').slice(0, 3).join('.'));
      const { stdout } = await run('sh', ['-c', hint], {
        timeout: 20_000,
        env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
      });
      expect(stdout, hint).toMatch(expected[hint.split(' ')[0]!]!);
    }
  });

  it('the printed kubectl line replaces the api-gateway pods; the curl hint answers from a new pod', async () => {
    if (!(await has('kubectl'))) {
      console.warn('skipping the pod-replacement hint: kubectl not installed');
      return;
    }
    const out = cli.stdout();
    const kubectl = /^ {2}(kubectl --kubeconfig \S+ -n shop delete pod -l app=api-gateway)$/m.exec(out)?.[1];
    expect(kubectl, out).toBeDefined();
    const curl = /^ {2}(curl \S+)$/m.exec(out)![1]!;
    const podOf = async () =>
      (JSON.parse((await run('sh', ['-c', curl], { timeout: 20_000 })).stdout) as { pod: string }).pod;
    const before = await podOf();
    await run('sh', ['-c', kubectl!], { timeout: 30_000 });
    // The same address answers again, from a pod that was not there before.
    const deadline = Date.now() + 20_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      after = await podOf().catch(() => before);
      if (after === before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after).not.toBe(before);
    expect(after).toMatch(/^api-gateway-/);
  });
});

describe.skipIf(!isBuilt())('kubefwd demo -n analytics: no hinted service, no promise of hints', () => {
  it('says where the cluster is and promises no commands to try', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubefwd-demo-nohints-'));
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
    const base = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 200) + 20}.1`;
    await writeFile(join(dir, 'fwd.yml'), `baseUnreservedIP: ${base}\n`);
    const demo = startCli(
      [
        'demo',
        '-n',
        'analytics',
        '--hosts-path',
        join(dir, 'hosts'),
        '-z',
        join(dir, 'fwd.yml'),
        '--api-listen',
        '127.0.0.1:0',
      ],
      { env: cliEnv(dir) },
    );
    try {
      await demo.waitFor(/API server running at/, 60_000);
      expect(demo.stdout()).toMatch(/Simulated cluster running at https:\/\/127\.0\.0\.1:\d+/);
      expect(demo.stdout()).not.toContain('commands to try');
    } finally {
      demo.kill('SIGTERM');
      await demo.exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
