// Bench section "clients": real servers and real clients from Debian through the forwards, as a
// user runs them (issue 18: "faster than kubectl with real clients"). redis-server and PostgreSQL
// sit behind a simulated pod (its containers proxy to them); `kubefwd svc` (the real daemon, the
// transport `auto` picks) and `kubectl port-forward svc/…` forward the two services, and
// redis-benchmark and pgbench run through each path and directly. Software we did not write at
// both ends: only the API server and the pod's proxy in between are ours, and kubectl goes
// through the same ones.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { hostsMap, startDaemon, waitAllActive, waitForBlock, type Daemon } from '../lib/daemon-harness.js';
import { cpuOf, forkWithHello, spawnUntil, stopChild } from '../lib/processes.js';
import { realServersUnavailable, startPostgres, startRedisServer } from '../lib/real-servers.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { kubectlPath, SimHandle, type SimHello } from '../lib/sim-handle.js';
import { median, ratioText, round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';
import { parsePgbench, parseRedisBenchmarkCsv } from './parse.js';
import { clientsYaml, NAMESPACE, POSTGRES_PORT, REDIS_PORT } from './workload-pod.js';
import { randomIpBase } from '../lib/addresses.js';

type PathName = 'direct' | 'kubefwd' | 'kubectl';

/** Where a path reaches the two servers, and whose CPU is the forwarding. */
interface Endpoint {
  redis: { host: string; port: number };
  postgres: { host: string; port: number };
  pids: number[];
  stop(): Promise<void>;
}

/** Runs a client to its end; rejects with its output when it fails. */
const runClient = (cmd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${String(code)}: ${out.slice(-400)}`)),
    );
  });

interface Workload {
  name: string;
  /** Runs once against a path; returns the rate and how many transactions it made. */
  run(ep: Endpoint): Promise<{ rate: number; transactions: number }>;
}

const workloads = (o: BenchOptions): Workload[] => {
  const seconds = String(o.settings.seconds ?? (o.quick ? 2 : 6));
  const requests = Number(o.settings.redisRequests ?? (o.quick ? 10_000 : 60_000));
  const pgbench = async (ep: Endpoint, extra: string[]): Promise<{ rate: number; transactions: number }> => {
    const { host, port } = ep.postgres;
    const out = await runClient('pgbench', [
      ...['-h', host, '-p', String(port), '-U', 'postgres', '-n', '-S', '-T', seconds],
      ...extra,
      'postgres',
    ]);
    const r = parsePgbench(out);
    if (r === undefined) throw new Error(`pgbench printed no result: ${out.slice(-400)}`);
    if (r.failed > 0) throw new Error(`pgbench: ${r.failed} transactions failed`);
    return { rate: r.tps, transactions: r.transactions };
  };
  return [
    {
      name: 'redis-benchmark GET, 50 connections (req/s)',
      run: async (ep) => {
        const { host, port } = ep.redis;
        const out = await runClient('redis-benchmark', [
          ...['-h', host, '-p', String(port), '-t', 'get', '-c', '50', '-n', String(requests), '--csv'],
        ]);
        const rate = parseRedisBenchmarkCsv(out).get('GET');
        if (rate === undefined) throw new Error(`redis-benchmark printed no GET rate: ${out.slice(-400)}`);
        return { rate, transactions: requests };
      },
    },
    {
      name: 'pgbench select-only, 8 connections (tps)',
      run: (ep) => pgbench(ep, ['-c', '8', '-j', '2']),
    },
    {
      name: 'pgbench -C select-only, a new connection per transaction (tps)',
      run: (ep) => pgbench(ep, ['-C', '-c', '1']),
    },
  ];
};

export const clientsSection: Section = {
  name: 'clients',
  description:
    'redis-benchmark and pgbench against real redis-server and PostgreSQL, through kubefwd svc and kubectl port-forward',
  async run(o: BenchOptions): Promise<SectionResult> {
    const unavailable = realServersUnavailable();
    if (unavailable !== undefined) {
      o.log(`clients: skipped — ${unavailable}`);
      return { data: { skipped: unavailable }, tables: [`clients: skipped — ${unavailable}`], goals: [] };
    }
    const rounds = Number(o.settings.trials ?? (o.quick ? 1 : 3));
    const stops: (() => Promise<void>)[] = [];
    const stopAll = async (): Promise<void> => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    };
    try {
      const redis = await startRedisServer();
      stops.push(() => redis.stop());
      const postgres = await startPostgres();
      stops.push(() => postgres.stop());
      const { child: simChild, hello: sim } = await forkWithHello<SimHello>(
        new URL('../lib/sim-child.js', import.meta.url),
        [],
      );
      stops.push(() => stopChild(simChild));
      const simHandle = new SimHandle(simChild);
      await simHandle.request({ cmd: 'apply', yaml: clientsYaml(redis.port, postgres.port) });
      await simHandle.request({ cmd: 'waitReady', namespace: NAMESPACE });

      const direct: Endpoint = {
        redis: { host: '127.0.0.1', port: redis.port },
        postgres: { host: '127.0.0.1', port: postgres.port },
        pids: [],
        stop: async () => undefined,
      };
      const startKubefwd = async (): Promise<Endpoint> => {
        const daemon: Daemon = startDaemon({
          kubeconfigPath: sim.kubeconfigPath,
          ipBase: randomIpBase(),
          args: ['svc', '-n', NAMESPACE],
        });
        const stop = async (): Promise<void> => {
          await daemon.stop();
          daemon.cleanup();
        };
        try {
          await waitAllActive(await daemon.api(), 2, 60_000);
          const hosts = hostsMap(await waitForBlock(daemon));
          const ip = (name: string): string => {
            const v = hosts.get(name);
            if (v === undefined) throw new Error(`${name} is not in kubefwd's hosts block`);
            return v;
          };
          return {
            redis: { host: ip('redis'), port: REDIS_PORT },
            postgres: { host: ip('postgres'), port: POSTGRES_PORT },
            pids: daemon.child.pid === undefined ? [] : [daemon.child.pid],
            stop,
          };
        } catch (err) {
          await stop();
          throw err;
        }
      };
      const startKubectl = async (): Promise<Endpoint> => {
        const forward = async (service: string, port: number) => {
          const { child, matches } = await spawnUntil(
            'kubectl',
            [
              '--kubeconfig',
              sim.kubeconfigPath,
              'port-forward',
              '-n',
              NAMESPACE,
              `svc/${service}`,
              `:${port}`,
            ],
            /Forwarding from 127\.0\.0\.1:(\d+) ->/,
            1,
            60_000,
          );
          return { child, port: Number(matches[0]?.[1]) };
        };
        const r = await forward('redis', REDIS_PORT);
        const p = await forward('postgres', POSTGRES_PORT).catch(async (err: unknown) => {
          await stopChild(r.child);
          throw err;
        });
        return {
          redis: { host: '127.0.0.1', port: r.port },
          postgres: { host: '127.0.0.1', port: p.port },
          // One kubectl per service, as a user runs them; each workload uses one of them.
          pids: [r.child.pid, p.child.pid].filter((x): x is number => x !== undefined),
          stop: async () => {
            await stopChild(r.child);
            await stopChild(p.child);
          },
        };
      };

      const paths: { name: PathName; ep: Endpoint }[] = [{ name: 'direct', ep: direct }];
      o.log('clients: kubefwd svc');
      const kubefwd = await startKubefwd();
      stops.push(() => kubefwd.stop());
      paths.push({ name: 'kubefwd', ep: kubefwd });
      let kubectlNote: string | undefined;
      if (kubectlPath() === undefined) kubectlNote = 'kubectl not installed: skipped';
      else {
        o.log('clients: kubectl port-forward');
        const kubectl = await startKubectl();
        stops.push(() => kubectl.stop());
        paths.push({ name: 'kubectl', ep: kubectl });
      }

      const list = workloads(o);
      // Warm-up: every path's connections made, code compiled, server caches filled.
      for (const p of paths) for (const w of list) await w.run(p.ep).catch(() => undefined);

      const rows: {
        workload: string;
        rates: Partial<Record<PathName, number>>;
        cpuMsPer1k: Partial<Record<PathName, number>>;
        error?: string;
      }[] = [];
      for (const w of list) {
        o.log(`clients: ${w.name}`);
        const rates = new Map<PathName, number[]>();
        const cpu = new Map<PathName, { seconds: number; transactions: number }>();
        let error: string | undefined;
        // Interleaved, the order rotated each round, so the machine's drift spreads over the paths.
        for (let k = 0; k < rounds && error === undefined; k++)
          for (let i = 0; i < paths.length; i++) {
            const p = paths[(i + k) % paths.length]!;
            const cpu0 = cpuOf(p.ep.pids);
            try {
              const r = await w.run(p.ep);
              const cpu1 = cpuOf(p.ep.pids);
              rates.set(p.name, [...(rates.get(p.name) ?? []), r.rate]);
              if (cpu0 !== undefined && cpu1 !== undefined) {
                const c = cpu.get(p.name) ?? { seconds: 0, transactions: 0 };
                cpu.set(p.name, {
                  seconds: c.seconds + cpu1 - cpu0,
                  transactions: c.transactions + r.transactions,
                });
              }
            } catch (err) {
              error = `${p.name}: ${err instanceof Error ? err.message : String(err)}`;
              break;
            }
          }
        rows.push({
          workload: w.name,
          rates: Object.fromEntries([...rates].map(([p, xs]) => [p, round(median(xs))])),
          cpuMsPer1k: Object.fromEntries(
            [...cpu].map(([p, c]) => [p, round((c.seconds * 1e6) / Math.max(1, c.transactions), 1)]),
          ),
          ...(error === undefined ? {} : { error }),
        });
      }

      const table = renderTable(
        `Real servers and clients (Debian's redis-server, PostgreSQL, redis-benchmark, pgbench), median of ${rounds}; CPU = the forwarding process's, per 1,000 transactions; ${cpus().length} cores shared by everything`,
        [
          'workload',
          'direct',
          'kubefwd',
          'kubectl',
          'kubefwd vs kubectl',
          'CPU ms/1k kubefwd',
          'CPU ms/1k kubectl',
        ],
        rows.map((r) => [
          r.workload + (r.error === undefined ? '' : ` (failed: ${r.error})`),
          r.rates.direct,
          r.rates.kubefwd,
          r.rates.kubectl ?? kubectlNote,
          ratioText(r.rates.kubefwd, r.rates.kubectl),
          r.cpuMsPer1k.kubefwd,
          r.cpuMsPer1k.kubectl,
        ]),
      );
      const goals: NonNullable<SectionResult['goals']> = [];
      const goal = (row: (typeof rows)[number] | undefined, what: string): void => {
        const ours = row?.rates.kubefwd;
        const theirs = row?.rates.kubectl;
        if (ours === undefined || theirs === undefined) return;
        goals.push({
          goal: `${what} through kubefwd >= kubectl`,
          met: ours >= theirs,
          detail: `${ours} vs ${theirs} (${ratioText(ours, theirs)})`,
        });
      };
      goal(rows[0], 'redis-benchmark GET rate');
      goal(rows[1], 'pgbench select-only tps');
      // Not the transport section's 1.2x: here PostgreSQL's own start of a backend per connection
      // (~16 ms on the bench machine, direct) dominates what any forward adds.
      goal(rows[2], 'pgbench -C tps (a new connection per transaction)');
      return { data: { rounds, rows }, tables: [table], goals };
    } finally {
      await stopAll();
    }
  },
};
