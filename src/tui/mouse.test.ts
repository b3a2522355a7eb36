import { describe, expect, it } from 'vitest';
import { isMouseReport, parseMouse } from './mouse.js';

describe('parseMouse', () => {
  it('reads wheel and left clicks from SGR reports, with or without the ESC', () => {
    expect(parseMouse('[<64;10;7M')).toEqual({ kind: 'wheel', delta: -1, x: 10, y: 7 });
    expect(parseMouse('\x1b[<65;1;2M')).toEqual({ kind: 'wheel', delta: 1, x: 1, y: 2 });
    expect(parseMouse('[<0;5;9M')).toEqual({ kind: 'click', x: 5, y: 9 });
  });

  it('ignores releases, drags, other buttons and plain text', () => {
    expect(parseMouse('[<0;5;9m')).toBeUndefined();
    expect(parseMouse('[<32;5;9M')).toBeUndefined();
    expect(parseMouse('[<2;5;9M')).toBeUndefined();
    expect(parseMouse('j')).toBeUndefined();
    expect(isMouseReport('[<0;5;9m')).toBe(true);
    expect(isMouseReport('[x')).toBe(false);
  });
});
