// Issue 16, "Root only where root is needed", on this machine: the helper runs as root and the
// engine as `nobody`, over a temporary hosts file and loopback.
// - `sudo -E kubefwd demo` (the CLI as root with SUDO_UID/SUDO_GID of nobody, as sudo leaves them):
//   only the helper runs as root; forwards work by name (the name looked up in the --hosts-path
//   file), a low port and the API's :80 included; SIGKILL of the engine → its block is gone within a
//   second; SIGKILL of the helper → the engine says so and stops cleanly.
// - `kubefwd helper install` into a temporary service directory, the unit's own ExecStart run as
//   the service: nobody forwards a namespace with no sudo; another user is refused (socket
//   permissions, and the uid proof by itself); requests over the socket that break the protocol
//   are refused with the hosts file unchanged.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMachine, socketChannel } from '../../src/daemon/helper-client.js';
import { parseExecStart } from '../../src/helper/service-files.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { cliEnv, isBuilt, repoRoot, startCli, type CliProcess } from '../e2e/cli-process.js';
import { randomIpBase, randomNet24 } from '../support/addresses.js';
import { removeWorldReadableMirror, worldReadableRoot } from '../support/world-readable.js';

const NOBODY = 65534;
const OTHER = 42_424;
const isRoot = process.getuid?.() === 0;
const hasNobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim() === String(NOBODY);
const runnable = process.platform === 'linux' && isRoot && hasNobody && isBuilt();
if (!runnable)
  console.warn(
    'skipping the privilege-separation tests: they need Linux, root, user nobody and `npm run build`',
  );

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** pid, uid and ppid of every process whose command line mentions `needle`. */
const processesWith = (needle: string): { pid: number; uid: number; ppid: number; args: string }[] =>
  spawnSync('ps', ['-eo', 'pid=,uid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes(needle) && !l.includes(' ps -eo'))
    .map((l) => {
      const [pid, uid, ppid, ...args] = l.trim().split(/\s+/);
      return { pid: Number(pid), uid: Number(uid), ppid: Number(ppid), args: args.join(' ') };
    });

/** The address the hosts file gives `name` (the way a resolver reads it: first match). */
const lookup = (hosts: string, name: string): string | undefined => {
  for (const line of hosts.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && names.includes(name)) return ip;
  }
  return undefined;
};

const getJson = async (url: string): Promise<Record<string, unknown>> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};

/** Polls until `cond` holds; returns the milliseconds it took (fails after `maxMs`). */
const until = async (cond: () => Promise<boolean>, maxMs: number): Promise<number> => {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > maxMs) throw new Error(`not within ${maxMs} ms`);
    await sleep(10);
  }
  return Date.now() - start;
};

const hasBlock = async (path: string): Promise<boolean> =>
  (await readFile(path, 'utf8')).includes('# kubefwd begin');

let dir: string;
let home: string;
let fwdConf: string;
const ORIGINAL = '127.0.0.1 localhost\n# a comment the helper must keep\n';

beforeAll(async () => {
  if (!runnable) return;
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-privsep-'));
  await chmod(dir, 0o755);
  home = join(dir, 'home');
  await mkdir(home);
  await chown(home, NOBODY, NOBODY);
  fwdConf = join(dir, 'fwd.yml');
  await writeFile(fwdConf, `baseUnreservedIP: ${randomIpBase()}\n`, { mode: 0o644 });
  worldReadableRoot(repoRoot);
});

afterAll(async () => {
  if (!runnable) return;
  await rm(dir, { recursive: true, force: true });
  removeWorldReadableMirror();
});

const sudoEnv = (): NodeJS.ProcessEnv =>
  cliEnv(home, { SUDO_UID: String(NOBODY), SUDO_GID: String(NOBODY), SUDO_USER: 'nobody' });

describe.skipIf(!runnable)('sudo -E kubefwd demo: the engine runs as the user', () => {
  let hosts: string;
  let cli: CliProcess;
  let apiIp: string;

  beforeAll(async () => {
    hosts = join(dir, 'hosts-sudo');
    await writeFile(hosts, ORIGINAL, { mode: 0o644 });
    apiIp = `${randomNet24()}.1`;
    cli = startCli(['demo', '--hosts-path', hosts, '-z', fwdConf, '--api-listen', `${apiIp}:80`], {
      env: sudoEnv(),
      worldReadable: true,
    });
    await cli.waitFor(/Try \(by IP/, 60_000);
  }, 70_000);

  afterAll(async () => {
    cli.kill('SIGKILL');
    for (const p of processesWith(hosts)) spawnSync('kill', ['-9', String(p.pid)]);
    await cli.exited;
  });

  it('shows in ps only the helper as root; everything else runs as nobody', () => {
    const procs = processesWith(hosts);
    const roots = procs.filter((p) => p.uid === 0);
    expect(roots.map((p) => p.pid)).toEqual([cli.child.pid]);
    const engine = procs.filter((p) => p.uid !== 0);
    expect(engine.length).toBeGreaterThan(0);
    for (const p of engine) expect(p.uid).toBe(NOBODY);
    // Nothing in the user's home belongs to root.
    const owned = spawnSync('find', [home, '-not', '-user', 'nobody'], { encoding: 'utf8' }).stdout.trim();
    expect(owned).toBe('');
  });

  it('a forward works by name: a low port (through the helper), a high one, and the API on :80', async () => {
    const text = await readFile(hosts, 'utf8');
    expect(text.startsWith(ORIGINAL)).toBe(true);
    const auth = lookup(text, 'auth.shop');
    const gateway = lookup(text, 'api-gateway.shop');
    expect(auth).toBeDefined();
    expect(await getJson(`http://${auth}:443/`)).toMatchObject({ namespace: 'shop', port: 8443 });
    expect(await getJson(`http://${gateway}:8080/`)).toMatchObject({ namespace: 'shop' });
    expect(await getJson(`http://${apiIp}/api/health`)).toMatchObject({ status: 'healthy' });
  });

  it('SIGKILL of the engine: the helper removes its block within a second and exits', async () => {
    const engine = processesWith(hosts).find((p) => p.uid === NOBODY && p.ppid === cli.child.pid);
    expect(engine).toBeDefined();
    process.kill(engine!.pid, 'SIGKILL');
    const ms = await until(async () => !(await hasBlock(hosts)), 5_000);
    expect(ms).toBeLessThan(1_000);
    expect(await readFile(hosts, 'utf8')).toBe(ORIGINAL);
    const r = await cli.exited;
    expect(r.code).toBe(137);
    // Said on the terminal: the engine could not.
    expect(r.stderr).toContain(
      `the engine (pid ${engine!.pid}) was killed by SIGKILL; its hosts entries in ${hosts} were removed.`,
    );
  });
});

describe.skipIf(!runnable)('sudo -E kubefwd demo: the helper killed', () => {
  it('the engine reports that the helper is gone and stops cleanly', async () => {
    const hosts = join(dir, 'hosts-helper-killed');
    await writeFile(hosts, ORIGINAL, { mode: 0o644 });
    const cli = startCli(['demo', '--hosts-path', hosts, '-z', fwdConf, '--api-listen', '127.0.0.1:0'], {
      env: sudoEnv(),
      worldReadable: true,
    });
    try {
      await cli.waitFor(/Try \(by IP/, 60_000);
      cli.kill('SIGKILL');
      // The engine's output still reaches the pipes the helper shared with it.
      await cli.waitFor(/has gone away; stopping/, 20_000);
      await cli.waitFor(/Clean exit/, 20_000);
      await until(() => Promise.resolve(processesWith(hosts).length === 0), 20_000);
    } finally {
      for (const p of processesWith(hosts)) spawnSync('kill', ['-9', String(p.pid)]);
      await cli.exited;
    }
  }, 80_000);
});

describe.skipIf(!runnable)('kubefwd helper install: no sudo for everyday runs', () => {
  let hosts: string;
  let serviceDir: string;
  let socketPath: string;
  let service: ChildProcess;
  let sim: SimCluster;
  let kubeconfig: string;

  let unit: string;
  /** What systemd does: runs the unit's command as root (again after a stop). */
  const startService = async (): Promise<void> => {
    const [cmd, ...args] = parseExecStart(unit) ?? [];
    // A killed service leaves its socket file: wait for the new one, not that.
    await rm(socketPath, { force: true });
    service = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    await until(async () => (await stat(socketPath).catch(() => undefined))?.isSocket() === true, 20_000);
  };

  /** `kubefwd svc -n shop` as nobody, with no sudo, through the installed helper. */
  const startAsNobody = (): CliProcess =>
    startCli(['svc', '-n', 'shop', '--kubeconfig', kubeconfig, '-z', fwdConf], {
      env: cliEnv(home, { KUBEFWD_HELPER_SOCKET: socketPath }),
      uid: NOBODY,
      gid: NOBODY,
    });

  beforeAll(async () => {
    hosts = join(dir, 'hosts-service');
    await writeFile(hosts, ORIGINAL, { mode: 0o644 });
    serviceDir = join(dir, 'systemd');
    socketPath = join(dir, 'run', 'helper.sock');
    const installed = startCli(
      [
        'helper',
        'install',
        '--service-dir',
        serviceDir,
        '--socket',
        socketPath,
        '--hosts-path',
        hosts,
        '--user',
        'nobody',
      ],
      { env: cliEnv(dir), worldReadable: true },
    );
    expect((await installed.exited).code).toBe(0);
    unit = await readFile(join(serviceDir, 'kubefwd-helper.service'), 'utf8');
    await startService();
    const simDir = join(dir, 'sim');
    await mkdir(simDir, { mode: 0o755 });
    sim = await createSimCluster({ dir: simDir, readyDelayMs: 20 });
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, sim.kubeconfig, { mode: 0o644 });
  }, 60_000);

  afterAll(async () => {
    service?.kill('SIGTERM');
    await sim?.stop();
  });

  it('the socket belongs to the user, mode 0600', async () => {
    const st = await stat(socketPath);
    expect([st.uid, st.mode & 0o777]).toEqual([NOBODY, 0o600]);
  });

  it('nobody forwards a namespace with no sudo; SIGKILL of it → the service removes its block within a second', async () => {
    const apiIp = `${randomNet24()}.1`;
    const cli = startCli(
      ['svc', '-n', 'shop', '--kubeconfig', kubeconfig, '-z', fwdConf, '--api-listen', `${apiIp}:80`],
      {
        env: cliEnv(home, { KUBEFWD_HELPER_SOCKET: socketPath }),
        uid: NOBODY,
        gid: NOBODY,
      },
    );
    try {
      await cli.waitFor(/auth\.shop → \S+ → pod/, 60_000);
      const text = await readFile(hosts, 'utf8');
      expect(text.startsWith(ORIGINAL)).toBe(true);
      expect(await getJson(`http://${lookup(text, 'auth.shop')}:443/`)).toMatchObject({
        namespace: 'shop',
        port: 8443,
      });
      expect(await getJson(`http://${apiIp}/api/health`)).toMatchObject({ status: 'healthy' });
      cli.kill('SIGKILL');
      const ms = await until(async () => !(await hasBlock(hosts)), 5_000);
      expect(ms).toBeLessThan(1_000);
      expect(await readFile(hosts, 'utf8')).toBe(ORIGINAL);
    } finally {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  }, 80_000);

  it('another user is refused by the socket permissions', async () => {
    const otherHome = join(dir, 'other-home');
    await mkdir(otherHome, { recursive: true });
    await chown(otherHome, OTHER, OTHER);
    const cli = startCli(['svc', '-n', 'shop', '--kubeconfig', kubeconfig], {
      env: cliEnv(otherHome, { KUBEFWD_HELPER_SOCKET: socketPath }),
      uid: OTHER,
      gid: OTHER,
    });
    const r = await cli.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot use the helper .*EACCES.*serves only the user who installed it/);
    expect(await readFile(hosts, 'utf8')).toBe(ORIGINAL);
  });

  it('the uid proof refuses another user by itself (here root connects, the proof file is theirs)', async () => {
    const channel = await socketChannel(socketPath);
    try {
      const hello = await channel.request({ op: 'hello' });
      const proofDir = await mkdtemp(join(tmpdir(), 'kubefwd-proof-other-'));
      const file = join(proofDir, 'challenge');
      await writeFile(file, String(hello.result.challenge));
      await chown(file, OTHER, OTHER);
      await expect(channel.request({ op: 'prove', file })).rejects.toMatchObject({ code: 'HELPER_REFUSED' });
      await rm(proofDir, { recursive: true, force: true });
    } finally {
      channel.close();
    }
    // A session that never proved may do nothing.
    const second = await socketChannel(socketPath);
    try {
      await expect(second.request({ op: 'addAlias', ip: '127.0.0.1' })).rejects.toMatchObject({
        code: 'HELPER_REFUSED',
      });
    } finally {
      second.close();
    }
  });

  it('over the socket: bad requests are refused with a typed error and the hosts file is unchanged', async () => {
    const before = await readFile(hosts);
    const channel = await socketChannel(socketPath);
    try {
      const m = await openMachine(channel, { owner: `pid-${process.pid}-1`, socketPath });
      expect(m.hostsPath).toBe(hosts);
      const refused = { code: 'HELPER_REFUSED' };
      await expect(
        channel.request({ op: 'replaceBlock', owner: 'my-notes', entries: [] }),
      ).rejects.toMatchObject(refused);
      await expect(
        channel.request({
          op: 'replaceBlock',
          owner: `pid-${process.pid}-1`,
          entries: [{ ip: '::1', hostnames: ['x'] }],
        }),
      ).rejects.toMatchObject(refused);
      await expect(
        channel.request({
          op: 'replaceBlock',
          owner: `pid-${process.pid}-1`,
          entries: [{ ip: '127.0.0.5', hostnames: ['evil\n10.0.0.1 bank.example'] }],
        }),
      ).rejects.toMatchObject(refused);
      await expect(
        channel.request({ op: 'removeBlock', owner: `pid-${process.pid}-1`, path: '/etc/passwd' } as never),
      ).rejects.toMatchObject(refused);
      await expect(channel.request({ op: 'listen', ip: '0.0.0.0', port: 22 })).rejects.toMatchObject(refused);
      await expect(channel.request({ op: 'addAlias', ip: '10.0.0.1' })).rejects.toMatchObject(refused);
    } finally {
      channel.close();
    }
    // A line that never ends is cut off, not buffered.
    const flood = createConnection(socketPath);
    const closed = new Promise<void>((r) => flood.once('close', () => r()));
    flood.on('error', () => undefined);
    flood.write(Buffer.alloc(2 * 1024 * 1024, 0x61));
    await closed;
    expect((await readFile(hosts)).equals(before)).toBe(true);
  });

  it('helper status finds it; uninstall removes the service file', async () => {
    const status = startCli(['helper', 'status', '--service-dir', serviceDir, '--socket', socketPath], {
      env: cliEnv(home),
      uid: NOBODY,
      gid: NOBODY,
    });
    const s = await status.exited;
    expect(s.stdout).toMatch(/Helper: running \(pid \d+\)/);
    expect(s.code).toBe(0);
    const un = startCli(
      ['helper', 'uninstall', '--service-dir', serviceDir, '--socket', join(dir, 'no-socket')],
      {
        env: cliEnv(dir),
        worldReadable: true,
      },
    );
    const removed = await un.exited;
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^Removed .*kubefwd-helper\.service/);
    await expect(stat(join(serviceDir, 'kubefwd-helper.service'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Nothing left to remove: said so, not "Removed".
    const again = await startCli(
      ['helper', 'uninstall', '--service-dir', serviceDir, '--socket', join(dir, 'no-socket')],
      { env: cliEnv(dir), worldReadable: true },
    ).exited;
    expect(again.stdout).toMatch(/^No helper service installed \(.* does not exist\); nothing to remove\.$/m);
    // A hosts file that is not there: refused at install, not a service that fails every second.
    const missing = await startCli(
      [
        'helper',
        'install',
        '--service-dir',
        join(dir, 'units-2'),
        '--hosts-path',
        join(dir, 'no-hosts'),
        '--user',
        'nobody',
      ],
      { env: cliEnv(dir), worldReadable: true },
    ).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/hosts file .*no-hosts does not exist or is not a file/);
    await expect(stat(join(dir, 'units-2'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the service killed: the engine reports it and stops cleanly', async () => {
    const cli = startAsNobody();
    try {
      await cli.waitFor(/auth\.shop → \S+ → pod/, 60_000);
      service.kill('SIGKILL');
      await cli.waitFor(/helper's socket .* closed; stopping/, 20_000);
      const r = await cli.exited;
      expect(r.stdout + r.stderr).toMatch(/Clean exit/);
      expect(r.code).toBe(1);
    } finally {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  }, 80_000);

  it('the service stopped (SIGTERM: systemctl stop, an upgrade): it removes the block first, then the engine stops', async () => {
    await startService();
    const cli = startAsNobody();
    try {
      await cli.waitFor(/auth\.shop → \S+ → pod/, 60_000);
      expect(await hasBlock(hosts)).toBe(true);
      const stopped = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await stopped;
      expect(await readFile(hosts, 'utf8')).toBe(ORIGINAL);
      await cli.waitFor(/helper's socket .* closed; stopping/, 20_000);
      expect((await cli.exited).code).toBe(1);
    } finally {
      cli.kill('SIGKILL');
      await cli.exited;
    }
  }, 80_000);
});
