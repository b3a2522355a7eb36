// kubefwd's promise is "reach your services by name": `psql -h postgres`, `curl http://web:8080`.
// Every other test reads the addresses out of kubefwd's hosts file itself; here the names are
// resolved by software we did not write — glibc's resolver (getent, and the getaddrinfo of psql,
// redis-cli and curl) reading /etc/hosts through nsswitch — without touching the machine's
// /etc/hosts: a private mount namespace (util-linux unshare) binds the test's hosts file over
// /etc/hosts, and kubefwd and the clients run inside it (nsenter). The test's file is also bound
// onto itself there, so it is a mount point as Docker's /etc/hosts is: it cannot be renamed over,
// and kubefwd must rewrite it in place (the inode stays) for the bound /etc/hosts to see its block.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsYaml, NAMESPACE, POSTGRES_PORT, REDIS_PORT } from '../../bench/clients/workload-pod.js';
import {
  hostsMap,
  startDaemon,
  waitAllActive,
  waitForBlock,
  type Daemon,
} from '../../bench/lib/daemon-harness.js';
import {
  realServersUnavailable,
  startPostgres,
  startRedisServer,
  type RealServer,
} from '../../bench/lib/real-servers.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { randomIpBase } from '../support/addresses.js';
import { isBuilt } from './cli-process.js';

const run = promisify(execFile);
const MACHINE_HOSTS = '/etc/hosts';
const WEB_PORT = 8080;

// Binds $1 onto itself and over /etc/hosts in a new, private mount namespace, then stays there
// (sleep) so kubefwd and the clients can join it. Nothing runs if either bind fails.
const HOLDER_SCRIPT = 'mount --bind "$1" "$1" && mount --bind "$1" /etc/hosts && exec sleep 600';

const namespacesUnavailable = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root (mount namespaces)';
  const probe = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind /dev/null /etc/hosts && true'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error) return `unshare not available (${probe.error.message})`;
  if (probe.status !== 0) return `cannot bind-mount in a new mount namespace: ${probe.stderr.trim()}`;
  return spawnSync('nsenter', ['--version']).error ? 'nsenter not available' : undefined;
};

const unavailable =
  realServersUnavailable() ??
  (isBuilt() ? undefined : 'not built (npm run build)') ??
  namespacesUnavailable() ??
  (spawnSync('curl', ['--version']).error ? 'curl not installed' : undefined);
if (unavailable !== undefined)
  console.warn(`skipping the system-resolver test: ${unavailable} (.ci/run installs what it needs)`);

const webYaml = `
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${NAMESPACE}, labels: { app: web } }
spec:
  containers: [{ name: web, image: nginx, ports: [{ containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NAMESPACE} }
spec:
  selector: { app: web }
  ports: [{ name: http, port: ${WEB_PORT}, targetPort: 80 }]
`;

describe.skipIf(unavailable !== undefined)('names resolved by the system resolver (glibc, nsswitch)', () => {
  let redis: RealServer;
  let postgres: RealServer;
  let sim: SimCluster;
  let holder: ChildProcess;
  let daemon: Daemon;
  let machineHostsBefore: string;
  let dir: string;
  let hostsPath: string;
  let hostsBefore: string;
  let inodeBefore: number;
  let names: Map<string, string>;
  /** Runs a command inside the namespace whose /etc/hosts is the test's file. */
  const inside = (command: string, args: string[]) =>
    run('nsenter', ['-t', String(holder.pid), '-m', '--', command, ...args], {
      timeout: 20_000,
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    });

  beforeAll(async () => {
    machineHostsBefore = readFileSync(MACHINE_HOSTS, 'utf8');
    redis = await startRedisServer();
    postgres = await startPostgres();
    sim = await createSimCluster({ scenario: 'empty', readyDelayMs: 10 });
    await sim.control.apply(clientsYaml(redis.port, postgres.port) + '---' + webYaml);
    // The daemon's directory and hosts file exist before it starts, so the namespace can bind it.
    dir = mkdtempSync(join(tmpdir(), 'kubefwd-resolver-'));
    hostsPath = join(dir, 'hosts');
    writeFileSync(hostsPath, '127.0.0.1 localhost\n');
    hostsBefore = readFileSync(hostsPath, 'utf8');
    inodeBefore = statSync(hostsPath).ino;
    holder = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOLDER_SCRIPT, 'sh', hostsPath],
      {
        stdio: 'ignore',
      },
    );
    // Joined only once /etc/hosts inside is the test's file.
    for (let i = 0; ; i++) {
      const { stdout } = await inside('cat', ['/etc/hosts']).catch(() => ({ stdout: '' }));
      if (stdout === hostsBefore && stdout !== machineHostsBefore) break;
      if (i > 100) throw new Error('the mount namespace never showed the test hosts file at /etc/hosts');
      await new Promise((r) => setTimeout(r, 50));
    }
    daemon = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: randomIpBase(),
      args: ['svc', '-n', NAMESPACE],
      dir,
      launcher: ['nsenter', '-t', String(holder.pid), '-m', '--'],
    });
    await waitAllActive(await daemon.api(), 3, 30_000);
    names = hostsMap(await waitForBlock(daemon));
  }, 90_000);

  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    holder?.kill('SIGKILL');
    await sim?.stop();
    await redis?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // The machine's own hosts file never saw any of this.
    expect(readFileSync(MACHINE_HOSTS, 'utf8')).toBe(machineHostsBefore);
  }, 60_000);

  it('rewrites a hosts file that is a mount point in place, so the bound /etc/hosts shows the block', async () => {
    expect(statSync(daemon.hostsPath).ino).toBe(inodeBefore);
    const { stdout } = await inside('cat', ['/etc/hosts']);
    expect(stdout).toContain('# kubefwd');
    expect(stdout).toBe(readFileSync(daemon.hostsPath, 'utf8'));
  });

  it('every name kubefwd wrote resolves to its address through nsswitch', async () => {
    const ours = [...names].filter(([, ip]) => ip !== '127.0.0.1');
    // The short names and the namespace-qualified and cluster-domain forms, for each service.
    for (const svc of ['redis', 'postgres', 'web'])
      for (const name of [svc, `${svc}.${NAMESPACE}`, `${svc}.${NAMESPACE}.svc.cluster.local`])
        expect(names.has(name), `${name} in the block`).toBe(true);
    const { stdout } = await inside('getent', ['hosts', ...ours.map(([name]) => name)]);
    const resolved = stdout.trim().split('\n');
    expect(resolved).toHaveLength(ours.length);
    ours.forEach(([name, ip], i) => expect(resolved[i]?.split(/\s+/)[0], name).toBe(ip));
  });

  it('psql, redis-cli and curl reach the services by name', async () => {
    const psql = await inside('psql', [
      '-h',
      'postgres',
      '-p',
      String(POSTGRES_PORT),
      '-U',
      'postgres',
      '-At',
      '-c',
      'select 6 * 7',
      'postgres',
    ]);
    expect(psql.stdout).toBe('42\n');
    const redisCli = await inside('redis-cli', [
      '-h',
      `redis.${NAMESPACE}`,
      '-p',
      String(REDIS_PORT),
      'PING',
    ]);
    expect(redisCli.stdout).toBe('PONG\n');
    const curl = await inside('curl', [
      '-sS',
      '--max-time',
      '10',
      `http://web.${NAMESPACE}.svc.cluster.local:${WEB_PORT}/`,
    ]);
    expect(curl.stdout).toContain('"pod":"web"');
  });

  it('after kubefwd stops, the names no longer resolve and the file is as it was', async () => {
    await daemon.stop();
    // getent exits 2 when a key is not found.
    await expect(inside('getent', ['hosts', 'postgres'])).rejects.toMatchObject({ code: 2 });
    expect(readFileSync(daemon.hostsPath, 'utf8')).toBe(hostsBefore);
    expect(statSync(daemon.hostsPath).ino).toBe(inodeBefore);
  });
});
