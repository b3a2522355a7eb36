import { describe, expect, it } from 'vitest';
import { emptyListText, UNREACHABLE_TEXT } from './list-message.js';

describe('emptyListText', () => {
  it('does not say "Nothing is forwarded yet" while kubefwd cannot be reached', () => {
    expect(emptyListText(0, 0, false)).not.toMatch(/Nothing is forwarded/);
    expect(emptyListText(0, 0, false)).toMatch(/could not be reached/);
    expect(emptyListText(0, 0, true)).toMatch(/^Nothing is forwarded yet/);
  });

  it('shows the last known rows (no line) and says when a filter hides them all', () => {
    expect(emptyListText(3, 3, false)).toBeUndefined();
    expect(emptyListText(3, 0, true)).toBe('No forward matches the filter.');
  });

  it('tells how to start kubefwd again and get a new login link', () => {
    expect(UNREACHABLE_TEXT).toContain('sudo -E kubefwd');
    expect(UNREACHABLE_TEXT).toContain('kubefwd open');
  });
});
