// Bad input through the real process (no cluster needed): each a clear line on stderr, non-zero
// exit, and nothing changed — the hosts file is byte-identical and no backup was written.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, isBuilt, runCli } from '../e2e/cli-process.js';
import { testKubeconfig } from '../support/kubeconfig.js';
import { removeWorldReadableMirror } from '../support/world-readable.js';

const HOSTS = '127.0.0.1 localhost\r\n# foreign\n::1 ip6-localhost';
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let dir: string;
let home: string;
let hosts: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-bad-'));
  await chmod(dir, 0o755);
  home = join(dir, 'home');
  await import('node:fs/promises').then((fs) => fs.mkdir(home, { mode: 0o777 }));
  await chmod(home, 0o777);
  hosts = join(dir, 'hosts');
  await writeFile(hosts, HOSTS);
});
afterAll(async () => {
  removeWorldReadableMirror();
  await rm(dir, { recursive: true, force: true });
});

const expectUnchanged = async (): Promise<void> => {
  expect(await readFile(hosts, 'utf8')).toBe(HOSTS);
  expect((await readdir(home)).filter((f) => f.startsWith('hosts.original'))).toEqual([]);
};

const expectOneLine = (stderr: string, re: RegExp): void => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
};

describe.skipIf(!isBuilt())('bad input through ./bin/kubefwd', () => {
  it('unknown flag', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '--frobnicate'], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /unknown option '--frobnicate'/);
    await expectUnchanged();
  });

  it('missing kubeconfig', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '-c', join(dir, 'nope.yaml')], {
      env: cliEnv(home),
    });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /kubeconfig .*nope\.yaml.* does not exist/);
    await expectUnchanged();
  });

  it('malformed kubeconfig', async () => {
    const kc = join(dir, 'broken.yaml');
    await writeFile(kc, 'clusters: [\n');
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '-c', kc], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /broken\.yaml/);
    await expectUnchanged();
  });

  it('unreadable kubeconfig (a directory)', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '-c', dir], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await expectUnchanged();
  });

  it('unknown context', async () => {
    const kc = join(dir, 'kc-ctx.yaml');
    await writeFile(kc, testKubeconfig('https://127.0.0.1:1'));
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '-c', kc, '-x', 'prod'], {
      env: cliEnv(home),
    });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /prod/);
    expect(r.stderr).toMatch(/sim/); // names the contexts that exist
    await expectUnchanged();
  });

  it('unreachable API server', async () => {
    const kc = join(dir, 'kc-down.yaml');
    await writeFile(kc, testKubeconfig('https://127.0.0.1:1'));
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts, '-c', kc], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/cluster-info|reachable/);
    await expectUnchanged();
  });

  it('KUBECONFIG is honoured as well', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', hosts], {
      env: cliEnv(home, { KUBECONFIG: join(dir, 'nope2.yaml') }),
    });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /nope2\.yaml/);
  });

  it('hosts path missing', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', join(dir, 'missing-hosts')], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(
      r.stderr,
      /hosts file .*missing-hosts does not exist: create it first \(an empty file will do: touch .*missing-hosts\)\. Check --hosts-path/,
    );
  });

  it('hosts path is a directory', async () => {
    const r = await runCli(['-n', 'shop', '--hosts-path', dir], { env: cliEnv(home) });
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /is not a regular file/);
  });

  it.skipIf(!isRoot)('hosts path not writable (as an ordinary user)', async () => {
    const roHosts = join(dir, 'ro-hosts');
    await writeFile(roHosts, HOSTS);
    await chown(roHosts, 0, 0);
    await chmod(roHosts, 0o644);
    const r = await runCli(['-n', 'shop', '--hosts-path', roHosts], {
      env: cliEnv(home),
      uid: NOBODY,
      gid: NOBODY,
    });
    expect(r.code).toBe(1);
    // A warning that ports below 1024 will not work as non-root, then the error.
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/hosts file .*ro-hosts is not writable by this user/);
    expect(await readFile(roHosts, 'utf8')).toBe(HOSTS);
  });

  it.skipIf(!isRoot)('not root: says so and how to run it', async () => {
    const r = await runCli(['-n', 'shop'], { env: cliEnv(home), uid: NOBODY, gid: NOBODY });
    expect(r.code).toBe(1);
    expectOneLine(
      r.stderr,
      // Named by its path: sudo's secure_path does not lead to this kubefwd (a checkout).
      /^kubefwd: superuser privileges are needed .* not root \(uid 65534\)\. Run it with: sudo -E (\/\S+\/bin\/kubefwd) -n shop — or once: sudo \1 helper install \(then plain `kubefwd -n shop` needs no sudo\)\. To try it without root: --hosts-path <a file you can write> \(the names then resolve only through that file\)\.$/,
    );
  });

  describe('a client command whose daemon is gone', () => {
    /** A home whose ~/.kubefwd/api.json names `url` and `pid`. */
    const homeNaming = async (name: string, url: string, pid: number): Promise<string> => {
      const h = join(dir, name);
      await mkdir(join(h, '.kubefwd'), { recursive: true });
      await writeFile(join(h, '.kubefwd', 'api.json'), JSON.stringify({ url, key: 'k', pid }), {
        mode: 0o600,
      });
      return h;
    };

    it('a daemon killed but not yet reaped (a zombie) is not running, not "fetch failed"', async () => {
      // sh starts a child that exits at once, then becomes `sleep`, which never reaps it.
      const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
        const zombie = Number(chunk.toString().trim());
        await expect
          .poll(
            async () => (await readFile(`/proc/${zombie}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.[0],
          )
          .toBe('Z');
        const h = await homeNaming('zombie-home', 'http://127.0.0.1:9', zombie);
        for (const command of [['open', '--print-url'], ['tui']]) {
          const r = await runCli(command, { env: cliEnv(h) });
          expect(r.code).toBe(1);
          expectOneLine(
            r.stderr,
            new RegExp(`kubefwd is not running \\(.*api\\.json names pid ${zombie}, which is gone\\)`),
          );
        }
      } finally {
        parent.kill();
      }
    });

    it('a running pid with nothing at its address: says nothing listens there', async () => {
      const probe = createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port } = probe.address() as { port: number };
      await new Promise((resolve) => probe.close(resolve));
      const h = await homeNaming('refused-home', `http://127.0.0.1:${port}`, process.pid);
      const r = await runCli(['open', '--print-url'], { env: cliEnv(h) });
      expect(r.code).toBe(1);
      expectOneLine(
        r.stderr,
        new RegExp(
          `cannot reach the kubefwd API at http://127\\.0\\.0\\.1:${port}: nothing listens there \\(connection refused\\)`,
        ),
      );
    });
  });
});
