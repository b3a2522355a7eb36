import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from './dictionary.js';
import {
  HeaderCompressor,
  HeaderDecompressor,
  MAX_HEADER_BLOCK_BYTES,
  SPDY3_DICTIONARY_ID,
  decodeHeaderBlock,
  encodeHeaderBlock,
  type SpdyHeaders,
} from './headers.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const adler32 = (b: Buffer): number => {
  let a = 1;
  let c = 0;
  for (const byte of b) {
    a = (a + byte) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
};

/** One persistent node zlib context, each block sync-flushed: a peer like the kubelet or kubectl. */
const peerStream = async (blocks: Buffer[], options: zlib.ZlibOptions = {}): Promise<Buffer[]> => {
  const deflate = zlib.createDeflate({ level: 9, ...options });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const compressed: Buffer[] = [];
  for (const block of blocks) {
    deflate.write(block);
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    // 'data' events of the flush have run by the time the flush callback does.
    compressed.push(Buffer.concat(out.splice(0)));
  }
  deflate.close();
  return compressed;
};

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
    // CMF: deflate (8); FLG: FDICT set, header check valid; then the dictionary's id.
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

  it('names the dictionary by its Adler-32', () => {
    expect(adler32(SPDY3_DICTIONARY)).toBe(SPDY3_DICTIONARY_ID);
  });

  it("reads a peer's stream whose later blocks refer back into earlier ones and the dictionary", async () => {
    const sets: SpdyHeaders[] = [];
    for (let i = 0; i < 600; i++)
      sets.push({
        streamtype: i % 2 ? 'data' : 'error',
        port: '8080',
        requestid: String(i >> 1),
        'x-pad': 'abc'.repeat(i % 50),
      });
    const blocks = sets.map((h) => encodeHeaderBlock(h));
    // Far more than the 32 KiB window in all, so the history the decompressor keeps must slide.
    expect(blocks.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(64 * 1024);
    const compressed = await peerStream(blocks, { dictionary: SPDY3_DICTIONARY });
    // Back-references make the later blocks much smaller than the block itself.
    expect(compressed[599]!.length).toBeLessThan(blocks[599]!.length / 2);
    const d = new HeaderDecompressor();
    for (const [i, c] of compressed.entries()) expect(d.decompress(c)).toEqual(sets[i]);
  });

  it.each([
    ['as zlib picks them', {}],
    ['fixed-Huffman only (decoded in JS)', { strategy: zlib.constants.Z_FIXED }],
  ])(
    'keeps the window right while its history slides many times, across blocks larger than the window (%s)',
    async (_, strategy) => {
      // Small blocks (as a kubelet's replies) and a few larger than the whole 32 KiB window, each
      // block repeating pieces of earlier ones so the peer's deflate refers far back.
      const sets: SpdyHeaders[] = [];
      for (let i = 0; i < 3000; i++)
        sets.push(
          i % 997 === 500
            ? { big: `v${i}-`.repeat(9000) }
            : i % 3 === 0
              ? {}
              : { requestid: String(i % 700), port: String(8000 + (i % 37)), 'x-pad': 'q'.repeat(i % 300) },
        );
      const blocks = sets.map((h) => encodeHeaderBlock(h));
      expect(blocks.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(8 * 40 * 1024);
      const compressed = await peerStream(blocks, { dictionary: SPDY3_DICTIONARY, ...strategy });
      const d = new HeaderDecompressor();
      for (const [i, c] of compressed.entries()) expect(d.decompress(c)).toEqual(sets[i]);
    },
  );

  it('reads a zlib stream that names no dictionary', async () => {
    const blocks = [encodeHeaderBlock({ a: 'b' }), encodeHeaderBlock({ a: 'b', c: 'd' })];
    const compressed = await peerStream(blocks);
    expect(compressed[0]![1]! & 0x20).toBe(0);
    const d = new HeaderDecompressor();
    expect(d.decompress(compressed[0]!)).toEqual({ a: 'b' });
    expect(d.decompress(compressed[1]!)).toEqual({ a: 'b', c: 'd' });
  });

  it('refuses a zlib stream that names another dictionary', async () => {
    const [first] = await peerStream([encodeHeaderBlock({ a: 'b' })], { dictionary: Buffer.from('other') });
    expect(() => new HeaderDecompressor().decompress(first!)).toThrow(/decompression failed.*dictionary/);
  });

  it('sends a block larger than one stored block (64 KiB) whole', () => {
    const h = { big: 'x'.repeat(70_000), port: '80' };
    const c = new HeaderCompressor();
    const inflated = zlib.inflateSync(Buffer.concat([c.compress({ a: 'b' }), c.compress(h)]), {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(inflated.equals(Buffer.concat([encodeHeaderBlock({ a: 'b' }), encodeHeaderBlock(h)]))).toBe(true);
    const ours = new HeaderCompressor();
    const d = new HeaderDecompressor();
    expect(d.decompress(ours.compress({ a: 'b' }))).toEqual({ a: 'b' });
    expect(d.decompress(ours.compress(h))).toEqual(h);
  });

  it('refuses a block that inflates past the limit, whichever inflater reads it', async () => {
    // A peer's few kilobytes that inflate to 2 MiB: as fixed Huffman (our decoder) and dynamic (zlib).
    const bomb = encodeHeaderBlock({ big: 'a'.repeat(2 * MAX_HEADER_BLOCK_BYTES) });
    for (const strategy of [zlib.constants.Z_FIXED, zlib.constants.Z_DEFAULT_STRATEGY]) {
      const [block] = await peerStream([bomb], { dictionary: SPDY3_DICTIONARY, strategy });
      expect(block!.length).toBeLessThan(64 * 1024);
      expect(() => new HeaderDecompressor().decompress(block!), String(strategy)).toThrow(
        /decompression failed: .*(more than 1048576 bytes|Cannot create a Buffer larger|buffer)/i,
      );
    }
  });

  it('fails clearly on garbage', () => {
    expect(() => new HeaderDecompressor().decompress(hex('ffffffff'))).toThrow(/decompression failed/);
  });
});
