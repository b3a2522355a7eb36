import { describe, expect, it } from 'vitest';
import { formatDuration, formatUptime } from './duration.js';

describe('Go-style durations', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [0.85, '850µs'],
    [12.5, '12.5ms'],
    [1500, '1.5s'],
    [123_000, '2m3s'],
    [8_130_000, '2h15m30s'],
    [3_600_000, '1h0m0s'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
  it('uptime rounds to seconds', () => expect(formatUptime(65_499)).toBe('1m5s'));
});
