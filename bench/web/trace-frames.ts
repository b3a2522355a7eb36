// Per-frame main-thread cost from a Chromium trace (the events DevTools' performance panel reads).
// A frame's work is the renderer main-thread task in which Blink began that frame
// (`BeginMainThreadFrame`): animation-frame callbacks, the microtasks they queue (Preact's renders),
// style, layout, paint and commit all run inside it. `tdur` is that task's thread CPU time — what
// the page costs whatever else the machine runs; `dur` is its wall-clock time, which grows with the
// machine's load. Pure, so it is tested on hand-made events.

/** The fields of a Chrome trace event this analysis reads. */
export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface FrameCosts {
  /** Thread CPU of each frame's task (ms), in frame order. */
  cpuMs: number[];
  /** Wall-clock duration of each frame's task (ms). */
  wallMs: number[];
  /** Main-thread tasks outside frames longer than 16 ms wall-clock (they delay the next frame). */
  longOtherTasks: number;
}

const TASK = 'RunTask';
const FRAME = 'BeginMainThreadFrame';

/**
 * The renderer main thread (`CrRendererMain`) that began the most frames: the page under test (other
 * renderers — a blank tab, an extension — begin few or none).
 */
export const pageMainThread = (events: readonly TraceEvent[]): { pid: number; tid: number } | undefined => {
  const mains = events.filter(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
  );
  let best: { pid: number; tid: number; frames: number } | undefined;
  for (const m of mains) {
    const frames = events.filter((e) => e.name === FRAME && e.pid === m.pid && e.tid === m.tid).length;
    if (!best || frames > best.frames) best = { pid: m.pid, tid: m.tid, frames };
  }
  return best && { pid: best.pid, tid: best.tid };
};

/** Each frame's task cost on the page's main thread; frames whose task is missing are skipped. */
export const frameCosts = (events: readonly TraceEvent[]): FrameCosts => {
  const main = pageMainThread(events);
  if (!main) return { cpuMs: [], wallMs: [], longOtherTasks: 0 };
  const onMain = (e: TraceEvent): boolean => e.pid === main.pid && e.tid === main.tid;
  // Top-level tasks only: a nested run loop's tasks lie inside their parent's span.
  const tasks = events
    .filter((e) => onMain(e) && e.ph === 'X' && e.name === TASK && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  const top: TraceEvent[] = [];
  for (const t of tasks) {
    const last = top[top.length - 1];
    if (last && t.ts < last.ts + last.dur!) continue;
    top.push(t);
  }
  const frames = events.filter((e) => onMain(e) && e.name === FRAME).sort((a, b) => a.ts - b.ts);
  const used = new Set<TraceEvent>();
  const cpuMs: number[] = [];
  const wallMs: number[] = [];
  let i = 0;
  for (const f of frames) {
    while (i < top.length && top[i]!.ts + top[i]!.dur! < f.ts) i++;
    const t = top[i];
    if (!t || t.ts > f.ts || used.has(t)) continue;
    used.add(t);
    cpuMs.push((t.tdur ?? t.dur!) / 1000);
    wallMs.push(t.dur! / 1000);
  }
  const longOtherTasks = top.filter((t) => !used.has(t) && t.dur! > 16_000).length;
  return { cpuMs, wallMs, longOtherTasks };
};
