// Crash safety of the hosts file: SIGKILL the daemon at seeded random moments while it writes (a
// test hook pauses each write between "new content written" and "file replaced"), and prove every
// read of the file — during the run and after the kill — is the old or the new content, never
// truncated or mixed; the next start removes the stale block; a second daemon on the same file
// refuses instead of corrupting it. Reproduce with KUBEFWD_CRASH_SEED=<seed printed below>.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { readHosts, startDaemon, waitAllActive, type Daemon } from '../../bench/lib/daemon-harness.js';
import { prng } from '../../bench/lib/traffic.js';
import { randomIpBase } from '../support/addresses.js';

const BASE_A = randomIpBase();
const BASE_B = randomIpBase();
const BASE_C = randomIpBase();

const FOREIGN = '# managed by corp\r\n127.0.0.1 localhost\n::1 ip6-localhost\n10.9.8.7 build.corp';
const SEED = Number(process.env.KUBEFWD_CRASH_SEED ?? Math.floor(Math.random() * 1_000_000));

/** Old content, or the old content plus exactly one complete kubefwd block: nothing else. */
const wellFormed = (text: string): boolean => {
  if (text === FOREIGN) return true;
  const m =
    /(?:\r?\n)?# kubefwd begin (\S+)\r?\n(?:127\.\d+\.\d+\.\d+( [a-z0-9.-]+)+\r?\n)*# kubefwd end \1\r?\n?/.exec(
      text,
    );
  if (!m) return false;
  const rest = text.replace(m[0], '');
  return rest === FOREIGN || rest + '\n' === FOREIGN || rest === FOREIGN + '\n';
};

describe('hosts file crash safety', () => {
  let sim: SimCluster;
  const daemons: Daemon[] = [];

  beforeAll(async () => {
    console.log(`crash seed ${SEED} (set KUBEFWD_CRASH_SEED=${SEED} to replay)`);
    sim = await createSimCluster({ readyDelayMs: 30 });
  });
  afterAll(async () => {
    for (const d of daemons) d.cleanup();
    await sim?.stop();
  });

  it('is always the old or the new content, across SIGKILLs mid-write, and the next start repairs it', async () => {
    const rnd = prng(SEED);
    const first = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: BASE_A,
      args: ['svc', '-n', 'shop'],
      hostsContent: FOREIGN,
      env: { KUBEFWD_TEST_HOSTS_WRITE_DELAY_MS: '150' },
    });
    daemons.push(first);
    const { dir, hostsPath } = first;
    const reads: string[] = [];
    let daemon = first;
    for (let round = 0; round < 6; round++) {
      if (round > 0) {
        daemon = startDaemon({
          kubeconfigPath: sim.kubeconfigPath,
          ipBase: BASE_A,
          args: ['svc', '-n', 'shop'],
          dir,
          env: { KUBEFWD_TEST_HOSTS_WRITE_DELAY_MS: '150' },
        });
        daemons.push(daemon);
      }
      // Kill at a moment that matters: while a write is paused between "temp written" and
      // "renamed" (mid-write), right after a block landed, or at a seeded random moment.
      const mode = (['mid-write', 'after-commit', 'random'] as const)[round % 3]!;
      const randomMs = 100 + Math.floor(rnd() * 900);
      const t0 = Date.now();
      let triggeredAt = -1;
      while (daemon.alive() && Date.now() - t0 < 20_000) {
        const text = readFileSync(hostsPath, 'utf8');
        reads.push(text);
        const midWrite = readdirSync(dir).some((n) => n.includes(`.kubefwd-${daemon.child.pid}-`));
        if (
          (mode === 'mid-write' && midWrite) ||
          (mode === 'after-commit' && text.includes('# kubefwd end')) ||
          (mode === 'random' && Date.now() - t0 >= randomMs)
        ) {
          triggeredAt = Date.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await daemon.stop('SIGKILL');
      const after = readFileSync(hostsPath, 'utf8');
      reads.push(after);
      console.log(
        `round ${round}: SIGKILL ${mode} at ${triggeredAt} ms → ${after === FOREIGN ? 'old content' : 'content with a block'}`,
      );
      expect(triggeredAt, `round ${round} reached its kill point`).toBeGreaterThanOrEqual(0);
      if (mode === 'after-commit') expect(after).toContain('# kubefwd end');
      expect(wellFormed(after), `after SIGKILL in round ${round}:\n${after}`).toBe(true);
    }
    const bad = reads.filter((t) => !wellFormed(t));
    expect(bad, 'every read during the run was old or new content').toEqual([]);

    // A normal start removes whatever block a killed run left, and a clean stop leaves the old content.
    const healer = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: BASE_A,
      args: ['svc', '-n', 'shop'],
      dir,
    });
    daemons.push(healer);
    await waitAllActive(await healer.api(), 9, 30_000);
    while (!readHosts(healer).includes('# kubefwd end')) await new Promise((r) => setTimeout(r, 20));
    const healed = readHosts(healer);
    expect(healed.match(/# kubefwd begin /g)?.length, 'exactly one block').toBe(1);
    expect(wellFormed(healed)).toBe(true);
    expect((await healer.stop('SIGTERM')).code).toBe(0);
    expect(readFileSync(hostsPath, 'utf8')).toBe(FOREIGN);
    // Temp files of killed writes are not left to pile up next to the hosts file.
    const strays = readdirSync(dir).filter((n) => n.includes('.kubefwd-') && n.endsWith('.tmp'));
    expect(strays, 'temp files of killed writes are cleaned up').toEqual([]);
  }, 120_000);

  it('a second daemon on the same hosts file refuses and leaves the file alone', async () => {
    const a = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: BASE_B,
      args: ['svc', '-n', 'shop'],
      hostsContent: FOREIGN,
    });
    daemons.push(a);
    await waitAllActive(await a.api(), 9, 30_000);
    // Hosts writes are batched: wait for the block itself, not only for Active forwards.
    while (!readHosts(a).includes('# kubefwd end')) await new Promise((r) => setTimeout(r, 20));
    const before = readHosts(a);
    const c = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: BASE_C,
      args: ['svc', '-n', 'analytics'],
      hostsPath: a.hostsPath,
    });
    daemons.push(c);
    const exit = await c.exited;
    expect(exit.code).not.toBe(0);
    expect(c.output()).toMatch(/another kubefwd/i);
    expect(readHosts(a)).toBe(before);
    expect((await a.stop('SIGTERM')).code).toBe(0);
    expect(readHosts(a)).toBe(FOREIGN);
  }, 90_000);
});
