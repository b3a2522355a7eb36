import { describe, expect, it } from 'vitest';
import { createPacer, type PacedRow, type Scheduler } from './pacer.js';

/** Frames run only when the test says so. */
const manualFrames = (): Scheduler & { tick(): void; waiting(): number } => {
  let next = 1;
  const fns = new Map<number, () => void>();
  return {
    request(fn) {
      fns.set(next, fn);
      return next++;
    },
    cancel: (id) => void fns.delete(id),
    tick() {
      const now = [...fns.values()];
      fns.clear();
      for (const fn of now) fn();
    },
    waiting: () => fns.size,
  };
};

/** A row that is stale until refreshed. */
const row = (log: string[], key: string): PacedRow & { dirty: boolean } => {
  const r = {
    dirty: true,
    stale: () => r.dirty,
    refresh() {
      r.dirty = false;
      log.push(key);
    },
  };
  return r;
};

describe('pacer', () => {
  it('refreshes at most perFrame stale rows a frame, oldest first, until all are current', () => {
    const frames = manualFrames();
    const p = createPacer(frames, 3);
    const log: string[] = [];
    const rows = Array.from({ length: 7 }, (_, i) => row(log, `r${i}`));
    rows.forEach((r, i) => p.register(`r${i}`, r));
    p.check();
    expect(frames.waiting()).toBe(1);
    frames.tick();
    expect(log).toEqual(['r0', 'r1', 'r2']);
    frames.tick();
    frames.tick();
    expect(log).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(frames.waiting()).toBe(0);
    expect(p.pending()).toBe(0);
  });

  it('queues nothing for current rows and asks for no frame', () => {
    const frames = manualFrames();
    const p = createPacer(frames);
    const r = row([], 'a');
    r.dirty = false;
    p.register('a', r);
    p.check();
    expect(frames.waiting()).toBe(0);
  });

  it('skips rows unmounted or made current while queued, without spending the frame on them', () => {
    const frames = manualFrames();
    const p = createPacer(frames, 2);
    const log: string[] = [];
    const a = row(log, 'a');
    const b = row(log, 'b');
    const c = row(log, 'c');
    const unregisterA = p.register('a', a);
    p.register('b', b);
    p.register('c', c);
    p.check();
    unregisterA();
    b.dirty = false; // its parent re-rendered it
    frames.tick();
    expect(log).toEqual(['c']);
  });

  it('checks repeatedly without queueing a row twice or asking for two frames', () => {
    const frames = manualFrames();
    const p = createPacer(frames, 8);
    const log: string[] = [];
    p.register('a', row(log, 'a'));
    p.check();
    p.check();
    expect(frames.waiting()).toBe(1);
    frames.tick();
    expect(log).toEqual(['a']);
  });

  it('close cancels the pending frame', () => {
    const frames = manualFrames();
    const p = createPacer(frames);
    p.register('a', row([], 'a'));
    p.check();
    p.close();
    expect(frames.waiting()).toBe(0);
  });
});
