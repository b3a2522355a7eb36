import { describe, expect, it } from 'vitest';
import { forwardFixture as fwd } from '../domain/forward-fixture.js';
import { DEFAULT_SORT } from '../tui/rows.js';
import { groupRows } from './groups.js';

describe('groupRows', () => {
  it('counts a forward re-dialling after a failure as an error, as the API and TUI do; one still starting not', () => {
    const [g] = groupRows(
      [
        fwd('a', {}),
        fwd('b', { status: 'Error', error: 'refused' }),
        fwd('c', {
          status: 'Connecting',
          error: 'no TLS handshake within 30 s',
          errorCode: 'API_UNREACHABLE',
        }),
        fwd('d', { status: 'Connecting' }),
      ],
      '',
      DEFAULT_SORT,
    );
    expect(g).toMatchObject({ key: 'shop.sim', active: 1, errors: 2 });
  });
});

describe('groupRows errors', () => {
  it('counts an Active forward whose connections fail as its group’s error, as the header does', () => {
    const now = Date.now();
    const [g] = groupRows(
      [
        fwd('a', {}),
        fwd('b', {
          lastConnectionError: 'connection refused',
          lastConnectionErrorAt: new Date(now - 5000).toISOString(),
        }),
      ],
      '',
      DEFAULT_SORT,
      now,
    );
    expect(g).toMatchObject({ active: 2, errors: 1 });
  });
});
