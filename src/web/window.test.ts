import { describe, expect, it } from 'vitest';
import { visibleRange } from './window.js';

describe('visibleRange', () => {
  it('covers the viewport plus the overscan, clamped to the list', () => {
    expect(visibleRange(500, 100, 0, 800, 40, 10)).toEqual({ start: 0, end: 28 });
    expect(visibleRange(500, 100, 4100, 800, 40, 10)).toEqual({ start: 90, end: 130 });
    expect(visibleRange(500, 100, 1e6, 800, 40, 10)).toEqual({ start: 500, end: 500 });
    expect(visibleRange(5, 100, 0, 800, 40, 10)).toEqual({ start: 0, end: 5 });
    expect(visibleRange(0, 0, 0, 800)).toEqual({ start: 0, end: 0 });
  });
});
