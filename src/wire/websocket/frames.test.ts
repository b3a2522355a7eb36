import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, Opcode, WsProtocolError, encodeFrame } from './frames.js';
import { maskInPlace } from './masking.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('WebSocket frames (RFC 6455 §5.7 examples)', () => {
  it('a single-frame unmasked text message "Hello"', () => {
    expect(Buffer.concat(encodeFrame(Opcode.TEXT, Buffer.from('Hello'), true))).toEqual(
      hex('8105 48656c6c6f'),
    );
  });
  it('a single-frame masked text message "Hello"', () => {
    expect(Buffer.concat(encodeFrame(Opcode.TEXT, Buffer.from('Hello'), true, hex('37fa213d')))).toEqual(
      hex('8185 37fa213d 7f9f4d5158'),
    );
  });
  it('256 bytes and 64 KiB binary use the 16- and 64-bit lengths', () => {
    expect(encodeFrame(Opcode.BINARY, Buffer.alloc(256), true)[0]).toEqual(hex('827e 0100'));
    expect(encodeFrame(Opcode.BINARY, Buffer.alloc(65536), true)[0]).toEqual(hex('827f 0000000000010000'));
  });
  it('several payload buffers make one frame: unmasked as header + the same buffers, masked as one buffer', () => {
    const parts = [Buffer.from('Hel'), Buffer.from('lo')];
    const plain = encodeFrame(Opcode.TEXT, parts, true);
    expect(plain).toHaveLength(3);
    expect(plain[1]).toBe(parts[0]);
    expect(Buffer.concat(plain)).toEqual(hex('8105 48656c6c6f'));
    const masked = encodeFrame(Opcode.TEXT, parts, true, hex('37fa213d'));
    expect(masked).toEqual([hex('8185 37fa213d 7f9f4d5158')]);
  });
  it('masking never modifies the caller buffer', () => {
    const data = Buffer.from('Hello');
    encodeFrame(Opcode.TEXT, data, true, hex('37fa213d'));
    expect(data.toString()).toBe('Hello');
  });
  it('parses the examples, including a fragmented message', () => {
    const r = new FrameReader();
    expect(r.push(hex('8185 37fa213d 7f9f4d5158'))).toEqual([
      { fin: true, opcode: Opcode.TEXT, payload: Buffer.from('Hello'), more: false },
    ]);
    expect(r.push(hex('010348656c 80026c6f'))).toEqual([
      { fin: false, opcode: Opcode.TEXT, payload: Buffer.from('Hel'), more: false },
      { fin: true, opcode: Opcode.CONTINUATION, payload: Buffer.from('lo'), more: false },
    ]);
  });
  it('streaming: a data frame comes out in pieces as its bytes arrive; control frames stay whole', () => {
    const r = new FrameReader({ streamData: true });
    // Masked "Hello" cut after 2 payload bytes: the second piece is unmasked at mask phase 2.
    expect(r.push(hex('8185 37fa213d 7f9f'))).toEqual([
      { fin: true, opcode: Opcode.TEXT, payload: Buffer.from('He'), more: true },
    ]);
    expect(r.push(hex('4d5158 8901'))).toEqual([
      { fin: true, opcode: Opcode.TEXT, payload: Buffer.from('llo'), more: false },
    ]);
    expect(r.push(hex('2a'))).toEqual([{ fin: true, opcode: Opcode.PING, payload: hex('2a'), more: false }]);
  });
  it('rejects reserved bits and oversized frames', () => {
    expect(() => new FrameReader().push(hex('c100'))).toThrow(WsProtocolError);
    expect(() => new FrameReader({ maxPayload: 10 }).push(hex('827e 0100'))).toThrow(/too large/);
  });
  it('rejects fragmented or long control frames before buffering them', () => {
    expect(() => new FrameReader().push(hex('0900'))).toThrow(/control frame 0x9/); // PING without FIN
    expect(() => new FrameReader().push(hex('887e'))).toThrow(/control frame 0x8/); // CLOSE, 16-bit length
    expect(new FrameReader().push(Buffer.concat([hex('897d'), Buffer.alloc(125)]))[0]?.payload).toHaveLength(
      125,
    );
  });
  it('enforces the masking direction when told which side it reads', () => {
    const maskedPing = hex('8980 01020304');
    const plainPing = hex('8900');
    expect(() => new FrameReader({ masked: true }).push(plainPing)).toThrow(/must be masked/);
    expect(() => new FrameReader({ masked: false }).push(maskedPing)).toThrow(/must not be masked/);
    expect(new FrameReader({ masked: true }).push(maskedPing)).toHaveLength(1);
    expect(new FrameReader({ masked: false }).push(plainPing)).toHaveLength(1);
  });
});

describe('masking and parsing properties', () => {
  it('word-wise masking equals byte-wise masking at any offset and length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (bytes, offset, maskBytes) => {
          const backing = Buffer.alloc(bytes.length + 8);
          const buf = backing.subarray(offset, offset + bytes.length);
          buf.set(bytes);
          const mask = Buffer.from(maskBytes);
          const phase = offset & 3;
          maskInPlace(buf, mask, phase);
          const expected = Buffer.from(bytes.map((b, i) => b ^ (mask[(i + phase) & 3] ?? 0)));
          expect(buf).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('round-trips masked frames under any re-chunking, whole or streamed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.uint8Array({ maxLength: 70_000 }).map((a) => Buffer.from(a)),
          { maxLength: 4 },
        ),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1 }),
        fc.boolean(),
        (payloads, cuts, streamData) => {
          const bytes = Buffer.concat(
            payloads.flatMap((p, i) => encodeFrame(Opcode.BINARY, p, true, Buffer.from([i, 1, 2, 3]))),
          );
          const r = new FrameReader({ streamData });
          const out: Buffer[] = [];
          let piece: Buffer[] = [];
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            const n = cuts[i++ % cuts.length] ?? 1;
            for (const f of r.push(bytes.subarray(off, off + n))) {
              piece.push(f.payload);
              if (!f.more) {
                out.push(Buffer.concat(piece));
                piece = [];
              }
            }
            off += n;
          }
          expect(out).toEqual(payloads);
        },
      ),
      { numRuns: 60 },
    );
  });
});
