// Per-forward traffic samples taken once a second: cumulative byte counters in a fixed ring
// (typed arrays, no allocation per sample), from which instant and windowed average rates come.
// Rates follow kubefwd's guards: 0 with fewer than two samples, a non-positive time step, or
// counters that went backwards.

export interface SampleRing {
  push(at: number, bytesIn: number, bytesOut: number): void;
  readonly length: number;
  /** The i-th newest sample (0 = newest), or undefined. */
  at(i: number): { at: number; bytesIn: number; bytesOut: number } | undefined;
  /** Oldest first, the newest `n` (default all). */
  list(n?: number): { at: number; bytesIn: number; bytesOut: number }[];
}

export const DEFAULT_SAMPLES = 60;
/** The averaging window of `avgRate*`, in samples (10 s at one sample a second). */
export const AVERAGE_WINDOW = 10;

export const createSampleRing = (capacity = DEFAULT_SAMPLES): SampleRing => {
  const ats = new Float64Array(capacity);
  const ins = new Float64Array(capacity);
  const outs = new Float64Array(capacity);
  let next = 0;
  let length = 0;
  const get = (i: number) => {
    if (i < 0 || i >= length) return undefined;
    const idx = (next - 1 - i + capacity * 2) % capacity;
    return { at: ats[idx]!, bytesIn: ins[idx]!, bytesOut: outs[idx]! };
  };
  return {
    push(at, bytesIn, bytesOut) {
      ats[next] = at;
      ins[next] = bytesIn;
      outs[next] = bytesOut;
      next = (next + 1) % capacity;
      if (length < capacity) length++;
    },
    get length() {
      return length;
    },
    at: get,
    list(n = length) {
      const out: { at: number; bytesIn: number; bytesOut: number }[] = [];
      for (let i = Math.min(n, length) - 1; i >= 0; i--) out.push(get(i)!);
      return out;
    },
  };
};

/** Bytes per second between the sample `back` steps ago and the newest. */
export const rateOver = (ring: SampleRing, back: number): { rateIn: number; rateOut: number } => {
  const newest = ring.at(0);
  const older = ring.at(Math.min(back, ring.length - 1));
  if (!newest || !older || older === newest || ring.length < 2) return { rateIn: 0, rateOut: 0 };
  const dt = (newest.at - older.at) / 1000;
  if (!(dt > 0)) return { rateIn: 0, rateOut: 0 };
  const dIn = newest.bytesIn - older.bytesIn;
  const dOut = newest.bytesOut - older.bytesOut;
  return { rateIn: dIn >= 0 ? dIn / dt : 0, rateOut: dOut >= 0 ? dOut / dt : 0 };
};

export const instantRate = (ring: SampleRing) => rateOver(ring, 1);
export const averageRate = (ring: SampleRing, window = AVERAGE_WINDOW) => rateOver(ring, window);
