import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryPath } from '../api/server/discovery-file.js';
import { DEMO_OWNER_FILE, removeStaleDemoDirs, removeStaleDiscoveryFile } from './leftovers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-leftovers-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('what a killed kubefwd left behind', () => {
  it('api.json naming a dead pid is removed and said; a live one is kept', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kubefwd'), { recursive: true });
    await writeFile(discoveryPath(home), JSON.stringify({ url: 'http://x', key: 'k', pid: 4242 }));
    expect(await removeStaleDiscoveryFile(home, () => true)).toBeUndefined();
    const said = await removeStaleDiscoveryFile(home, () => false);
    expect(said).toBe(`Removed ${discoveryPath(home)}, left by kubefwd pid 4242, which is no longer running`);
    expect(await removeStaleDiscoveryFile(home, () => false)).toBeUndefined();
  });

  it('demo directories of dead owners are removed; live, own and unmarked ones are kept', async () => {
    const tmp = join(dir, 'tmp');
    for (const [name, pid] of [
      ['kubefwd-demo-dead', '4242'],
      ['kubefwd-demo-live', '4343'],
      ['kubefwd-demo-mine', String(process.pid)],
      ['kubefwd-demo-unmarked', undefined],
      ['other-dir', '4242'],
    ] as const) {
      await mkdir(join(tmp, name, 'sim'), { recursive: true });
      if (pid !== undefined) await writeFile(join(tmp, name, DEMO_OWNER_FILE), pid);
    }
    const said = await removeStaleDemoDirs(tmp, (pid) => pid === 4343);
    expect(said).toEqual([
      `Removed the demo directory ${join(tmp, 'kubefwd-demo-dead')}, left by kubefwd pid 4242, which is no longer running`,
    ]);
    expect((await readdir(tmp)).sort()).toEqual([
      'kubefwd-demo-live',
      'kubefwd-demo-mine',
      'kubefwd-demo-unmarked',
      'other-dir',
    ]);
  });
});
