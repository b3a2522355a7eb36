// `npm run soak -- --minutes 30 [--seed N] [--fault-every 30] [--op-every 7]`: the real daemon against
// the simulated cluster for a long time, with steady verified traffic, a fault at a fixed interval,
// and operations on single services mixed in (reconnect, remove + add back, forced sync) — also on
// services that share a pod with the ones carrying traffic (legacy-db → postgres's pod, kafka's
// pods → kafka-N.kafka). A connection closed while no fault was recent and no operation targeted
// its service is counted as "untargeted": one forward's operation must never cut another's.
// Prints throughput, reconnects, errors, RSS and open handles over time and ends with a verdict:
// RSS, open handles and the live heap are flat when their least-squares slope after the warm-up
// (bench/lib/slope.ts, a sample every 10 s) stays within RSS_LIMIT_MIB_PER_HOUR, FDS_LIMIT_PER_HOUR
// and LIVE_HEAP_LIMIT_MIB_PER_HOUR (issue 18).
// Not a test: it is too long for CI, and its figures depend on the machine.
import { createSimCluster } from '../src/sim/index.js';
import { hostsMap, readHosts, startDaemon, waitAllActive, waitForBlock } from './lib/daemon-harness.js';
import { afterWarmup, isFlat, slopePerHour } from './lib/slope.js';
import { echoRoundTrip, httpRoundTrip, prng, type Outcome } from './lib/traffic.js';
import { randomIpBase } from './lib/addresses.js';

/** Growth per hour still called flat: GC and connection churn move single samples more than this. */
const RSS_LIMIT_MIB_PER_HOUR = 20;
const FDS_LIMIT_PER_HOUR = 10;
/**
 * The live heap (V8's heap right after a full collection, from /api/v1/diagnostics) is what a leak
 * grows; RSS also follows the committed heap (heap-tuning.ts leaves room of 2x the live heap) and
 * the allocator, so RSS alone cannot tell a leak from a heap settling. The bounded histories
 * (events, reconnects, errors) fill during a 30-minute run and read 4 MiB/hour there (2026-12-07):
 * the limit leaves room for that, and a leak of more than 10 MiB/hour still fails.
 */
const LIVE_HEAP_LIMIT_MIB_PER_HOUR = 10;

interface Args {
  minutes: number;
  seed: number;
  faultEverySec: number;
  opEverySec: number;
  reportEverySec: number;
  sampleEverySec: number;
  verbose: boolean;
  ipBase: string;
}

const parseArgs = (argv: readonly string[]): Args => {
  const a: Args = {
    minutes: 30,
    seed: Date.now() % 1_000_000,
    faultEverySec: 30,
    opEverySec: 7,
    reportEverySec: 60,
    sampleEverySec: 10,
    verbose: false,
    ipBase: randomIpBase(),
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--verbose') {
      a.verbose = true;
      continue;
    }
    if (argv[i] === '--ip-base') {
      a.ipBase = argv[++i] ?? a.ipBase;
      continue;
    }
    const v = Number(argv[i + 1]);
    switch (argv[i]) {
      case '--minutes':
        a.minutes = v;
        break;
      case '--seed':
        a.seed = v;
        break;
      case '--fault-every':
        a.faultEverySec = v;
        break;
      case '--op-every':
        a.opEverySec = v;
        break;
      case '--report-every':
        a.reportEverySec = v;
        break;
      case '--sample-every':
        a.sampleEverySec = v;
        break;
      default:
        throw new Error(
          `unknown argument ${argv[i]} (use --minutes N --seed N --fault-every S --op-every S --report-every S --sample-every S --ip-base 127.x.27.1 --verbose)`,
        );
    }
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${argv[i]} needs a positive number`);
    i++;
  }
  return a;
};

const FAULTS = ['delete-pod', 'cut-streams', 'readiness-flip', 'restart-api', 'latency'] as const;
const OPS = ['reconnect', 'remove', 'sync'] as const;
/** Services operations pick from; the traffic runs on postgres, redis, kafka and kafka-0.kafka. */
const OP_SERVICES = ['postgres', 'legacy-db', 'redis', 'kafka', 'api-gateway', 'auth'] as const;
/** How long after a fault or an operation a close is put down to it. */
const BLAME_MS = 10_000;

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2));
  const rnd = prng(args.seed);
  console.log(`soak: ${args.minutes} min, seed ${args.seed}, a fault every ${args.faultEverySec} s`);
  const sim = await createSimCluster({ readyDelayMs: 100 });
  const daemon = startDaemon({
    kubeconfigPath: sim.kubeconfigPath,
    ipBase: args.ipBase,
    args: ['svc', '-n', 'shop', '-a'],
  });
  // Whatever happens, the daemon and the simulated cluster do not outlive the soak.
  try {
    const api = await daemon.api();
    await waitAllActive(api, 9, 60_000);
    const hosts = hostsMap(await waitForBlock(daemon));
    const ip = (name: string): string => {
      const v = hosts.get(name);
      if (v === undefined) throw new Error(`${name} not in hosts file`);
      return v;
    };
    const echoTargets = [
      { ip: ip('postgres'), port: 5432, service: 'postgres' },
      { ip: ip('redis'), port: 6379, service: 'redis' },
      { ip: ip('kafka'), port: 9092, service: 'kafka' },
      { ip: ip('kafka-0.kafka'), port: 9092, service: 'kafka' },
    ];
    const gateway = ip('api-gateway');

    const totals = { ok: 0, bytes: 0, closed: 0, mismatch: 0, hung: 0, faults: 0, ops: 0, untargeted: 0 };
    let lastFaultAt = 0;
    /** The recent operations: when, and which service. */
    const recentOps: { at: number; service: string; what: string }[] = [];
    let windowBytes = 0;
    let stopping = false;
    const t0 = Date.now();
    let lastFault = 'none';
    const stamp = (): string => `[${((Date.now() - t0) / 60_000).toFixed(2)} min]`;
    const record = (o: Outcome, target: string, service?: string, started = Date.now()): void => {
      // Anything but a cut connection is a defect: say where and after which fault.
      if (o.kind === 'mismatch' || o.kind === 'hung')
        console.log(`${stamp()} ${o.kind} on ${target} (last fault: ${lastFault})`);
      if (o.kind === 'closed' && service !== undefined) {
        // A close is a fault's doing when one was recent, an operation's when one targeted this
        // service since the round trip began; else no one targeted it: a defect.
        const since = Math.min(started, Date.now() - BLAME_MS);
        const targeted = recentOps.some((op) => op.at >= since && op.service === service);
        if (lastFaultAt < since && !targeted) {
          totals.untargeted++;
          const others = recentOps.filter((op) => op.at >= since).map((op) => op.what);
          console.log(
            `${stamp()} untargeted close on ${target} (${service}): ${o.reason}; operations meanwhile: ${others.join(', ') || 'none'}`,
          );
        }
      }
      if (o.kind === 'ok') {
        totals.ok++;
        totals.bytes += o.bytes;
        windowBytes += o.bytes;
      } else if (o.kind === 'closed') totals.closed++;
      else if (o.kind === 'mismatch') totals.mismatch++;
      else totals.hung++;
    };
    // Steady traffic: three echo workers (256 KiB round trips) and one HTTP worker.
    const workers = [
      ...echoTargets.map(async (t, w) => {
        for (let n = 0; !stopping; n++) {
          const started = Date.now();
          record(
            await echoRoundTrip(t.ip, t.port, 256 * 1024, args.seed + w * 1_000_003 + n),
            `${t.ip}:${t.port}`,
            t.service,
            started,
          );
        }
      }),
      (async () => {
        while (!stopping) record(await httpRoundTrip(gateway, 8080, 'api-gateway:8080'), `${gateway}:8080`);
      })(),
    ];

    const samples: { min: number; rssKiB: number; fds: number }[] = [];
    /** The daemon's own view of its memory, in MiB: the live heap once V8 has run a full collection. */
    const memory: { min: number; liveMiB?: number; heapTotalMiB: number; externalMiB: number }[] = [];
    const MiB = 1024 * 1024;
    const sample = (): { rssKiB: number; fds: number } => {
      const u = daemon.usage();
      const min = (Date.now() - t0) / 60_000;
      samples.push({ min, ...u });
      api.diagnostics().then(
        ({ process: p }) => {
          if (p)
            memory.push({
              min,
              ...(p.liveHeapBytes !== undefined ? { liveMiB: p.liveHeapBytes / MiB } : {}),
              heapTotalMiB: p.heapTotalBytes / MiB,
              externalMiB: p.externalBytes / MiB,
            });
        },
        () => undefined,
      );
      return u;
    };
    const start = sample();
    // Faults fall half an interval off the reports: a report taken at the instant of a fault showed
    // that fault's second (all forwards in Error while the API server restarts) as the state of
    // the minute (`active 0/9` with traffic flowing).
    let nextFault = t0 + (args.faultEverySec * 1000) / 2;
    let nextOp = t0 + args.opEverySec * 1000;
    let nextReport = t0 + args.reportEverySec * 1000;
    let nextSample = t0 + args.sampleEverySec * 1000;
    let lastReport = t0;
    console.log(
      '  min   MB/s   ok-round-trips  cut  untargeted  mismatch  hung  faults  ops  reconnects  RSS MiB  fds  active',
    );
    while (Date.now() - t0 < args.minutes * 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      if (!daemon.alive()) throw new Error(`daemon died:\n${daemon.output().slice(-4000)}`);
      const now = Date.now();
      if (now >= nextFault) {
        nextFault += args.faultEverySec * 1000;
        totals.faults++;
        const fault = FAULTS[Math.floor(rnd() * FAULTS.length)]!;
        // Only pods that back a forward (statsd is UDP-only and never forwarded).
        const pods = sim.control
          .pods('shop')
          .filter((p) => p.metadata.deletionTimestamp === undefined && !p.metadata.name.startsWith('statsd'));
        const pod = pods[Math.floor(rnd() * pods.length)];
        lastFault = `${fault}${pod && (fault === 'delete-pod' || fault === 'readiness-flip') ? ` ${pod.metadata.name}` : ''} at ${stamp()}`;
        if (args.verbose) console.log(`${stamp()} fault ${lastFault}`);
        lastFaultAt = Date.now();
        if (fault === 'delete-pod' && pod) await sim.control.deletePod('shop', pod.metadata.name);
        else if (fault === 'cut-streams') sim.control.cutStreams();
        else if (fault === 'readiness-flip' && pod) {
          sim.control.setPodReady('shop', pod.metadata.name, false);
          setTimeout(() => sim.control.setPodReady('shop', pod.metadata.name, true), 2000);
        } else if (fault === 'restart-api') await sim.control.restartApi();
        else if (fault === 'latency') {
          sim.control.setLatency(20);
          setTimeout(() => sim.control.setLatency(0), 5000);
        }
        // A fault's effects (a readiness flip, latency) last a few seconds beyond its start.
        lastFaultAt = Date.now() + 5000;
      }
      if (now >= nextOp) {
        nextOp += args.opEverySec * 1000;
        const op = OPS[Math.floor(rnd() * OPS.length)]!;
        const service = OP_SERVICES[Math.floor(rnd() * OP_SERVICES.length)]!;
        const key = `${service}.shop.sim`;
        const what = `${op} ${service} at ${stamp()}`;
        recentOps.push({ at: Date.now(), service, what });
        while (recentOps.length > 0 && recentOps[0]!.at < Date.now() - 60_000) recentOps.shift();
        totals.ops++;
        if (args.verbose) console.log(`${stamp()} operation ${what}`);
        try {
          if (op === 'reconnect') await api.reconnectService(key);
          else if (op === 'sync') await api.syncService(key, { force: true });
          else {
            await api.removeService(key);
            await api.addService({ namespace: 'shop', serviceName: service });
          }
        } catch (err) {
          console.log(
            `${stamp()} operation ${what} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        recentOps.push({ at: Date.now(), service, what });
      }
      if (now >= nextSample && now < nextReport) {
        nextSample += args.sampleEverySec * 1000;
        sample();
      }
      if (now >= nextReport) {
        nextReport += args.reportEverySec * 1000;
        nextSample = now + args.sampleEverySec * 1000;
        const u = sample();
        const fw = await api.listForwards({ limit: 1000 }).catch(() => ({ forwards: [] }));
        const reconnects = fw.forwards.reduce((s, f) => s + f.reconnects, 0);
        const active = fw.forwards.filter((f) => f.status === 'Active').length;
        const mbps = windowBytes / 1e6 / ((now - lastReport) / 1000);
        windowBytes = 0;
        lastReport = now;
        console.log(
          `${((now - t0) / 60_000).toFixed(1).padStart(5)} ${mbps.toFixed(1).padStart(6)} ${String(totals.ok).padStart(16)} ${String(totals.closed).padStart(4)} ${String(totals.untargeted).padStart(11)} ${String(totals.mismatch).padStart(9)} ${String(totals.hung).padStart(5)} ${String(totals.faults).padStart(7)} ${String(totals.ops).padStart(4)} ${String(reconnects).padStart(11)} ${(u.rssKiB / 1024).toFixed(0).padStart(8)} ${String(u.fds).padStart(4)} ${String(active).padStart(7)}/${fw.forwards.length}`,
        );
      }
    }
    stopping = true;
    sim.control.setLatency(0);
    await Promise.all(workers);
    // legacy-db's manual Endpoints name the first postgres pod; once that pod is replaced it waits for
    // good (as on a real cluster), so it is exempt from the final check.
    await waitAllActive(api, 9, 60_000, (key) => key.startsWith('legacy-db.'));
    await new Promise((r) => setTimeout(r, 3000));
    // Leaks show as a trend over the run after its warm-up, not as one sample against another; the
    // samples under traffic only (the last one, after it stopped, has fewer connections open).
    const steady = afterWarmup(samples, args.minutes);
    const end = sample();
    const rssTrend = slopePerHour(steady.map((s) => ({ min: s.min, value: s.rssKiB / 1024 })));
    const fdsTrend = slopePerHour(steady.map((s) => ({ min: s.min, value: s.fds })));
    const rssFlat = isFlat(rssTrend, RSS_LIMIT_MIB_PER_HOUR);
    const fdsFlat = isFlat(fdsTrend, FDS_LIMIT_PER_HOUR);
    const steadyMemory = afterWarmup(memory, args.minutes);
    const live = steadyMemory.flatMap((m) =>
      m.liveMiB !== undefined ? [{ min: m.min, value: m.liveMiB }] : [],
    );
    const liveTrend = slopePerHour(live);
    // Where else RSS can go: the committed heap, and memory outside the heap (buffers in flight).
    const trendOf = (pick: (m: (typeof memory)[number]) => number): number =>
      +slopePerHour(steadyMemory.map((m) => ({ min: m.min, value: pick(m) }))).perHour.toFixed(1);
    const liveFlat = isFlat(liveTrend, LIVE_HEAP_LIMIT_MIB_PER_HOUR);
    const mem0 = steadyMemory[0];
    const mem1 = steadyMemory.at(-1);
    const base = steady[0] ?? start;
    const maxRss = Math.max(...samples.map((s) => s.rssKiB));
    // The daemon keeps bounded histories (events, errors, reconnects); while they fill, its live heap
    // grows by design, and RSS with it (by the heap's growing factor): say how full they are.
    const history = await api.historyStats().catch(() => undefined);
    const stop = await daemon.stop('SIGTERM');
    const cleaned = !/# kubefwd begin/.test(readHosts(daemon));
    await sim.stop();
    daemon.cleanup();
    const verdictOk =
      rssFlat &&
      fdsFlat &&
      liveFlat &&
      totals.mismatch === 0 &&
      totals.untargeted === 0 &&
      totals.hung === 0 &&
      stop.code === 0 &&
      cleaned;
    const summary = {
      minutes: args.minutes,
      seed: args.seed,
      roundTrips: totals.ok,
      gigabytes: +(totals.bytes / 1e9).toFixed(2),
      avgMBps: +(totals.bytes / 1e6 / (args.minutes * 60)).toFixed(1),
      cutConnections: totals.closed,
      untargetedCloses: totals.untargeted,
      mismatches: totals.mismatch,
      operations: totals.ops,
      hung: totals.hung,
      faults: totals.faults,
      rssMiB: {
        start: +(start.rssKiB / 1024).toFixed(1),
        baseline: +(base.rssKiB / 1024).toFixed(1),
        max: +(maxRss / 1024).toFixed(1),
        end: +(end.rssKiB / 1024).toFixed(1),
      },
      fds: { start: start.fds, baseline: base.fds, end: end.fds },
      rssMiBPerHour: +rssTrend.perHour.toFixed(1),
      liveHeapMiBPerHour: +liveTrend.perHour.toFixed(1),
      heapCommittedMiBPerHour: trendOf((m) => m.heapTotalMiB),
      externalMiBPerHour: trendOf((m) => m.externalMiB),
      ...(mem0 && mem1
        ? {
            // Where RSS goes: the live heap, the committed heap around it, memory outside it.
            memoryMiB: {
              liveHeap: `${mem0.liveMiB?.toFixed(1) ?? '?'} → ${mem1.liveMiB?.toFixed(1) ?? '?'}`,
              heapCommitted: `${mem0.heapTotalMiB.toFixed(1)} → ${mem1.heapTotalMiB.toFixed(1)}`,
              external: `${mem0.externalMiB.toFixed(1)} → ${mem1.externalMiB.toFixed(1)}`,
            },
          }
        : {}),
      fdsPerHour: +fdsTrend.perHour.toFixed(1),
      trendSamples: rssTrend.samples,
      ...(history === undefined
        ? {}
        : {
            historyHeld: {
              events: `${Math.min(history.totalEvents, history.maxEvents)}/${history.maxEvents}`,
              errors: `${Math.min(history.totalErrors, history.maxErrors)}/${history.maxErrors}`,
              reconnects: `${Math.min(history.totalReconnects, history.maxReconnects)}/${history.maxReconnects}`,
            },
          }),
      exitCode: stop.code,
      hostsCleaned: cleaned,
      verdict: verdictOk ? 'PASS' : 'FAIL',
    };
    console.log(JSON.stringify(summary, null, 2));
    const line = (met: boolean, goal: string, detail: string): void =>
      console.log(`${met ? 'MET    ' : 'NOT MET'}  ${goal}: ${detail}`);
    const span = `over ${rssTrend.samples} samples after the warm-up`;
    line(
      rssFlat,
      `RSS flat (≤ ${RSS_LIMIT_MIB_PER_HOUR} MiB/hour)`,
      `${rssTrend.perHour.toFixed(1)} MiB/hour ${span}, ${summary.rssMiB.baseline} → ${summary.rssMiB.end} MiB`,
    );
    line(
      liveFlat,
      `live heap flat (≤ ${LIVE_HEAP_LIMIT_MIB_PER_HOUR} MiB/hour)`,
      `${liveTrend.perHour.toFixed(1)} MiB/hour over ${liveTrend.samples} samples after the warm-up, ${summary.memoryMiB?.liveHeap ?? 'no full collection seen'} MiB (committed heap ${summary.memoryMiB?.heapCommitted ?? '?'} MiB)`,
    );
    line(
      fdsFlat,
      `open handles flat (≤ ${FDS_LIMIT_PER_HOUR}/hour)`,
      `${fdsTrend.perHour.toFixed(1)} handles/hour ${span}, ${base.fds} → ${end.fds}`,
    );
    line(
      verdictOk,
      `${args.minutes}-minute soak`,
      `${totals.mismatch} mismatches, ${totals.untargeted} untargeted closes, ${totals.hung} hung, exit ${stop.code}, hosts ${cleaned ? 'cleaned' : 'NOT cleaned'}`,
    );
    process.exitCode = verdictOk ? 0 : 1;
  } finally {
    daemon.cleanup();
    await sim.stop();
  }
};

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
