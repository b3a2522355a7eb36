import {
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
  chmod,
  readlink,
  lstat,
  readdir,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostsFile, decodeExact } from './hosts-file.js';
import { createFileLock } from './file-lock.js';
import { backupFileName, backupHostsFile } from './hosts-backup.js';
import { isKubefwdError } from '../contract/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-os-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeExact', () => {
  it('round-trips UTF-8 with BOM and invalid bytes', () => {
    for (const bytes of [
      Buffer.from('\ufeff127.0.0.1 localhost\r\n# café\n', 'utf8'),
      Buffer.from([0x31, 0xff, 0xfe, 0x0d, 0x0a, 0x80]),
      Buffer.alloc(0),
    ]) {
      const { text, encoding } = decodeExact(bytes);
      expect(Buffer.from(text, encoding).equals(bytes)).toBe(true);
    }
  });
});

describe('hosts file', () => {
  it('updates under the lock, keeps everything else byte for byte, mode and no temp files left', async () => {
    const path = join(dir, 'hosts');
    const original = Buffer.concat([
      Buffer.from('\ufeff127.0.0.1 localhost\r\n# odd \xff', 'latin1'),
      Buffer.from([0xc3]),
    ]);
    await writeFile(path, original);
    await chmod(path, 0o640);
    const hosts = createHostsFile({ path });
    await hosts.update((c) => `${c}\n# kubefwd begin x\n127.1.27.1 a\n# kubefwd end x\n`);
    const after = await readFile(path);
    expect(after.subarray(0, original.length).equals(original)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    await hosts.update((c) => c.slice(0, c.indexOf('\n# kubefwd begin')));
    expect((await readFile(path)).equals(original)).toBe(true);
    expect(hosts.writes()).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['hosts']);
  });

  it('does not write when the transform changes nothing', async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, 'x\n');
    const hosts = createHostsFile({ path });
    await hosts.update((c) => c);
    expect(hosts.writes()).toBe(0);
  });

  it('writes through a symlink without replacing it', async () => {
    const real = join(dir, 'real-hosts');
    const link = join(dir, 'hosts');
    await writeFile(real, 'a\n');
    await symlink(real, link);
    await createHostsFile({ path: link }).update((c) => c + 'b\n');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await readFile(real, 'utf8')).toBe('a\nb\n');
  });

  it('serialises concurrent updates in one process', async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, '');
    const hosts = createHostsFile({ path });
    await Promise.all(Array.from({ length: 20 }, (_, i) => hosts.update((c) => `${c}${i}\n`)));
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(20);
  });

  it('names the path when it is missing, a directory or not a file', async () => {
    const missing = createHostsFile({ path: join(dir, 'nope') });
    await expect(missing.read()).rejects.toMatchObject({
      code: 'HOSTS_FILE_ERROR',
      message: expect.stringContaining('nope does not exist'),
    });
    await expect(missing.checkWritable()).rejects.toMatchObject({ code: 'HOSTS_FILE_ERROR' });
    await expect(missing.update((c) => c)).rejects.toMatchObject({ code: 'HOSTS_FILE_ERROR' });
    await expect(createHostsFile({ path: dir }).checkWritable()).rejects.toMatchObject({
      code: 'HOSTS_FILE_ERROR',
      message: expect.stringContaining('not a regular file'),
    });
  });

  it('waits for a lock held by another live process and takes over a stale one', async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, 'a\n');
    const lockPath = join(dir, '.hosts.kubefwd.lock');
    // A live foreign owner: a child process.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPath, `${child.pid}\n`);
      const hosts = createHostsFile({ path, lock: { timeoutMs: 150, pollMs: 10 } });
      const err: unknown = await hosts.update((c) => c + 'b\n').catch((e: unknown) => e);
      expect(isKubefwdError(err) && err.code).toBe('HOSTS_FILE_LOCKED');
      // The owner dies (SIGKILL): its lock is stale and taken over.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await hosts.update((c) => c + 'b\n');
      expect(await readFile(path, 'utf8')).toBe('a\nb\n');
      await expect(stat(lockPath)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('file lock: garbage lock content is stale only after a while', async () => {
    const lockPath = join(dir, 'l.lock');
    await writeFile(lockPath, '');
    const lock = createFileLock(lockPath, { timeoutMs: 100, pollMs: 10, unreadableStaleMs: 60_000 });
    await expect(lock.withLock(async () => 1)).rejects.toMatchObject({ code: 'HOSTS_FILE_LOCKED' });
    const lock2 = createFileLock(lockPath, { timeoutMs: 100, pollMs: 10, unreadableStaleMs: 0 });
    expect(await lock2.withLock(async () => 2)).toBe(2);
  });

  it('pauses mid-write with the test hook, leaving the old content intact until commit', async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, 'old\n');
    const hosts = createHostsFile({ path, writeDelayMs: 200 });
    const pending = hosts.update(() => 'new\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(await readFile(path, 'utf8')).toBe('old\n');
    await pending;
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });
});

describe('hosts backup', () => {
  it('copies once, keeps it, refreshes with -b', async () => {
    const path = join(dir, 'hosts');
    const home = join(dir, 'home');
    await writeFile(path, 'one\n');
    await import('node:fs/promises').then((fs) => fs.mkdir(home));
    const first = await backupHostsFile({ hostsPath: path, home, refresh: false });
    expect(first.created).toBe(true);
    expect(first.message).toBe(`Backing up hosts file ${path} to ${join(home, 'hosts.original')}`);
    await writeFile(path, 'two\n');
    const second = await backupHostsFile({ hostsPath: path, home, refresh: false });
    expect(second.created).toBe(false);
    expect(second.message).toMatch(
      /^Original hosts backup already exists at .* \(created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\. Use -b to create a fresh backup\.$/,
    );
    expect(await readFile(join(home, 'hosts.original'), 'utf8')).toBe('one\n');
    await backupHostsFile({ hostsPath: path, home, refresh: true });
    expect(await readFile(join(home, 'hosts.original'), 'utf8')).toBe('two\n');
  });

  it('a scratch --hosts-path gets a backup of its own: it never stands in for the system file', async () => {
    const system = join(dir, 'system-hosts');
    const scratch = join(dir, 'scratch-hosts');
    const home = join(dir, 'home-names');
    await writeFile(system, 'system\n');
    await writeFile(scratch, '');
    await import('node:fs/promises').then((fs) => fs.mkdir(home));
    // A demo on a scratch file first (what once became ~/hosts.original for good) ...
    const demo = await backupHostsFile({
      hostsPath: scratch,
      home,
      refresh: false,
      name: backupFileName(scratch, system),
    });
    expect(demo.created).toBe(true);
    // ... then a run on the system file still backs the system file up.
    const real = await backupHostsFile({
      hostsPath: system,
      home,
      refresh: false,
      name: backupFileName(system, system),
    });
    expect(real.created).toBe(true);
    expect(await readFile(join(home, 'hosts.original'), 'utf8')).toBe('system\n');
    expect(await readFile(demo.path, 'utf8')).toBe('');
  });

  it('backupFileName: hosts.original for the system file only; other paths by name, within file-name limits', () => {
    expect(backupFileName('/etc/hosts', '/etc/hosts', 'linux')).toBe('hosts.original');
    expect(backupFileName('/etc/../etc/hosts', '/etc/hosts', 'linux')).toBe('hosts.original');
    const win = 'C:\\Windows\\System32\\drivers\\etc\\hosts';
    expect(backupFileName(win.toUpperCase(), win, 'win32')).toBe('hosts.original');
    expect(backupFileName('/tmp/kf x/hosts', '/etc/hosts', 'linux')).toBe('hosts.original.tmp_kf_x_hosts');
    expect(backupFileName('/mnt/c/Windows/System32/drivers/etc/hosts', '/etc/hosts', 'linux')).toBe(
      'hosts.original.mnt_c_Windows_System32_drivers_etc_hosts',
    );
    const deep = `/${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}/hosts`;
    const other = deep.replace('/d', '/x');
    const a = backupFileName(deep, '/etc/hosts', 'linux');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(255);
    expect(a).not.toBe(backupFileName(other, '/etc/hosts', 'linux'));
  });

  it('fails clearly when the home is not usable', async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, 'one\n');
    await expect(
      backupHostsFile({ hostsPath: path, home: join(dir, 'missing'), refresh: false }),
    ).rejects.toMatchObject({
      code: 'HOSTS_FILE_ERROR',
    });
  });
});
