import { describe, expect, it } from 'vitest';
import { reachableAfter, type LinkState } from './connection.js';

const run = (states: LinkState[]): boolean => states.reduce(reachableAfter, true);

describe('reachableAfter', () => {
  it('stays unreachable across the retries after kubefwd stopped, until the stream is live again', () => {
    expect(run(['connecting', 'live'])).toBe(true);
    expect(run(['connecting', 'live', 'connecting', 'offline'])).toBe(false);
    expect(run(['connecting', 'live', 'connecting', 'offline', 'connecting'])).toBe(false);
    expect(run(['connecting', 'offline', 'connecting', 'live'])).toBe(true);
  });

  it('counts a kubefwd that answers 401 as reachable (the login panel explains)', () => {
    expect(run(['offline', 'connecting', 'unauthorized'])).toBe(true);
  });
});
