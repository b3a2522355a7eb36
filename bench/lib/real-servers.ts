// Real servers from Debian behind the bench's simulated pods: redis-server (package redis-server)
// and PostgreSQL (package postgresql), each on a free loopback port in a temporary directory, with
// durability off (the bench measures the forward, not the disk). PostgreSQL refuses to run as root:
// as root its commands run as the `postgres` user the package creates (runuser).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './processes.js';

export interface RealServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the server binds it a moment later). */
export const freePort = async (): Promise<number> => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** The newest installed PostgreSQL server's bin directory (Debian: /usr/lib/postgresql/N/bin). */
const postgresBin = (): string | undefined => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
};

const asRoot = userInfo().uid === 0;

/** Why the real-server workloads cannot run here, or undefined when they can. */
export const realServersUnavailable = (): string | undefined => {
  const missing = [
    onPath('redis-server') ? undefined : 'redis-server (apt-get install redis-server)',
    onPath('redis-benchmark') ? undefined : 'redis-benchmark (apt-get install redis-tools)',
    postgresBin() ? undefined : 'PostgreSQL (apt-get install postgresql)',
    onPath('pgbench') ? undefined : 'pgbench (apt-get install postgresql-client)',
    asRoot && spawnSync('id', ['-u', 'postgres']).status !== 0 ? 'the postgres user' : undefined,
  ].filter((m) => m !== undefined);
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
};

/** Resolves once a TCP connection to the port succeeds; rejects when the process exits first. */
const waitListening = async (child: ChildProcess, port: number, what: string, output: () => string) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} not listening on ${port} after 30 s: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const startLogged = (cmd: string, args: string[]): { child: ChildProcess; output: () => string } => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
};

export const startRedisServer = async (): Promise<RealServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'kubefwd-bench-redis-'));
  const port = await freePort();
  const { child, output } = startLogged('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
  ]);
  try {
    await waitListening(child, port, 'redis-server', output);
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The argv that runs a PostgreSQL command as its owner: `postgres` under root, else ourselves. */
const asOwner = (bin: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];

/** A fresh cluster (trust authentication, user postgres), pgbench's tables at scale 1 in `postgres`. */
export const startPostgres = async (): Promise<RealServer> => {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'kubefwd-bench-pg-'));
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const [initCmd, initArgs] = asOwner(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const [cmd, args] = asOwner(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const { child, output } = startLogged(cmd, args);
  const stop = async (): Promise<void> => {
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for the clients to leave). It goes to the
    // postmaster itself: runuser does not pass signals on.
    try {
      process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGINT');
    } catch {
      // Not started, or already gone.
    }
    await stopChild(child, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(child, port, 'postgres', output);
    const pgbenchInit = spawnSync(
      'pgbench',
      ['-i', '-s', '1', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'postgres'],
      { encoding: 'utf8' },
    );
    if (pgbenchInit.status !== 0) throw new Error(`pgbench -i failed: ${pgbenchInit.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
};
