import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from './dictionary.js';
import {
  HeaderCompressor,
  HeaderDecompressor,
  decodeHeaderBlock,
  encodeHeaderBlock,
  type SpdyHeaders,
} from './headers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY header blocks', () => {
  it('encodes the uncompressed name/value block (known bytes)', () => {
    expect(encodeHeaderBlock({ port: '80' })).toEqual(hex('00000001 00000004 706f7274 00000002 3830'));
    expect(encodeHeaderBlock({})).toEqual(hex('00000000'));
  });
  it('lower-cases names and joins repeated values with NUL', () => {
    const block = hex('00000002 00000001 41 00000001 31 00000001 61 00000001 32');
    expect(decodeHeaderBlock(block)).toEqual({ a: '1\u00002' });
    expect(decodeHeaderBlock(encodeHeaderBlock({ StreamType: 'data' }))).toEqual({ streamtype: 'data' });
  });
  it('treats names like Object.prototype members as plain names', () => {
    for (const name of ['constructor', '__proto__', 'valueof', 'hasownproperty', 'tostring']) {
      const h = { [name]: 'x' };
      expect({ ...decodeHeaderBlock(encodeHeaderBlock(h)) }).toEqual(h);
      expect(Object.keys(decodeHeaderBlock(encodeHeaderBlock(h)))).toEqual([name]);
    }
  });
  it('rejects a truncated block', () => {
    expect(() => decodeHeaderBlock(hex('00000001 00000004 706f'))).toThrow(/truncated/);
  });

  it('first compressed block starts with the zlib header naming the SPDY/3 dictionary (FDICT, id e3c6a7c2)', () => {
    const c = new HeaderCompressor();
    const first = c.compress({ streamtype: 'error', port: '80', requestid: '0' });
    // CMF: deflate (8) with a small window (the compressor's memory is per session); FLG: FDICT set,
    // header check valid; then the dictionary's id.
    expect(first[0]! & 0x0f).toBe(8);
    expect(first[1]! & 0x20).toBe(0x20);
    expect((first[0]! * 256 + first[1]!) % 31).toBe(0);
    expect(first.subarray(2, 6)).toEqual(hex('e3c6a7c2'));
    // Each block ends with the Z_SYNC_FLUSH marker.
    expect(first.subarray(-4)).toEqual(hex('0000ffff'));
    const second = c.compress({ streamtype: 'data', port: '80', requestid: '0' });
    // Later blocks continue the same stream: no zlib header again.
    expect(second.subarray(0, 2)).not.toEqual(first.subarray(0, 2));
    expect(second.subarray(-4)).toEqual(hex('0000ffff'));
  });

  it('is read by an independent zlib (node) with a persistent context, and reads node output', () => {
    const c = new HeaderCompressor();
    const blocks = [
      { streamtype: 'error', port: '80', requestid: '0' },
      { streamtype: 'data', port: '80', requestid: '0' },
      { streamtype: 'data', port: '8080', requestid: '1' },
    ].map((h) => c.compress(h));
    const inflated = zlib.inflateSync(Buffer.concat(blocks), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(inflated).toEqual(
      Buffer.concat([
        encodeHeaderBlock({ streamtype: 'error', port: '80', requestid: '0' }),
        encodeHeaderBlock({ streamtype: 'data', port: '80', requestid: '0' }),
        encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '1' }),
      ]),
    );

    const whole = zlib.deflateSync(encodeHeaderBlock({ a: 'b' }), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      level: 9,
    });
    expect(new HeaderDecompressor().decompress(whole)).toEqual({ a: 'b' });
  });

  it('round-trips header sets through one persistent context pair', () => {
    const headerArb: fc.Arbitrary<SpdyHeaders> = fc.dictionary(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      fc.string({ maxLength: 40 }),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(fc.array(headerArb, { minLength: 1, maxLength: 10 }), (sets) => {
        const c = new HeaderCompressor();
        const d = new HeaderDecompressor();
        for (const h of sets) expect(d.decompress(c.compress(h))).toEqual({ ...h });
      }),
      { numRuns: 100 },
    );
  });

  it('fails clearly on garbage', () => {
    expect(() => new HeaderDecompressor().decompress(hex('ffffffff'))).toThrow(/decompression failed/);
  });
});
