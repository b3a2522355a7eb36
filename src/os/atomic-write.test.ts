import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTemps } from './atomic-write.js';

describe('removeStaleTemps', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubefwd-temps-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes temp files of dead writers only, and nothing else', async () => {
    const hosts = join(dir, 'hosts');
    // A pid that certainly existed and is certainly gone: a child that already exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const names = [
      `.hosts.kubefwd-${deadPid}-0a1b2c3d.tmp`, // killed writer → removed
      `.hosts.kubefwd-${process.pid}-deadbeef.tmp`, // live writer (this process) → kept
      `.hosts.kubefwd.lock`, // the lock file → kept
      `.other.kubefwd-${deadPid}-0a1b2c3d.tmp`, // another file's temp → kept
      'hosts',
    ];
    for (const n of names) await writeFile(join(dir, n), 'x');
    expect(await removeStaleTemps(hosts)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(names.slice(1).sort());
  });

  it('treats a missing directory as nothing to do', async () => {
    expect(await removeStaleTemps(join(dir, 'missing', 'hosts'))).toBe(0);
  });
});
