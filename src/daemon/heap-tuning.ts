// The V8 heap setting of a process that forwards traffic (issue 18).
//
// Node gives every socket read a fresh buffer (16 KiB per TLS record, up to 64 KiB per TCP read):
// about 2 GiB of short-lived buffers per GiB forwarded. V8 counts the ones not yet collected
// against the old generation's limit, which by default it sets only a small factor above the live
// heap. With the daemon's ~15-20 MB heap, bursts of dead read buffers crossed that limit again and
// again, and every crossing ran a full mark-compact: 49 of them during one 2 GiB download through
// `kubefwd svc` (80 in a 2 GiB download on 2026-12-06, CPU 4.86 s against 2.51 with the setting).
//
// What prevents that is room above the live heap, in megabytes, not a factor: 2 GiB downloads
// through daemons with an 18 MB live heap ran 2 full collections at factor 3 or 5 (2.2-2.5 CPU s)
// and 120 at factor 2 (3.5-4.4 s). A fixed factor large enough for a small heap is too large for
// a bigger one: at factor 5, the 22 MB heap of a daemon under the soak's load kept ~110 MB
// committed, and RSS crept up for half an hour while the committed heap approached that limit
// (bench/README.md, "soak"). So the factor follows the live heap: room of twice the live heap,
// and never less than MIN_HEADROOM_BYTES. The flag is read at each limit computation, so setting
// it after each full collection (when the live heap is known) applies from the next one, and works
// in the standalone executable too (no command-line flags there).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** Room above the live heap that dead read buffers need (see the file comment). */
export const MIN_HEADROOM_BYTES = 48 * 1024 * 1024;
/** The old generation may grow to at least (1 + this/100) times the live heap: room of 2x. */
export const MIN_GROWING_PERCENT = 200;
/** A cap for tiny heaps (a fresh process's few MB), where MIN_HEADROOM_BYTES sets the room. */
export const MAX_GROWING_PERCENT = 1200;
/** Steps the percent moves in, so a live heap that wobbles does not reset the flag each time. */
const STEP = 25;

/**
 * V8's `--heap-growing-percent` for a live heap of `liveBytes`: room above it of twice its size,
 * or MIN_HEADROOM_BYTES if that is more. Pure; rounded up to a step of 25.
 */
export const growingPercentFor = (liveBytes: number): number => {
  if (!(liveBytes > 0)) return MAX_GROWING_PERCENT;
  const percent = Math.ceil((MIN_HEADROOM_BYTES / liveBytes) * (100 / STEP)) * STEP;
  return Math.min(MAX_GROWING_PERCENT, Math.max(MIN_GROWING_PERCENT, percent));
};

export interface HeapTuningDeps {
  setV8Flags: (flags: string) => void;
  /** The heap in use now; read right after a full collection, it is the live heap. */
  usedHeapBytes: () => number;
  /** Calls `fn` after each full collection; returns how to stop. */
  afterFullCollection: (fn: () => void) => () => void;
}

const afterMarkCompact = (fn: () => void): (() => void) => {
  const observer = new PerformanceObserver((list) => {
    const entries = list.getEntries() as { detail?: { kind?: number } }[];
    if (entries.some((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) fn();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
};

export const defaultHeapTuningDeps = (): HeapTuningDeps => ({
  setV8Flags: setFlagsFromString,
  usedHeapBytes: () => getHeapStatistics().used_heap_size,
  afterFullCollection: afterMarkCompact,
});

export interface HeapTuning {
  /** The percent set last. */
  readonly percent: number;
  /** The heap in use right after the last full collection (the live heap); undefined before one. */
  readonly liveBytes: number | undefined;
  /** Full collections since start. */
  readonly fullCollections: number;
  stop(): void;
}

/** Sets the growing factor for the heap now and again after every full collection (`overrides`: for tests). */
export const tuneHeapForForwarding = (overrides: Partial<HeapTuningDeps> = {}): HeapTuning => {
  const deps = { ...defaultHeapTuningDeps(), ...overrides };
  let percent = 0;
  let liveBytes: number | undefined;
  let fullCollections = 0;
  const apply = (used: number): void => {
    const next = growingPercentFor(used);
    if (next === percent) return;
    percent = next;
    deps.setV8Flags(`--heap-growing-percent=${percent}`);
  };
  apply(deps.usedHeapBytes());
  const stop = deps.afterFullCollection(() => {
    fullCollections++;
    liveBytes = deps.usedHeapBytes();
    apply(liveBytes);
  });
  return {
    get percent() {
      return percent;
    },
    get liveBytes() {
      return liveBytes;
    },
    get fullCollections() {
      return fullCollections;
    },
    stop,
  };
};
