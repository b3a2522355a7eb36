// Go's time.ParseDuration syntax (`5m`, `10s`, `1h30m`, `1.5s`, `300ms`), because kubefwd's
// --resync-interval and --retry-interval take Go durations.
import { KubefwdError } from '../contract/errors.js';

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2_147_483_647;

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
  const ms = Math.round(total);
  // Node fires a setTimeout longer than 2^31-1 ms after 1 ms, which would turn "wait a long time"
  // into "retry in a tight loop"; refuse such values instead (24.8 days is plenty).
  if (!Number.isFinite(ms) || ms > MAX_TIMER_MS)
    throw new KubefwdError('INVALID_INPUT', `duration "${text}" for ${flag} is too long (at most 596h)`, {
      field: flag,
      hint: 'Use a duration up to 596h (the longest a timer can wait).',
    });
  return ms;
};
