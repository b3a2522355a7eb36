import { describe, expect, it } from 'vitest';
import { formatDuration, formatRetry, retrySuffix } from './time-format.js';

describe('time format', () => {
  it('formats durations as kubefwd does', () => {
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(185_000)).toBe('3m 5s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h 5m');
    expect(formatDuration(27 * 3600_000)).toBe('1d 3h');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('says when the next retry is', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(formatRetry(undefined, now)).toBeUndefined();
    expect(formatRetry('garbage', now)).toBeUndefined();
    expect(formatRetry('2026-01-01T00:00:04Z', now)).toBe('retry in 4s');
    expect(formatRetry('2025-12-31T23:59:59Z', now)).toBe('retrying…');
  });

  it('adds the retry after a reason only when one is planned', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retrySuffix('2026-01-01T00:01:05Z', now)).toBe(' · retry in 1m 5s');
    expect(retrySuffix(undefined, now)).toBe('');
  });
});
