import { describe, expect, it } from 'vitest';
import { waitAsAsked } from './retry-after.js';

describe('waitAsAsked', () => {
  it('waits the longer of the backoff and the server, up to the longest backoff', () => {
    expect(waitAsAsked(1_000, undefined, 30_000)).toBe(1_000);
    expect(waitAsAsked(1_000, 7_000, 30_000)).toBe(7_000);
    expect(waitAsAsked(8_000, 500, 30_000)).toBe(8_000);
    expect(waitAsAsked(1_000, 3_600_000, 30_000)).toBe(30_000);
  });
});
