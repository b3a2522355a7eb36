import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHostsWriter } from './hosts-writer.js';
import type { Clock, HostsFileGateway } from './gateways.js';

const memoryHosts = (initial: string): HostsFileGateway & { content: string; updates: number } => {
  const h = {
    path: '/memory/hosts',
    content: initial,
    updates: 0,
    read: async () => h.content,
    update: async (transform: (c: string) => string) => {
      h.updates++;
      h.content = transform(h.content);
    },
  };
  return h;
};

const manualClock = (): Clock & { fire(): void; readonly pending: number } => {
  const timers: (() => void)[] = [];
  return {
    get pending() {
      return timers.length;
    },
    now: () => 0,
    setTimeout(fn) {
      timers.push(fn);
      return { cancel: () => timers.splice(timers.indexOf(fn) >>> 0, 1) };
    },
    fire() {
      for (const fn of timers.splice(0)) fn();
    },
  };
};

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A writer over an in-memory hosts file and a clock whose timers fire when told; `said`: its warnings. */
const writerOnMemory = (blockId: string, content = '127.0.0.1 localhost\n') => {
  const hosts = memoryHosts(content);
  const clock = manualClock();
  const said: string[] = [];
  const w = createHostsWriter({
    hosts,
    clock,
    logger: { ...quietLogger, warn: (m: string) => said.push(m) },
    emit: () => {},
    blockId,
    batchMs: 50,
    purgeStale: false,
  });
  return { hosts, clock, w, said };
};

describe('hosts writer', () => {
  it('says when its first write removes the block a killed kubefwd left', async () => {
    const big = Array.from({ length: 40 }, (_, i) => `127.1.28.${i + 1} svc${i}`).join('\n');
    const { hosts, clock, w, said } = writerOnMemory(
      'new-1',
      `127.0.0.1 localhost\n# kubefwd begin old-99\n127.1.27.1 db\n# kubefwd end old-99\n# kubefwd begin old-98\n${big}\n# kubefwd end old-98\n`,
    );
    void w.set('a', { ip: '127.9.27.1', hostnames: ['a'] });
    clock.fire();
    await w.flush();
    expect(hosts.content).not.toContain('old-99');
    expect(said).toContain(
      'Removing hosts block "old-99" left by a kubefwd that is no longer running: 127.1.27.1 db',
    );
    // A big block: one line of reasonable length, the rest with -v.
    expect(said).toContain(
      'Removing hosts block "old-98" left by a kubefwd that is no longer running: 127.1.28.1 svc0; 127.1.28.2 svc1; 127.1.28.3 svc2 and 37 more lines (-v lists them)',
    );
  });

  it('warns once when a line outside its block sends one of its names elsewhere', async () => {
    const { hosts, clock, w, said } = writerOnMemory(
      'w1',
      '127.0.0.1 localhost\n10.9.9.9 reports # my own\n127.1.27.4 events events.analytics\n',
    );
    void w.set('reports', { ip: '127.9.27.2', hostnames: ['reports', 'reports.analytics'] });
    clock.fire();
    await w.flush();
    void w.set('events', { ip: '127.9.27.1', hostnames: ['events'] });
    await w.flush();
    expect(hosts.content).toContain('10.9.9.9 reports # my own\n');
    expect(said).toEqual([
      'hosts file /memory/hosts: an earlier line maps reports to 10.9.9.9, so it resolves there, not to 127.9.27.2; remove or change that line to reach the forward by name (kubefwd never edits lines outside its block)',
      // The Go kubefwd's lines have no markers: a crash leaves them, and they come first.
      'hosts file /memory/hosts: an earlier line maps events to 127.1.27.4, so it resolves there, not to 127.9.27.1; that line is in kubefwd’s address range, likely left by an earlier kubefwd: start with -p (--purge-stale-ips) to remove such lines',
    ]);
  });

  it('set() resolves once a write including the entry is done, or has failed', async () => {
    const { hosts, clock, w } = writerOnMemory('t0');
    let written = false;
    void w.set('a', { ip: '127.9.27.1', hostnames: ['a'] }).then(() => (written = true));
    await Promise.resolve();
    expect(written).toBe(false);
    clock.fire();
    await w.flush();
    expect(written).toBe(true);
    expect(hosts.content).toContain('127.9.27.1 a');
    // Unchanged: nothing pending, resolved at once.
    await w.set('a', { ip: '127.9.27.1', hostnames: ['a'] });
    // A failing write settles its waiters too (the entry stays pending and is retried).
    hosts.update = () => Promise.reject(new Error('read-only file system'));
    const failed = w.set('b', { ip: '127.9.27.2', hostnames: ['b'] });
    clock.fire();
    await failed;
    expect(hosts.content).not.toContain('127.9.27.2');
  });

  it('batches changes into one write and removes its block on close', async () => {
    const { hosts, clock, w } = writerOnMemory('t1');
    for (let i = 1; i <= 20; i++) void w.set(`svc${i}`, { ip: `127.9.27.${i}`, hostnames: [`svc${i}`] });
    clock.fire();
    await w.flush();
    expect(hosts.content).toContain('127.9.27.20 svc20');
    expect(w.writes).toBe(1);
    await w.close();
    expect(hosts.content).toBe('127.0.0.1 localhost\n');
  });

  it('close() leaves no timer behind, not even the retry of a write that failed while it waited', async () => {
    const { hosts, clock, w } = writerOnMemory('t2');
    hosts.update = () => Promise.reject(new Error('read-only file system'));
    void w.set('a', { ip: '127.9.27.1', hostnames: ['a'] });
    clock.fire(); // the write starts and fails; close() waits for it
    await w.close();
    expect(clock.pending).toBe(0);
  });

  // A regression here spins forever in the microtask queue (timers and signals starve), which no
  // in-process timeout can catch, so the scenario runs in a child process against the built module.
  const built = join(dirname(fileURLToPath(import.meta.url)), '../../dist/src/engine/hosts-writer.js');
  it.skipIf(!existsSync(built))(
    'close() resolves after a batch timer fires with nothing left to write (no spin on a settled run)',
    async () => {
      const script = `
        const { createHostsWriter } = await import(${JSON.stringify(pathToFileURL(built).href)});
        let content = '127.0.0.1 localhost\\n';
        const hosts = { path: 'mem', read: async () => content, update: async (t) => { content = t(content); } };
        const timers = [];
        const clock = { now: () => 0, setTimeout(fn) { timers.push(fn); return { cancel() { const i = timers.indexOf(fn); if (i >= 0) timers.splice(i, 1); } }; } };
        const fire = () => { for (const fn of timers.splice(0)) fn(); };
        const log = { debug() {}, info() {}, warn() {}, error() {} };
        const w = createHostsWriter({ hosts, clock, logger: log, emit() {}, blockId: 't3', batchMs: 50, purgeStale: false });
        fire();                                              // the initial write starts...
        w.set('a', { ip: '127.9.27.1', hostnames: ['a'] });  // ...a change arrives mid-write and arms a timer
        await new Promise((r) => setTimeout(r, 5));          // the running loop writes the change itself
        fire();                                              // the timer fires with nothing dirty
        await w.close();
        process.stdout.write(content === '127.0.0.1 localhost\\n' ? 'closed-clean' : 'closed-dirty');
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        timeout: 10_000,
        encoding: 'utf8',
      });
      expect(r.signal, 'the child hung and was killed').toBeNull();
      expect(r.stdout).toBe('closed-clean');
    },
  );
});

describe('hosts writer during a burst of changes', () => {
  it('waits twice as long before each write of a burst (up to 1 s), and starts over after a quiet second', async () => {
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock: Clock = {
      now: () => now,
      setTimeout(fn, ms) {
        const t = { at: now + ms, fn };
        timers.push(t);
        return { cancel: () => timers.splice(timers.indexOf(t) >>> 0, 1) };
      },
    };
    const hosts = memoryHosts('127.0.0.1 localhost\n');
    const writeTimes: number[] = [];
    const update = hosts.update.bind(hosts);
    hosts.update = async (transform) => {
      writeTimes.push(now);
      await update(transform);
    };
    const w = createHostsWriter({
      hosts,
      clock,
      logger: quietLogger,
      emit: () => {},
      blockId: 'burst',
      batchMs: 50,
      purgeStale: false,
    });
    /** Moves the clock on by `ms`, running the timers that come due. */
    const advance = async (ms: number): Promise<void> => {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now);
        if (due.length === 0) return;
        for (const t of due) timers.splice(timers.indexOf(t), 1);
        for (const t of due) t.fn();
        await new Promise((r) => setTimeout(r, 0));
      }
    };
    await advance(0); // the initial write
    writeTimes.length = 0;
    // A change every 10 ms for 5 s.
    for (let i = 0; i < 500; i++) {
      void w.set(`svc-${i}`, {
        ip: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        hostnames: [`svc-${i}`],
      });
      await advance(10);
    }
    const gaps = writeTimes.slice(1).map((t, i) => t - writeTimes[i]!);
    expect(gaps.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(Math.max(...gaps)).toBe(1000);
    expect(writeTimes.length).toBeLessThanOrEqual(10);
    // After a quiet second, a change is written after batchMs again.
    await advance(3000);
    const t0 = now;
    void w.set('late', { ip: '127.1.9.1', hostnames: ['late'] });
    await advance(50);
    expect(writeTimes.at(-1)).toBe(t0 + 50);
    await w.close();
  });
});
