import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { displayWidth, fit, fitRight, wrapText } from './width.js';

describe('width', () => {
  it('fits text to a column, with an ellipsis when cut', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fitRight('7', 3)).toBe('  7');
    expect(fit('x', 0)).toBe('');
    expect(fit('abc', 1)).toBe('…');
  });

  it('counts wide CJK characters and emoji as two columns, as ink lays them out', () => {
    expect(displayWidth('支付服务')).toBe(8);
    expect(displayWidth('cache-🚀')).toBe(8);
    expect(fit('支付服务', 10)).toBe('支付服务  ');
    expect(fitRight('支付', 6)).toBe('  支付');
    // A wide character that would straddle the edge is dropped and its column padded.
    expect(fit('支付服务网关', 6)).toBe('支付 …');
    expect(fit('支付服务网关', 7)).toBe('支付服…');
    expect(fit('🚀🚀🚀', 4)).toBe('🚀 …');
  });

  it('always gives exactly the column width, measured as ink measures it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 80 }), (s, w) => {
        expect(stringWidth(fit(s, w))).toBe(w);
        expect(stringWidth(fitRight(s, w))).toBe(w);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(displayWidth(s)).toBe(stringWidth(s));
      }),
    );
  });
});

describe('wrapText', () => {
  it('breaks at spaces within the width, indents what follows, cuts only words longer than a line', () => {
    expect(wrapText('short', 20)).toEqual(['short']);
    expect(
      wrapText('STATUS: Error - cannot create pods/portforward in namespace "shop" (context "sim")', 30),
    ).toEqual([
      'STATUS: Error - cannot create',
      '  pods/portforward in',
      '  namespace "shop" (context',
      '  "sim")',
    ]);
    const long = wrapText(`x ${'a'.repeat(25)}`, 10);
    expect(long.every((l) => l.length <= 10)).toBe(true);
    expect(long.join('').replace(/ /g, '')).toBe(`x${'a'.repeat(25)}`);
  });
});
