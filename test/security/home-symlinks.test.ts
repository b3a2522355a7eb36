// Issue 22 item 1: under `sudo -E kubefwd`, root writes the API discovery file and the hosts backup
// into the invoking user's home. Anything running as that user can plant links there and wait; none
// of them may make root write, create or chown anything outside the user's own files. The test runs
// as root with SUDO_UID/SUDO_GID of `nobody`, a temporary HOME owned by nobody, and root-owned canary
// files that every plant aims at.
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupHostsFile } from '../../src/os/hosts-backup.js';
import { readDiscoveryFile, removeDiscoveryFile, writeDiscoveryFile } from '../../src/os/discovery-file.js';
import { invokingUserFrom } from '../../src/os/privilege.js';
import { userMayRead } from '../../src/os/user-file.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let base: string;
let home: string;
let rootDir: string;
let canary: string;
const CANARY_TEXT = 'root:x:0:0:root:/root:/bin/bash\n';

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kubefwd-sec-'));
  await chmod(base, 0o755);
  home = join(base, 'home');
  await mkdir(home, { mode: 0o755 });
  if (isRoot) await chown(home, NOBODY, NOBODY);
  rootDir = join(base, 'root-owned');
  await mkdir(rootDir, { mode: 0o755 });
  canary = join(rootDir, 'passwd');
  await writeFile(canary, CANARY_TEXT, { mode: 0o644 });
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The invoking user as kubefwd computes it under `sudo -E` with our temporary HOME. */
const sudoUser = () =>
  invokingUserFrom({
    uid: 0,
    env: { HOME: home, SUDO_UID: String(NOBODY), SUDO_GID: String(NOBODY), SUDO_USER: 'nobody' },
    platform: 'linux',
  });

const discovery = (pid = process.pid) => {
  const u = sudoUser();
  return writeDiscoveryFile({
    home: u.home,
    uid: u.uid!,
    gid: u.gid!,
    url: 'http://127.0.0.1:1',
    key: 'k'.repeat(32),
    pid,
  });
};

const hostsFile = async (mode = 0o644): Promise<string> => {
  const p = join(rootDir, 'hosts');
  await writeFile(p, '127.0.0.1 localhost\n', { mode });
  await chmod(p, mode);
  return p;
};

const backup = (hostsPath: string, refresh = false) => {
  const u = sudoUser();
  return backupHostsFile({ hostsPath, home: u.home, refresh, uid: u.uid, gid: u.gid, user: u.name });
};

/** The canaries are as the test made them: content, owner and mode. */
const expectCanariesUntouched = async () => {
  expect(await readFile(canary, 'utf8')).toBe(CANARY_TEXT);
  const c = await stat(canary);
  expect([c.uid, c.gid, c.mode & 0o777]).toEqual([0, 0, 0o644]);
  const d = await stat(rootDir);
  expect([d.uid, d.gid, d.mode & 0o777]).toEqual([0, 0, 0o755]);
};

describe.skipIf(!isRoot)("root writing into the invoking user's home (simulated sudo as nobody)", () => {
  it('the normal case: api.json 0600 in a 0700 ~/.kubefwd and a readable backup, all owned by the user', async () => {
    const path = await discovery();
    const f = await stat(path);
    expect([f.uid, f.gid, f.mode & 0o777]).toEqual([NOBODY, NOBODY, 0o600]);
    const d = await stat(join(home, '.kubefwd'));
    expect([d.uid, d.mode & 0o777]).toEqual([NOBODY, 0o700]);
    const b = await backup(await hostsFile());
    expect(b.created).toBe(true);
    const bs = await stat(b.path);
    expect([bs.uid, bs.gid]).toEqual([NOBODY, NOBODY]);
    expect(await readFile(b.path, 'utf8')).toBe('127.0.0.1 localhost\n');
    // Only the two files: no temp left behind.
    expect((await readdir(home)).sort()).toEqual(['.kubefwd', 'hosts.original']);
    expect(await readdir(join(home, '.kubefwd'))).toEqual(['api.json']);
    await removeDiscoveryFile(home, process.pid, { uid: NOBODY, gid: NOBODY });
    expect(await readdir(join(home, '.kubefwd'))).toEqual([]);
  });

  it('~/.kubefwd -> a root-owned directory: refused naming it; the directory keeps its owner', async () => {
    await symlink(rootDir, join(home, '.kubefwd'));
    await expect(discovery()).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringContaining(`${join(home, '.kubefwd')}: it is a symbolic link`),
    });
    await expectCanariesUntouched();
    expect((await readdir(rootDir)).sort()).toEqual(['passwd']);
  });

  it('a dangling ~/.kubefwd link: root creates nothing at its target', async () => {
    await symlink(join(rootDir, 'made-by-root'), join(home, '.kubefwd'));
    await expect(discovery()).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(lstat(join(rootDir, 'made-by-root'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a dangling ~/hosts.original link: refused, nothing created in the root directory', async () => {
    await symlink(join(rootDir, 'made-by-root'), join(home, 'hosts.original'));
    const hosts = await hostsFile();
    await expect(backup(hosts)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(backup(hosts, true)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(lstat(join(rootDir, 'made-by-root'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('~/hosts.original -> the canary with -b: the canary is neither overwritten nor chowned', async () => {
    await symlink(canary, join(home, 'hosts.original'));
    await expect(backup(await hostsFile(), true)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expectCanariesUntouched();
  });

  it('pre-created temp names linked to the canary: never followed (the temp name is random)', async () => {
    const dir = join(home, '.kubefwd');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, NOBODY, NOBODY);
    // The names the old code used, and guesses around them.
    for (const pid of [process.pid, process.pid + 1, 1, 2])
      await symlink(canary, join(dir, `api.json.${pid}.tmp`));
    await symlink(canary, join(dir, 'api.json')); // and the final name itself
    const path = await discovery();
    await expectCanariesUntouched();
    const f = await lstat(path);
    expect(f.isFile()).toBe(true);
    expect([f.uid, f.mode & 0o777]).toEqual([NOBODY, 0o600]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('a component owned by another user is refused with its name', async () => {
    const dir = join(home, '.kubefwd');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, 12345, 12345);
    await expect(discovery()).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringMatching(/\.kubefwd: it belongs to uid 12345/),
    });
    expect((await stat(dir)).uid).toBe(12345);
  });

  it('a world-writable ~/.kubefwd is refused (others could plant names in it)', async () => {
    const dir = join(home, '.kubefwd');
    await mkdir(dir);
    await chmod(dir, 0o777);
    await chown(dir, NOBODY, NOBODY);
    await expect(discovery()).rejects.toMatchObject({ code: 'UNSAFE_PATH', message: /others may write/ });
  });

  it("--hosts-path at a root-only file is not copied into the user's home", async () => {
    const secret = await hostsFile(0o600);
    await expect(backup(secret)).rejects.toMatchObject({
      code: 'HOSTS_FILE_ERROR',
      message: /may not read it/,
    });
    await expect(lstat(join(home, 'hosts.original'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removing api.json through a linked ~/.kubefwd removes nothing', async () => {
    await writeFile(join(rootDir, 'api.json'), JSON.stringify({ pid: process.pid }));
    await symlink(rootDir, join(home, '.kubefwd'));
    await removeDiscoveryFile(home, process.pid, { uid: NOBODY, gid: NOBODY });
    expect(await readFile(join(rootDir, 'api.json'), 'utf8')).toContain(String(process.pid));
  });

  it('the entry of an earlier kubefwd is read and given back only through checked directories, never through a link', async () => {
    // A planted link where api.json should be: nothing is read through it, so nothing of the
    // root-owned target could be written back into the user's file later.
    await discovery();
    const kubefwdDir = join(home, '.kubefwd');
    await rm(join(kubefwdDir, 'api.json'));
    const secret = join(rootDir, 'api.json');
    await writeFile(secret, JSON.stringify({ url: 'http://secret', key: 'root-only-key', pid: 1 }), {
      mode: 0o600,
    });
    await symlink(secret, join(kubefwdDir, 'api.json'));
    expect(await readDiscoveryFile(home, { uid: NOBODY, gid: NOBODY })).toBeUndefined();
    await rm(join(kubefwdDir, 'api.json'));
    // The normal case: an earlier daemon's entry, replaced by ours, is written back at our stop.
    const earlier = { url: 'http://127.0.0.1:2', key: 'e'.repeat(32), pid: 1 };
    await writeDiscoveryFile({ home, uid: NOBODY, gid: NOBODY, ...earlier });
    expect(await readDiscoveryFile(home, { uid: NOBODY, gid: NOBODY })).toEqual(earlier);
    await discovery();
    await removeDiscoveryFile(home, process.pid, { uid: NOBODY, gid: NOBODY }, earlier);
    expect(JSON.parse(await readFile(join(kubefwdDir, 'api.json'), 'utf8'))).toEqual(earlier);
    const f = await stat(join(kubefwdDir, 'api.json'));
    expect([f.uid, f.gid, f.mode & 0o777]).toEqual([NOBODY, NOBODY, 0o600]);
    // Not ours any more (another daemon took it): left as it is.
    await removeDiscoveryFile(home, process.pid, { uid: NOBODY, gid: NOBODY }, { ...earlier, pid: 2 });
    expect(JSON.parse(await readFile(join(kubefwdDir, 'api.json'), 'utf8'))).toEqual(earlier);
    await expectCanariesUntouched();
  });
});

describe('who may read a file, by its bits', () => {
  it('owner, group and other bits decide; root may read anything', () => {
    expect(userMayRead({ uid: 0, gid: 0, mode: 0o600 }, 1000, [1000])).toBe(false);
    expect(userMayRead({ uid: 0, gid: 0, mode: 0o644 }, 1000, [1000])).toBe(true);
    expect(userMayRead({ uid: 0, gid: 50, mode: 0o640 }, 1000, [1000, 50])).toBe(true);
    expect(userMayRead({ uid: 1000, gid: 0, mode: 0o040 }, 1000, [0])).toBe(false);
    expect(userMayRead({ uid: 5, gid: 5, mode: 0o000 }, 0, [0])).toBe(true);
  });
});
