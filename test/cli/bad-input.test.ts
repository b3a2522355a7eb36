// Bad input through the real process (no cluster needed): each a clear line on stderr, non-zero
// exit, and nothing changed — the hosts file is byte-identical and no backup was written.
import { chmod, chown, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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
      /needs superuser privileges .* not root \(uid 65534\)\. Run it with: sudo -E kubefwd -n shop — or once: sudo kubefwd helper install \(then plain `kubefwd -n shop` needs no sudo\)\. To try it without root: --hosts-path <a file you can write> \(the names then resolve only through that file\)\.$/,
    );
  });
});
