import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FLAG_FIN,
  FrameParser,
  RstStatus,
  SpdyProtocolError,
  encodeFrame,
  type SpdyFrame,
} from './frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY frame encoding (known byte vectors)', () => {
  it('PING id 1', () => {
    expect(encodeFrame({ type: 'ping', id: 1 })).toEqual(hex('8003 0006 00 000004 00000001'));
  });
  it('RST_STREAM sid 3 CANCEL (what kubectl sends when a data stream is done)', () => {
    expect(encodeFrame({ type: 'rst_stream', streamId: 3, status: RstStatus.CANCEL, flags: 0 })).toEqual(
      hex('8003 0003 00 000008 00000003 00000005'),
    );
  });
  it('empty DATA with FIN on stream 1 (half-close of the error stream)', () => {
    expect(encodeFrame({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) })).toEqual(
      hex('00000001 01 000000'),
    );
  });
  it('DATA with payload', () => {
    expect(encodeFrame({ type: 'data', streamId: 5, flags: 0, data: Buffer.from('hi') })).toEqual(
      hex('00000005 00 000002 6869'),
    );
  });
  it('GOAWAY last-good 7 OK', () => {
    expect(encodeFrame({ type: 'goaway', lastGoodStreamId: 7, status: 0 })).toEqual(
      hex('8003 0007 00 000008 00000007 00000000'),
    );
  });
  it('SYN_STREAM layout: id, assoc, priority<<5, slot, header block', () => {
    const f = encodeFrame({
      type: 'syn_stream',
      streamId: 1,
      associatedStreamId: 0,
      priority: 0,
      slot: 0,
      flags: 0,
      headerBlock: hex('aabb'),
    });
    expect(f).toEqual(hex('8003 0001 00 00000c 00000001 00000000 00 00 aabb'));
  });
  it('SETTINGS and WINDOW_UPDATE', () => {
    expect(encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 1, id: 4, value: 100 }] })).toEqual(
      hex('8003 0004 00 00000c 00000001 01000004 00000064'),
    );
    expect(encodeFrame({ type: 'window_update', streamId: 1, delta: 65536 })).toEqual(
      hex('8003 0009 00 000008 00000001 00010000'),
    );
  });
});

describe('FrameParser', () => {
  it('decodes kubectl-shaped frames', () => {
    const p = new FrameParser();
    const frames = p.push(hex('8003 0006 00 000004 00000001' + '00000001 01 000000'));
    expect(frames).toEqual([
      { type: 'ping', id: 1 },
      { type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
    ]);
    expect(p.pending).toBe(0);
  });
  it('rejects a too-short RST_STREAM', () => {
    expect(() => new FrameParser().push(hex('8003 0003 00 000004 00000001'))).toThrow(SpdyProtocolError);
  });
  it('passes unknown versions and types up', () => {
    const [f] = new FrameParser().push(hex('8002 000a 00 000001 ff'));
    expect(f).toMatchObject({ type: 'unknown', version: 2, typeCode: 10 });
  });

  const frameArb: fc.Arbitrary<SpdyFrame> = fc.oneof(
    fc.record({
      type: fc.constant('data' as const),
      streamId: fc.integer({ min: 1, max: 0x7fffffff }),
      flags: fc.integer({ min: 0, max: 1 }),
      data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    }),
    fc.record({
      type: fc.constant('syn_stream' as const),
      streamId: fc.integer({ min: 1, max: 0x7fffffff }),
      associatedStreamId: fc.integer({ min: 0, max: 0x7fffffff }),
      priority: fc.integer({ min: 0, max: 7 }),
      slot: fc.integer({ min: 0, max: 255 }),
      flags: fc.integer({ min: 0, max: 3 }),
      headerBlock: fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    }),
    fc.record({
      type: fc.constant('syn_reply' as const),
      streamId: fc.integer({ min: 1, max: 0x7fffffff }),
      flags: fc.integer({ min: 0, max: 1 }),
      headerBlock: fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    }),
    fc.record({
      type: fc.constant('rst_stream' as const),
      streamId: fc.integer({ min: 1, max: 0x7fffffff }),
      status: fc.integer({ min: 1, max: 11 }),
      flags: fc.constant(0),
    }),
    fc.record({ type: fc.constant('ping' as const), id: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({
      type: fc.constant('goaway' as const),
      lastGoodStreamId: fc.integer({ min: 0, max: 0x7fffffff }),
      status: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({
      type: fc.constant('window_update' as const),
      streamId: fc.integer({ min: 0, max: 0x7fffffff }),
      delta: fc.integer({ min: 1, max: 0x7fffffff }),
    }),
    fc.record({
      type: fc.constant('settings' as const),
      flags: fc.integer({ min: 0, max: 1 }),
      entries: fc.array(
        fc.record({
          flags: fc.integer({ min: 0, max: 3 }),
          id: fc.integer({ min: 1, max: 0xffffff }),
          value: fc.integer({ min: 0, max: 0xffffffff }),
        }),
        { maxLength: 4 },
      ),
    }),
  );

  /** Joins streamed DATA pieces back into frames: pieces of one frame are consecutive. */
  const joinPieces = (pieces: SpdyFrame[], lengths: number[]): SpdyFrame[] => {
    const out: SpdyFrame[] = [];
    let want = 0;
    for (const f of pieces) {
      const last = out.at(-1);
      if (f.type === 'data' && last?.type === 'data' && want > 0) {
        last.data = Buffer.concat([last.data, f.data]);
        last.flags = f.flags;
        want -= f.data.length;
        continue;
      }
      out.push({ ...f });
      if (f.type === 'data') want = (lengths[out.length - 1] ?? 0) - f.data.length;
    }
    return out;
  };

  it('round-trips any frame sequence under any re-chunking, whole or with DATA streamed', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 40 })),
        fc.boolean(),
        (frames, cuts, streamData) => {
          const bytes = Buffer.concat(frames.map(encodeFrame));
          const parser = new FrameParser({ streamData });
          const out: SpdyFrame[] = [];
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            const n = cuts.length === 0 ? bytes.length : (cuts[i++ % cuts.length] ?? 1);
            out.push(...parser.push(bytes.subarray(off, off + n)));
            off += n;
          }
          if (streamData) {
            const lengths = frames.map((f) => (f.type === 'data' ? f.data.length : 0));
            expect(joinPieces(out, lengths)).toEqual(frames);
          } else expect(out).toEqual(frames);
          expect(parser.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('streaming: a DATA frame comes out as its bytes arrive, FIN only on the last piece', () => {
    const p = new FrameParser({ streamData: true });
    const frame = hex('00000003 01 000005 68656c6c6f'); // stream 3, FIN, "hello"
    expect(p.push(frame.subarray(0, 10))).toEqual([
      { type: 'data', streamId: 3, flags: 0, data: Buffer.from('he') },
    ]);
    expect(p.push(frame.subarray(10))).toEqual([
      { type: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.from('llo') },
    ]);
  });
});
