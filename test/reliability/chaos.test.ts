// Chaos: the real daemon forwards the sample namespace while verified traffic flows through every
// echo service and a seeded schedule of faults hits the simulated cluster. After each fault every
// forward must be Active again within a bound and carry byte-exact data on new connections; cut
// connections must close (never hang, never deliver wrong bytes); the hosts file must always parse
// with only our block changing; the daemon must survive and its handles return to baseline.
// Reproduce a failure with KUBEFWD_CHAOS_SEED=<seed printed below>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import {
  hostsMap,
  readHosts,
  startDaemon,
  waitAllActive,
  type Daemon,
} from '../../bench/lib/daemon-harness.js';
import { echoRoundTrip, httpRoundTrip, prng, type Outcome } from '../../bench/lib/traffic.js';
import type { ApiClient } from '../../src/api/client/index.js';
import { randomIpBase } from '../support/addresses.js';

const FOREIGN = '127.0.0.1\tlocalhost\r\n# corporate entries\r\n10.1.2.3 wiki.corp\n';
const SEED = Number(process.env.KUBEFWD_CHAOS_SEED ?? Math.floor(Math.random() * 1_000_000));
const FORWARDS = 9; // api-gateway, auth, kafka (+3 per-pod), legacy-db, postgres, redis
const RECOVERY_MS = 20_000;
const ECHO = [
  { name: 'postgres', port: 5432 },
  { name: 'redis', port: 6379 },
  { name: 'kafka', port: 9092 },
  { name: 'kafka-1.kafka', port: 9092 },
  { name: 'legacy-db', port: 5432 },
];
const REDIS_SERVICE = `apiVersion: v1
kind: Service
metadata: { name: redis, namespace: shop, labels: { app: redis } }
spec:
  selector: { app: redis }
  ports: [{ name: redis, port: 6379, targetPort: 6379, protocol: TCP }]
`;

type Fault = 'delete-pod' | 'readiness-flip' | 'cut-streams' | 'latency' | 'restart-api' | 'recreate-service';
const KINDS: Fault[] = [
  'delete-pod',
  'readiness-flip',
  'cut-streams',
  'latency',
  'restart-api',
  'recreate-service',
];

/** Every fault kind once, in a seeded order, plus two seeded extras. */
const schedule = (rnd: () => number): Fault[] => {
  const list = [...KINDS, KINDS[Math.floor(rnd() * KINDS.length)]!, KINDS[Math.floor(rnd() * KINDS.length)]!];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
};

/** The hosts file must be the foreign content plus exactly one well-formed kubefwd block. */
const checkHosts = (text: string): void => {
  const m = /# kubefwd begin (\S+)\r?\n([\s\S]*?)# kubefwd end \1\r?\n/.exec(text);
  expect(m, 'kubefwd block present').not.toBeNull();
  expect(text.replace(m![0], ''), 'content outside the block is untouched').toBe(FOREIGN);
  for (const line of m![2]!.split('\n').filter((l) => l.trim() !== '')) {
    expect(line, 'block line is "ip name..."').toMatch(/^127\.\d+\.\d+\.\d+( [a-z0-9.-]+)+\r?$/);
  }
};

describe('chaos: faults under verified traffic', () => {
  let sim: SimCluster;
  let daemon: Daemon;
  let api: ApiClient;

  beforeAll(async () => {
    console.log(`chaos seed ${SEED} (set KUBEFWD_CHAOS_SEED=${SEED} to replay)`);
    sim = await createSimCluster({ readyDelayMs: 50 });
    daemon = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: randomIpBase(),
      args: ['svc', '-n', 'shop', '-a'],
      hostsContent: FOREIGN,
    });
    api = await daemon.api();
    await waitAllActive(api, FORWARDS, 30_000);
  }, 60_000);

  afterAll(async () => {
    daemon?.cleanup();
    await sim?.stop();
  });

  it('recovers from every fault with byte-exact data and no hung connections', async () => {
    const rnd = prng(SEED);
    const faults = schedule(rnd);
    console.log(`chaos schedule: ${faults.join(', ')}`);
    let ips = hostsMap(readHosts(daemon));
    const ipOf = (name: string): string => {
      const ip = ips.get(name);
      if (ip === undefined) throw new Error(`${name} missing from the hosts file`);
      return ip;
    };

    // Warm up, then take the handle baseline.
    for (const t of ECHO) expect((await echoRoundTrip(ipOf(t.name), t.port, 4096, 1)).kind).toBe('ok');
    const baseline = daemon.usage();

    const outcomes: Outcome[] = [];
    let stop = false;
    const workers = ECHO.map(async (t, w) => {
      for (let n = 0; !stop; n++) {
        const ip = ips.get(t.name);
        if (ip === undefined) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        outcomes.push(await echoRoundTrip(ip, t.port, 64 * 1024, SEED + w * 7919 + n));
      }
    });

    for (const [i, fault] of faults.entries()) {
      // Only pods that back a forward (statsd is UDP-only and never forwarded). Deleting the postgres
      // pod would strand legacy-db for good: its manual Endpoints name that pod, as on a real cluster.
      const pods = sim.control
        .pods('shop')
        .filter(
          (p) =>
            p.metadata.deletionTimestamp === undefined &&
            !p.metadata.name.startsWith('statsd') &&
            !(fault === 'delete-pod' && p.metadata.name.startsWith('postgres')),
        );
      const pod = pods[Math.floor(rnd() * pods.length)]!.metadata.name;
      const undo: (() => void)[] = [];
      switch (fault) {
        case 'delete-pod':
          await sim.control.deletePod('shop', pod);
          break;
        case 'readiness-flip':
          sim.control.setPodReady('shop', pod, false);
          undo.push(() => sim.control.setPodReady('shop', pod, true));
          break;
        case 'cut-streams':
          sim.control.cutStreams();
          break;
        case 'latency':
          sim.control.setLatency(30);
          undo.push(() => sim.control.setLatency(0));
          break;
        case 'restart-api':
          await sim.control.restartApi();
          break;
        case 'recreate-service': {
          await sim.control.deleteObject('Service', 'shop', 'redis');
          const t0 = Date.now();
          while ((await api.listServices({ limit: 1000 })).services.some((s) => s.serviceName === 'redis')) {
            if (Date.now() - t0 > RECOVERY_MS) throw new Error('deleted service still forwarded');
            await new Promise((r) => setTimeout(r, 50));
          }
          await sim.control.apply(REDIS_SERVICE);
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
      for (const u of undo) u();
      const { ms } = await waitAllActive(api, FORWARDS, RECOVERY_MS);
      ips = hostsMap(readHosts(daemon));
      console.log(
        `fault ${i + 1}/${faults.length} ${fault}${fault.includes('pod') || fault.includes('readiness') ? ` (${pod})` : ''}: all Active again after ${ms} ms`,
      );
      // New connections after recovery carry byte-exact data.
      for (const t of ECHO) {
        const o = await echoRoundTrip(ipOf(t.name), t.port, 32 * 1024, SEED + i, 10_000);
        expect(o, `${t.name} after ${fault}`).toMatchObject({ kind: 'ok' });
      }
      expect((await httpRoundTrip(ipOf('api-gateway'), 8080, 'api-gateway:8080')).kind).toBe('ok');
      checkHosts(readHosts(daemon));
      expect(daemon.alive(), 'daemon still running').toBe(true);
    }

    stop = true;
    await Promise.all(workers);
    const count = (k: Outcome['kind']): number => outcomes.filter((o) => o.kind === k).length;
    console.log(
      `chaos traffic: ${count('ok')} verified round trips, ${count('closed')} cut with a reason, ${count('mismatch')} mismatched, ${count('hung')} hung`,
    );
    expect(count('mismatch'), 'no wrong bytes ever').toBe(0);
    expect(count('hung'), 'no connection left hanging').toBe(0);
    expect(count('ok')).toBeGreaterThan(faults.length);

    // Handles return to baseline once the faults are over (sessions replaced, not leaked).
    await new Promise((r) => setTimeout(r, 1500));
    const end = daemon.usage();
    console.log(`daemon handles ${baseline.fds} → ${end.fds}, RSS ${baseline.rssKiB} → ${end.rssKiB} KiB`);
    expect(end.fds).toBeLessThanOrEqual(baseline.fds + 12);
    expect(end.rssKiB).toBeLessThan(baseline.rssKiB * 2 + 64 * 1024);

    // A clean stop removes exactly our block.
    const exit = await daemon.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(readHosts(daemon)).toBe(FOREIGN);
  }, 150_000);
});
