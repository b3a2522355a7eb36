// What the real clients print, read into figures (pure, tested in test/bench/clients-parse.test.ts).

/**
 * `redis-benchmark --csv`: a header line, then one line per test ("GET","13157.89",…). Returns the
 * requests per second of each test by name.
 */
export const parseRedisBenchmarkCsv = (text: string): Map<string, number> => {
  const rates = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^"([^"]+)","([0-9.]+)"/.exec(line.trim());
    if (m?.[1] !== undefined && m[1] !== 'test') rates.set(m[1], Number(m[2]));
  }
  return rates;
};

export interface PgbenchResult {
  /** Transactions per second, as pgbench reports it (with -C, including the reconnections). */
  tps: number;
  transactions: number;
  /** Failed transactions (pgbench 15 reports them; 0 when the line is absent). */
  failed: number;
}

/** pgbench's summary: "number of transactions actually processed: N" and "tps = X (…)". */
export const parsePgbench = (text: string): PgbenchResult | undefined => {
  const tps = /^tps = ([0-9.]+)/m.exec(text)?.[1];
  const processed = /^number of transactions actually processed: (\d+)/m.exec(text)?.[1];
  if (tps === undefined || processed === undefined) return undefined;
  const failed = /^number of failed transactions: (\d+)/m.exec(text)?.[1];
  return { tps: Number(tps), transactions: Number(processed), failed: Number(failed ?? 0) };
};
