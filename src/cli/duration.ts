// Go's time.ParseDuration syntax (`5m`, `10s`, `1h30m`, `1.5s`, `300ms`), because kubefwd's
// --resync-interval and --retry-interval take Go durations.
import { KubefwdError } from '../contract/errors.js';

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration; throws INVALID_INPUT naming `flag` for anything else. */
export const parseDuration = (text: string, flag: string): number => {
  const bad = (): KubefwdError =>
    new KubefwdError('INVALID_INPUT', `invalid duration "${text}" for ${flag}`, {
      field: flag,
      hint: 'Use a Go duration such as 10s, 5m, 1h30m or 500ms.',
    });
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '' || !/^[0-9.]/.test(s)) throw bad();
  let total = 0;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw bad();
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return Math.round(total);
};
