import { describe, expect, it } from 'vitest';
import { summarize } from './forward-counts.js';
import { forwardFixture as fwd } from './forward-fixture.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

describe('summarize', () => {
  it('counts an Active forward whose pod refuses its connections as an error (the TUI and API call it an issue), and as active', () => {
    const s = summarize(
      [
        fwd('a', {}),
        fwd('b', {
          lastConnectionError: 'connection refused',
          lastConnectionErrorAt: new Date(NOW - 5000).toISOString(),
        }),
        fwd('c', { status: 'Error', error: 'refused', reconnects: 2 }),
        fwd('d', { status: 'Waiting', reason: 'no pod' }),
      ],
      NOW,
    );
    expect(s).toEqual({ active: 2, errors: 2, waiting: 1, rateIn: 4, rateOut: 8, reconnects: 2 });
  });

  it('stops counting it once the failure is old or a later connection was answered', () => {
    const s = summarize(
      [
        fwd('old', {
          lastConnectionError: 'connection refused',
          lastConnectionErrorAt: new Date(NOW - 10 * 60_000).toISOString(),
        }),
        fwd('healed', {
          lastConnectionError: 'connection refused',
          lastConnectionErrorAt: new Date(NOW - 5000).toISOString(),
          lastAnsweredAt: new Date(NOW - 1000).toISOString(),
        }),
      ],
      NOW,
    );
    expect(s).toMatchObject({ active: 2, errors: 0 });
  });
});
