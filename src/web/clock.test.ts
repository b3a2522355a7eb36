import { describe, expect, it } from 'vitest';
import { time, withRetry } from './clock.js';

describe('web clock', () => {
  it('says a retry as the time it happens, which stays true on a page not re-rendered', () => {
    const at = '2026-12-07T19:14:05Z';
    expect(withRetry('cannot connect to pod busy-0: too busy', at)).toBe(
      `cannot connect to pod busy-0: too busy · next try at ${time(at)}`,
    );
    expect(withRetry('no ready pod', undefined)).toBe('no ready pod');
    expect(withRetry(undefined, at)).toBeUndefined();
    expect(time('garbage')).toBe('garbage');
  });
});
