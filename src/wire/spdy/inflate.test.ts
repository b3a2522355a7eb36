import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inflateSimpleBlocks } from './inflate.js';

const { Z_SYNC_FLUSH, Z_FIXED } = zlib.constants;
const LIMIT = 1024 * 1024;

/** Raw deflate ending at a sync flush (no final block), as a SPDY peer sends a header block. */
const deflate = (data: Buffer, options: zlib.ZlibOptions = {}): Buffer =>
  zlib.deflateRawSync(data, { finishFlush: Z_SYNC_FLUSH, ...options });

const bytes = fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a));
/** Repetitive bytes: deflate refers back into them (and into the window). */
const repetitive = fc
  .array(fc.constantFrom('port', 'requestid', 'streamtype', 'data', 'error', '\0\0\0', '8080'), {
    maxLength: 400,
  })
  .map((words) => Buffer.from(words.join(''), 'latin1'));

describe('inflateSimpleBlocks', () => {
  it('decodes fixed-Huffman blocks that refer back into the window, as zlib does', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, repetitive), fc.oneof(bytes, repetitive), (data, window) => {
        const options = { strategy: Z_FIXED, ...(window.length > 0 ? { dictionary: window } : {}) };
        expect(inflateSimpleBlocks(deflate(data, options), window, LIMIT)).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes stored blocks', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(inflateSimpleBlocks(deflate(data, { level: 0 }), Buffer.alloc(0), LIMIT)).toEqual(data);
      }),
      { numRuns: 100 },
    );
    const big = Buffer.alloc(150_000, 7); // more than one stored block (65,535 bytes each)
    expect(inflateSimpleBlocks(deflate(big, { level: 0 }), Buffer.alloc(0), LIMIT)).toEqual(big);
  });

  it('leaves dynamic-Huffman blocks, final blocks and broken input to zlib (undefined)', () => {
    const text = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(200));
    const dynamic = deflate(text, { strategy: zlib.constants.Z_DEFAULT_STRATEGY, level: 9 });
    expect((dynamic[0]! >> 1) & 3).toBe(2); // zlib chose a dynamic block here
    expect(inflateSimpleBlocks(dynamic, Buffer.alloc(0), LIMIT)).toBeUndefined();
    const final = zlib.deflateRawSync(Buffer.from('x'), { strategy: Z_FIXED });
    expect(inflateSimpleBlocks(final, Buffer.alloc(0), LIMIT)).toBeUndefined();
    const fixed = deflate(Buffer.from('port8080port8080port8080'), { strategy: Z_FIXED });
    expect(inflateSimpleBlocks(fixed.subarray(0, fixed.length - 6), Buffer.alloc(0), LIMIT)).toBeUndefined();
    // A back-reference further back than the window: zlib's error, not ours.
    const refers = deflate(Buffer.from('hello'), { strategy: Z_FIXED, dictionary: Buffer.from('hello') });
    expect(inflateSimpleBlocks(refers, Buffer.alloc(0), LIMIT)).toBeUndefined();
  });

  it('refuses output past the limit, fixed Huffman and stored alike, rather than growing', () => {
    const zeros = Buffer.alloc(200_000);
    expect(() =>
      inflateSimpleBlocks(deflate(zeros, { strategy: Z_FIXED }), Buffer.alloc(0), 100_000),
    ).toThrow(/more than 100000 bytes/);
    expect(() => inflateSimpleBlocks(deflate(zeros, { level: 0 }), Buffer.alloc(0), 100_000)).toThrow(
      /more than 100000 bytes/,
    );
  });
});
