// Issue 22 item 5: kubefwd removes only hosts blocks it can prove are its own and dead. A block
// written by hand with our markers and another name stays; a `pid-1` block (init never dies) does not
// make kubefwd refuse to start; a block whose pid lives on with another start time is stale; every
// removal is logged with what the block held; a start-up refusal is printed once. Real process, real
// simulated cluster, temporary hosts file.
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLiveBlockId, isStaleBlockId } from '../../src/daemon/stale-blocks.js';
import { processStartTime } from '../../src/os/process-alive.js';
import { isBuilt } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { eventually } from '../e2e/net.js';
import { randomIpBase } from './support.js';

const HAND_WRITTEN = '# kubefwd begin my-notes\n10.9.9.9 my-laptop-alias\n# kubefwd end my-notes\n';

describe('which blocks are ours and stale (pure rule)', () => {
  const alive = (): boolean => true;
  it('only our exact id format can be stale; pid 0/1 never own a block', () => {
    for (const id of [
      'my-notes',
      'kubefwd',
      'pid-42-x',
      'pid--1',
      'PID-42',
      'pid-42-1-2',
      `pid-${'9'.repeat(11)}`,
    ])
      expect(
        isStaleBlockId(id, 7, () => false),
        id,
      ).toBe(false);
    expect(isStaleBlockId('pid-1', 7, alive)).toBe(true);
    expect(isStaleBlockId('pid-0', 7, alive)).toBe(true);
    expect(isStaleBlockId('pid-1-1', 7, alive)).toBe(true);
    // …and only our format can make kubefwd refuse to start.
    expect(isLiveBlockId('my-notes', 7, alive)).toBe(false);
    expect(isLiveBlockId('pid-1', 7, alive)).toBe(false);
    expect(isLiveBlockId('pid-42-1', 7, alive)).toBe(true);
  });
  it('a live pid with another start time is not its owner (real /proc where there is one)', () => {
    const start = processStartTime(process.pid);
    if (start === undefined) return; // no /proc: start times are not known on this OS
    expect(isStaleBlockId(`pid-${process.pid}-${start}`, 7)).toBe(false);
    expect(isStaleBlockId(`pid-${process.pid}-${String(BigInt(start) + 1n)}`, 7)).toBe(true);
  });
});

describe.skipIf(!isBuilt())(
  'hosts markers with a real kubefwd (needs `npm run build`)',
  { timeout: 120_000 },
  () => {
    let fx: Fixture;
    beforeAll(async () => {
      fx = await createFixture(randomIpBase());
    }, 30_000);
    afterAll(async () => {
      await fx?.close();
    });

    it('keeps a hand-written block, removes pid-1 and dead blocks and logs what they held', async () => {
      const start = processStartTime(process.pid) ?? '1';
      const wrongStart = String(BigInt(start) + 7n);
      const before =
        '127.0.0.1 localhost\n' +
        HAND_WRITTEN +
        '# kubefwd begin pid-1\n127.1.0.1 init-owned-block\n# kubefwd end pid-1\n' +
        `# kubefwd begin pid-${process.pid}-${wrongStart}\n127.1.0.2 reused-pid-block\n# kubefwd end pid-${process.pid}-${wrongStart}\n`;
      await writeFile(fx.hostsPath, before);
      const p = fx.start(['-n', 'analytics']);
      try {
        await p.waitFor(/Removing hosts block "pid-1" .*127\.1\.0\.1 init-owned-block/);
        await p.waitFor(
          new RegExp(`Removing hosts block "pid-${process.pid}-${wrongStart}" .*reused-pid-block`),
        );
        await p.waitFor(/Watching services in namespace analytics/);
        // The removal is logged inside the update, before the file is written: poll the file.
        await eventually(async () => {
          const text = await readFile(fx.hostsPath, 'utf8');
          expect(text).toContain(HAND_WRITTEN);
          expect(text).not.toContain('init-owned-block');
          expect(text).not.toContain('reused-pid-block');
          return true;
        });
        expect(p.stdout() + p.stderr()).not.toMatch(/Removing hosts block "my-notes"/);
      } finally {
        p.kill('SIGTERM');
        await p.exited;
      }
      expect(await readFile(fx.hostsPath, 'utf8')).toBe(`127.0.0.1 localhost\n${HAND_WRITTEN}`);
    });

    it('a block of a live kubefwd makes the start fail with one message, printed once', async () => {
      const id = `pid-${process.pid}-${processStartTime(process.pid) ?? ''}`.replace(/-$/, '');
      const before = `127.0.0.1 localhost\n# kubefwd begin ${id}\n127.1.0.3 live\n# kubefwd end ${id}\n`;
      await writeFile(fx.hostsPath, before);
      const p = fx.start(['-n', 'analytics']);
      const r = await p.exited;
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out.match(new RegExp(`another kubefwd \\(pid ${process.pid}\\)`, 'g'))).toHaveLength(1);
      // Said before the banner: nothing was started or changed.
      expect(out).not.toMatch(/Version|HostFile management/);
      // That one serves no API this user can reach: the way on is to restart it, not to attach.
      expect(out).toContain('It runs without its REST API, so nothing can add to it');
      expect(await readFile(fx.hostsPath, 'utf8')).toBe(before);
    });
  },
);
