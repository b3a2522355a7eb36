// The bench's per-frame figure (bench/web/trace-frames.ts) on hand-made trace events: a frame's cost
// is the page main thread's task that began it — its thread CPU and its wall-clock time.
import { describe, expect, it } from 'vitest';
import { frameCosts, pageMainThread, type TraceEvent } from '../../bench/web/trace-frames.js';

const thread = (pid: number, tid: number, name: string): TraceEvent => ({
  name: 'thread_name',
  ph: 'M',
  ts: 0,
  pid,
  tid,
  args: { name },
});
const task = (pid: number, ts: number, dur: number, tdur: number): TraceEvent => ({
  name: 'RunTask',
  ph: 'X',
  ts,
  dur,
  tdur,
  pid,
  tid: pid,
});
const frame = (pid: number, ts: number): TraceEvent => ({
  name: 'BeginMainThreadFrame',
  ph: 'I',
  ts,
  pid,
  tid: pid,
});

describe('trace frames', () => {
  it('picks the renderer main thread that began the most frames', () => {
    const events = [
      thread(1, 1, 'CrBrowserMain'),
      thread(2, 2, 'CrRendererMain'),
      thread(3, 3, 'CrRendererMain'),
      frame(3, 10),
      frame(3, 20),
      frame(2, 30),
    ];
    expect(pageMainThread(events)).toEqual({ pid: 3, tid: 3 });
    expect(pageMainThread([thread(1, 1, 'CrBrowserMain')])).toBeUndefined();
  });

  it('costs each frame as the task containing its start: CPU from tdur, wall from dur (µs → ms)', () => {
    const events = [
      thread(2, 2, 'CrRendererMain'),
      task(2, 1000, 4000, 3000), // frame 1's task
      frame(2, 1100),
      task(2, 6000, 30_000, 1000), // not a frame: a long network task
      task(2, 40_000, 20_000, 12_000), // frame 2's task (descheduled: wall > CPU)
      frame(2, 40_500),
      task(2, 41_000, 100, 100), // nested inside frame 2's task: not top-level
      task(9, 40_000, 99_000, 99_000), // another process
    ];
    const c = frameCosts(events);
    expect(c.cpuMs).toEqual([3, 12]);
    expect(c.wallMs).toEqual([4, 20]);
    expect(c.longOtherTasks).toBe(1);
  });

  it('skips a frame whose task is missing from the trace and counts a task once', () => {
    const events = [
      thread(2, 2, 'CrRendererMain'),
      frame(2, 500), // trace began inside this frame's task
      task(2, 1000, 2000, 1500),
      frame(2, 1200),
      frame(2, 1300), // two frame starts in one task: one frame's cost
    ];
    expect(frameCosts(events).cpuMs).toEqual([1.5]);
  });

  it('gives no frames for a trace without the page', () => {
    expect(frameCosts([])).toEqual({ cpuMs: [], wallMs: [], longOtherTasks: 0 });
  });
});
