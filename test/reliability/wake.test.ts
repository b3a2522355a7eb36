// After a sleep, the connections a laptop had are dead without a word: its NAT, VPN or Wi-Fi
// forgot them, and TCP notices only when it next sends. Here the real daemon reaches the simulated
// API server through a relay that forgets every connection open at that moment (new ones get
// through), a pod is replaced meanwhile (the daemon's watch, one of the forgotten connections,
// cannot tell it), and the daemon is stopped (SIGSTOP) for a few seconds and continued: a pause
// counts as a sleep (KUBEFWD_TEST_PAUSE_CHECK_MS lowers its threshold from 10 s to 1 s). kubefwd
// must prove every connection at once and watch the cluster again, so the forward is on the new pod
// and carries bytes well before its keep-alive alone (a PING every 10 s, dead after 30 s of
// silence) or the watch's own timeout (5–10 minutes) would have noticed anything.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { startDaemon, waitAllActive, type Daemon } from '../../bench/lib/daemon-harness.js';
import { echoRoundTrip } from '../../bench/lib/traffic.js';
import type { ApiClient } from '../../src/api/client/index.js';
import { randomIpBase } from '../support/addresses.js';
import { freezableRelay } from '../transport/support.js';

/** api-gateway, auth, kafka (+3 per-pod), legacy-db, postgres, redis. */
const FORWARDS = 9;
const STOPPED_MS = 4_000;
/** Well under the keep-alive's 30 s of silence: only the check after the pause can explain it. */
const REPAIRED_WITHIN_MS = 20_000;

describe('after a sleep, every connection is proved at once', () => {
  let sim: SimCluster;
  let relay: Awaited<ReturnType<typeof freezableRelay>>;
  let daemon: Daemon;
  let api: ApiClient;
  let dir: string;

  beforeAll(async () => {
    sim = await createSimCluster({ readyDelayMs: 50 });
    relay = await freezableRelay(sim.apiUrl);
    dir = mkdtempSync(join(tmpdir(), 'kubefwd-wake-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(sim.kubeconfigPath, 'utf8').split(sim.apiUrl).join(relay.url));
    daemon = startDaemon({
      kubeconfigPath: kubeconfig,
      ipBase: randomIpBase(),
      args: ['svc', '-n', 'shop'],
      env: { KUBEFWD_TEST_PAUSE_CHECK_MS: '1000' },
    });
    api = await daemon.api();
    await waitAllActive(api, FORWARDS, 30_000);
  }, 60_000);

  afterAll(async () => {
    daemon?.cleanup();
    await relay?.close();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // redis: its pod serves no other service (legacy-db's manual Endpoints name postgres's pod, and
  // would be stranded by its deletion, as on a real cluster).
  const redis = async () => {
    const { forwards } = await api.listForwards({ limit: 100 });
    const f = forwards.find((x) => x.serviceName === 'redis');
    if (!f) throw new Error('no redis forward');
    return f;
  };

  it('a pause whose connections survived (Ctrl-Z, then fg) cuts nothing: every PING answered, an open connection carries on', async () => {
    const f = await redis();
    const open = connect({ host: f.localIP, port: Number(f.localPort) });
    const echo = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        open.once('data', (d: Buffer) => resolve(d.toString()));
        open.once('error', reject);
        open.write(text);
      });
    try {
      expect(await echo('before')).toBe('before');
      const pid = daemon.child.pid!;
      process.kill(pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, STOPPED_MS));
      process.kill(pid, 'SIGCONT');
      const said =
        /kubefwd did not run for \d+s \(stopped, or starved of CPU\): proving (\d+) port-forward connections[\s\S]*every port-forward connection answered \((\d+)\)/;
      for (const until = Date.now() + 15_000; !said.test(daemon.output()) && Date.now() < until;)
        await new Promise((r) => setTimeout(r, 100));
      expect(daemon.output()).toMatch(said);
      expect(daemon.output()).not.toMatch(/lost connection|was dead|were dead/);
      expect(await echo('after')).toBe('after');
    } finally {
      open.destroy();
    }
  }, 60_000);

  it('re-dials the dead connections and follows the pod replaced while it slept', async () => {
    const before = await redis();
    expect((await echoRoundTrip(before.localIP, Number(before.localPort), 4096, 1)).kind).toBe('ok');

    // The laptop sleeps: every connection it has is forgotten on the way, and the pod is replaced.
    relay.freezeOpen();
    const pid = daemon.child.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await sim.control.deletePod('shop', before.podName);
      await new Promise((r) => setTimeout(r, STOPPED_MS));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const woke = Date.now();

    let after = before;
    let echoed = false;
    while (Date.now() - woke < REPAIRED_WITHIN_MS) {
      after = await redis();
      if (after.podName !== before.podName && after.status === 'Active') {
        echoed = (await echoRoundTrip(after.localIP, Number(after.localPort), 4096, 2, 5_000)).kind === 'ok';
        if (echoed) break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const repairedMs = Date.now() - woke;
    console.log(`wake: redis on pod ${after.podName} and echoing ${repairedMs} ms after SIGCONT`);
    // A forward whose pod stayed: its connection is dead too, so a new one waits for the check's
    // verdict (5 s) and is carried on a new connection — not after the keep-alive's 30 s and more.
    const postgres = (await api.listForwards({ limit: 100 })).forwards.find(
      (x) => x.serviceName === 'postgres',
    )!;
    const stayed = await echoRoundTrip(postgres.localIP, Number(postgres.localPort), 4096, 3, 12_000);
    expect(stayed.kind, `postgres (pod kept) echoes\n${daemon.output().slice(-4000)}`).toBe('ok');
    // The check's verdict comes once its PINGs had their time (5 s).
    const verdict = /\d+ of \d+ port-forward connections (was|were) dead after kubefwd did not run for/;
    for (const until = Date.now() + 10_000; !verdict.test(daemon.output()) && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 100));
    const out = daemon.output();
    expect(out).toMatch(
      /kubefwd did not run for \d+s \(stopped, or starved of CPU\): proving \d+ port-forward connections \(one per pod\) and watching the cluster again/,
    );
    expect(out).toMatch(verdict);
    expect(after.podName, `the forward follows the new pod\n${out.slice(-4000)}`).not.toBe(before.podName);
    expect(echoed, `redis echoes within ${REPAIRED_WITHIN_MS} ms of waking\n${out.slice(-4000)}`).toBe(true);
    // Every other forward is back too.
    await waitAllActive(api, FORWARDS, REPAIRED_WITHIN_MS);
  }, 60_000);
});
