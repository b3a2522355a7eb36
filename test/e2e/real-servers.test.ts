// Real servers and real clients at both ends of `kubefwd svc`, none of them ours: Debian's
// redis-server and PostgreSQL behind a simulated pod, redis-cli, redis-benchmark, psql and pgbench
// through the forwards by the addresses kubefwd wrote to its hosts file. What reaches the server
// is checked on the server directly. (The bench's `clients` section measures the same set-up.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePgbench, parseRedisBenchmarkCsv } from '../../bench/clients/parse.js';
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
const unavailable = realServersUnavailable() ?? (isBuilt() ? undefined : 'not built (npm run build)');
if (unavailable !== undefined)
  console.warn(`skipping the real-servers test: ${unavailable} (.ci/run installs them)`);

describe.skipIf(unavailable !== undefined)('kubefwd svc with real servers and clients from Debian', () => {
  let redis: RealServer;
  let postgres: RealServer;
  let sim: SimCluster;
  let daemon: Daemon;
  let redisIp: string;
  let postgresIp: string;
  const psql = (host: string, port: number, sql: string) =>
    run('psql', ['-h', host, '-p', String(port), '-U', 'postgres', '-At', '-c', sql, 'postgres'], {
      timeout: 20_000,
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    });

  beforeAll(async () => {
    redis = await startRedisServer();
    postgres = await startPostgres();
    sim = await createSimCluster({ scenario: 'empty', readyDelayMs: 10 });
    await sim.control.apply(clientsYaml(redis.port, postgres.port));
    daemon = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase: randomIpBase(),
      args: ['svc', '-n', NAMESPACE],
    });
    await waitAllActive(await daemon.api(), 2, 30_000);
    const hosts = hostsMap(await waitForBlock(daemon));
    redisIp = hosts.get('redis')!;
    postgresIp = hosts.get('postgres')!;
  }, 90_000);

  afterAll(async () => {
    await daemon?.stop();
    daemon?.cleanup();
    await sim?.stop();
    await redis?.stop();
    await postgres?.stop();
  }, 60_000);

  it('writes the services to the hosts file', () => {
    expect(redisIp).toMatch(/^127\./);
    expect(postgresIp).toMatch(/^127\./);
    expect(postgresIp).not.toBe(redisIp);
  });

  it('redis-cli and redis-benchmark through the forward; the keys are on the real server', async () => {
    const cli = (host: string, port: number, ...args: string[]) =>
      run('redis-cli', ['-h', host, '-p', String(port), ...args], { timeout: 20_000 });
    expect((await cli(redisIp, REDIS_PORT, 'SET', 'kubefwd:greeting', 'hello from the forward')).stdout).toBe(
      'OK\n',
    );
    expect((await cli('127.0.0.1', redis.port, 'GET', 'kubefwd:greeting')).stdout).toBe(
      'hello from the forward\n',
    );
    const { stdout } = await run(
      'redis-benchmark',
      ['-h', redisIp, '-p', String(REDIS_PORT), '-t', 'set,get', '-n', '2000', '-c', '20', '--csv'],
      { timeout: 60_000 },
    );
    const rates = parseRedisBenchmarkCsv(stdout);
    expect([...rates.keys()].sort()).toEqual(['GET', 'SET']);
    // redis-benchmark's SET writes "key:__rand_int__" (one key unless -r): it reached the server.
    expect((await cli('127.0.0.1', redis.port, 'EXISTS', 'key:__rand_int__')).stdout).toBe('1\n');
  });

  it('psql and pgbench (select-only, and a new connection per transaction) through the forward', async () => {
    expect((await psql(postgresIp, POSTGRES_PORT, 'select count(*) from pgbench_accounts')).stdout).toBe(
      '100000\n',
    );
    await psql(
      postgresIp,
      POSTGRES_PORT,
      'create table via_kubefwd (n int); insert into via_kubefwd values (42)',
    );
    expect((await psql('127.0.0.1', postgres.port, 'select n from via_kubefwd')).stdout).toBe('42\n');
    const pgbench = async (extra: string[]) => {
      const { stdout } = await run(
        'pgbench',
        ['-h', postgresIp, '-p', String(POSTGRES_PORT), '-U', 'postgres', '-n', '-S', ...extra, 'postgres'],
        { timeout: 60_000 },
      );
      return parsePgbench(stdout);
    };
    expect(await pgbench(['-c', '4', '-j', '2', '-t', '250'])).toMatchObject({
      transactions: 1000,
      failed: 0,
    });
    expect(await pgbench(['-C', '-c', '1', '-t', '50'])).toMatchObject({ transactions: 50, failed: 0 });
  }, 120_000);
});
