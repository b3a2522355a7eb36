import { describe, expect, it } from 'vitest';
import { createHostsWriter } from './hosts-writer.js';
import type { Clock, HostsFilePort } from './ports.js';

const memoryHosts = (initial: string): HostsFilePort & { content: string; updates: number } => {
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

const manualClock = (): Clock & { fire(): void } => {
  const timers: (() => void)[] = [];
  return {
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

describe('hosts writer', () => {
  it('batches changes into one write and removes its block on close', async () => {
    const hosts = memoryHosts('127.0.0.1 localhost\n');
    const clock = manualClock();
    const w = createHostsWriter({
      hosts,
      clock,
      logger: quietLogger,
      emit: () => {},
      blockId: 't1',
      batchMs: 50,
      purgeStale: false,
    });
    for (let i = 1; i <= 20; i++) w.set(`svc${i}`, { ip: `127.9.27.${i}`, hostnames: [`svc${i}`] });
    clock.fire();
    await w.flush();
    expect(hosts.content).toContain('127.9.27.20 svc20');
    expect(w.writes).toBe(1);
    await w.close();
    expect(hosts.content).toBe('127.0.0.1 localhost\n');
  });

  it('close() and flush() return when nothing is pending (no spin on a settled run)', async () => {
    const hosts = memoryHosts('127.0.0.1 localhost\n');
    const clock = manualClock();
    const w = createHostsWriter({
      hosts,
      clock,
      logger: quietLogger,
      emit: () => {},
      blockId: 't2',
      batchMs: 50,
      purgeStale: false,
    });
    clock.fire();
    await w.flush();
    // Nothing dirty now: a run finishes synchronously. close() must still resolve, and a timer
    // must still get to fire (a microtask spin would starve it).
    clock.fire();
    let timerFired = false;
    const t = setTimeout(() => (timerFired = true), 0);
    await w.flush();
    await w.close();
    await new Promise((r) => setTimeout(r, 5));
    clearTimeout(t);
    expect(timerFired).toBe(true);
    expect(hosts.content).toBe('127.0.0.1 localhost\n');
  });
});
