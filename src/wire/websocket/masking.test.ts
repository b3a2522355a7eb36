import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FrameReader, Opcode, encodeFrame } from './frames.js';
import { jsMasking, loadMasking, nativeMasking, type Masking } from './masking.js';

const byteWise = (bytes: Uint8Array, mask: Uint8Array, phase: number): Buffer =>
  Buffer.from(bytes.map((b, i) => b ^ (mask[(i + phase) & 3] ?? 0)));

const native = loadMasking();
// bufferutil is an optional dependency with a prebuilt binary for linux-x64 (what CI runs): if it
// does not load there, every tunnel byte is masked in JavaScript, so the test says so.
const implementations: Masking[] = [jsMasking, native];

describe('WebSocket masking', () => {
  it('loads bufferutil natively where it is installed', () => {
    let installed = true;
    try {
      createRequire(import.meta.url).resolve('bufferutil');
    } catch {
      installed = false;
    }
    expect(native.kind).toBe(installed ? 'native' : 'js');
  });

  it('falls back to JavaScript when bufferutil cannot be loaded', () => {
    const masking = loadMasking(() => {
      throw new Error('No native build was found for platform=linux arch=riscv64');
    });
    expect(masking).toBe(jsMasking);
  });

  for (const m of implementations)
    it(`${m.kind}: maskInto and unmask equal byte-wise masking at any alignment, length and phase`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 600 }),
          fc.integer({ min: 0, max: 15 }),
          fc.integer({ min: 0, max: 15 }),
          fc.integer({ min: 0, max: 3 }),
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          (bytes, srcOff, outOff, phase, maskBytes) => {
            const mask = Buffer.from(maskBytes);
            const src = Buffer.alloc(bytes.length + 16).subarray(srcOff, srcOff + bytes.length);
            src.set(bytes);
            const out = Buffer.alloc(bytes.length + 32, 0xee);
            m.maskInto(src, mask, out, outOff);
            expect(out.subarray(outOff, outOff + bytes.length)).toEqual(byteWise(bytes, mask, 0));
            expect(src).toEqual(Buffer.from(bytes)); // the caller's buffer is left alone
            expect(out[outOff + bytes.length]).toBe(0xee); // nothing written past the end
            m.unmask(src, mask, phase);
            expect(src).toEqual(byteWise(bytes, mask, phase));
          },
        ),
        { numRuns: 400 },
      );
    });

  it('frames masked natively and in JavaScript are byte-identical, parts of any length', () => {
    const b = nativeMasking({
      // A stand-in for the binding with bufferutil's signature, so this runs even without it.
      mask: (source, mask, output, offset, length) => {
        for (let i = 0; i < length; i++) output[offset + i] = (source[i] ?? 0) ^ (mask[i & 3] ?? 0);
      },
      unmask: (buf, mask) => {
        for (let i = 0; i < buf.length; i++) buf[i] = (buf[i] ?? 0) ^ (mask[i & 3] ?? 0);
      },
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
          { minLength: 1, maxLength: 4 },
        ),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (parts, maskBytes) => {
          const mask = Buffer.from(maskBytes);
          const reference = Buffer.concat(encodeFrame(Opcode.BINARY, parts, true, mask, jsMasking));
          for (const m of [b, native])
            expect(Buffer.concat(encodeFrame(Opcode.BINARY, parts, true, mask, m))).toEqual(reference);
          // and the reader, unmasking piece by piece at odd cuts, gets the payload back
          const r = new FrameReader({ streamData: true, masking: native });
          const got: Buffer[] = [];
          for (let off = 0; off < reference.length; off += 37)
            for (const f of r.push(Buffer.from(reference.subarray(off, off + 37)))) got.push(f.payload);
          expect(Buffer.concat(got)).toEqual(Buffer.concat(parts));
        },
      ),
      { numRuns: 150 },
    );
  });
});
