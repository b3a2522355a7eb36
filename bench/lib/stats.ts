// Small statistics helpers shared by every bench section.

export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** Nearest-rank percentile (p in 0..100); NaN for no samples. */
export const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
};

/** Runs `fn` `n` times one after the other and returns the results. */
export async function trials<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

export const round = (x: number, digits = 1): number => {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** `x` as a multiple of `base` ("1.15x"), or undefined when either is missing or the base is 0. */
export const ratioText = (x: number | undefined, base: number | undefined): string | undefined =>
  x === undefined || base === undefined || base === 0 ? undefined : `${round(x / base, 2)}x`;

export const MiB = 1024 * 1024;
