import { describe, expect, it } from 'vitest';
import { uptimeMs } from './summary.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

describe('uptimeMs', () => {
  it('has no uptime while kubefwd cannot be reached, so it stops counting', () => {
    expect(uptimeMs(NOW - 60_000, true, NOW)).toBe(60_000);
    expect(uptimeMs(NOW - 60_000, false, NOW)).toBeUndefined();
    expect(uptimeMs(undefined, true, NOW)).toBeUndefined();
  });
});
