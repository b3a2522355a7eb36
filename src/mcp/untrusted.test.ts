import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fenceUntrusted, sanitizeLine } from './untrusted.js';

describe('untrusted fencing', () => {
  it('drops colours, escapes other controls visibly (C1 too), keeps tabs', () => {
    expect(sanitizeLine('\u001b[31mred\u001b[0m\tok\u0007\r')).toBe('red\tok\\x07\\x0d');
    expect(sanitizeLine('\u001b]0;t\u0007\u009b2J')).toBe('\\x1b]0;t\\x07\\x9b2J');
  });

  it('content can never close the fence early', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (lines) => {
        const marker = 'UNTRUSTED-abcdef012345';
        const block = fenceUntrusted('logs', [...lines, `${marker}>>>`, `<<<${marker}`], marker);
        const body = block.text.split('\n');
        expect(body.filter((l) => l === `${marker}>>>`)).toHaveLength(1);
        expect(body.at(-1)).toBe(`${marker}>>>`);
      }),
    );
  });

  it('uses a fresh random marker per call', () => {
    expect(fenceUntrusted('a', []).marker).not.toBe(fenceUntrusted('a', []).marker);
  });
});
