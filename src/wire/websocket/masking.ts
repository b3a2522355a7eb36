// WebSocket masking (RFC 6455 §5.3): every client frame's payload is XORed with a 4-byte key. On
// the tunnel this is per-byte work on every byte we send (and, in the simulated server, on every
// byte it receives), so it is done natively when the optional `bufferutil` package (the one `ws`
// uses; it ships prebuilt binaries inside the npm package) loads, and in JavaScript 32-bit words
// otherwise. The native `mask` copies and masks in one pass, so the outgoing frame is written once.
import { createRequire } from 'node:module';

export interface Masking {
  /** 'native' (bufferutil) or 'js'. */
  readonly kind: 'native' | 'js';
  /** Writes `source` XOR `mask` into `out` at `offset` (source is not modified). */
  maskInto(source: Buffer, mask: Buffer, out: Buffer, offset: number): void;
  /** XORs `buf` in place; `phase` is the mask position of buf[0] (a frame unmasked piece by piece). */
  unmask(buf: Buffer, mask: Buffer, phase: number): void;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * XORs `buf` in place with the 4-byte mask, starting at mask position `phase`: bytewise up to a
 * 4-aligned address, then 32-bit words (a Uint32Array view needs an aligned offset), then the tail.
 */
export function maskInPlace(buf: Buffer, mask: Buffer, phase = 0): void {
  const m0 = mask[phase & 3] ?? 0;
  const m1 = mask[(phase + 1) & 3] ?? 0;
  const m2 = mask[(phase + 2) & 3] ?? 0;
  const m3 = mask[(phase + 3) & 3] ?? 0;
  const m = [m0, m1, m2, m3];
  let i = 0;
  const len = buf.length;
  const lead = (4 - (buf.byteOffset & 3)) & 3;
  if (len - lead >= 16) {
    for (; i < lead; i++) buf[i] = (buf[i] ?? 0) ^ (m[i & 3] ?? 0);
    const words = (len - lead) >>> 2;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + lead, words);
    // The first word's bytes start at mask position `lead`.
    const b0 = m[lead & 3] ?? 0;
    const b1 = m[(lead + 1) & 3] ?? 0;
    const b2 = m[(lead + 2) & 3] ?? 0;
    const b3 = m[(lead + 3) & 3] ?? 0;
    const word = LITTLE_ENDIAN
      ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
      : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    for (let w = 0; w < words; w++) view[w] = ((view[w] ?? 0) ^ word) >>> 0;
    i = lead + words * 4;
  }
  for (; i < len; i++) buf[i] = (buf[i] ?? 0) ^ (m[i & 3] ?? 0);
}

export const jsMasking: Masking = {
  kind: 'js',
  maskInto(source, mask, out, offset) {
    source.copy(out, offset);
    maskInPlace(out.subarray(offset, offset + source.length), mask);
  },
  unmask: maskInPlace,
};

interface BufferUtil {
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, mask: Buffer): void;
}

/** The mask as seen from payload position `phase` (bufferutil's functions always start at 0). */
export const rotateMask = (mask: Buffer, phase: number): Buffer =>
  (phase & 3) === 0
    ? mask
    : Buffer.from([
        mask[phase & 3] ?? 0,
        mask[(phase + 1) & 3] ?? 0,
        mask[(phase + 2) & 3] ?? 0,
        mask[(phase + 3) & 3] ?? 0,
      ]);

/** A Masking over a loaded bufferutil binding. */
export const nativeMasking = (b: BufferUtil): Masking => ({
  kind: 'native',
  maskInto(source, mask, out, offset) {
    // Below a few dozen bytes the call into C costs more than the loop it saves.
    if (source.length < 32) jsMasking.maskInto(source, mask, out, offset);
    else b.mask(source, mask, out, offset, source.length);
  },
  unmask(buf, mask, phase) {
    if (buf.length < 32) maskInPlace(buf, mask, phase);
    else b.unmask(buf, rotateMask(mask, phase));
  },
});

/**
 * The best masking available: bufferutil's native code when it is installed and loads for this
 * platform (it is an optional dependency), the JavaScript words otherwise. `load` is the module
 * loader (a test passes a failing one to check the fallback).
 */
export const loadMasking = (load?: (id: string) => unknown): Masking => {
  try {
    // Inside the try: the standalone executable (one CommonJS bundle) has no module URL to
    // resolve from, and takes the fallback.
    const b = (load ?? createRequire(import.meta.url))('bufferutil') as Partial<BufferUtil>;
    if (typeof b.mask === 'function' && typeof b.unmask === 'function') return nativeMasking(b as BufferUtil);
  } catch {
    // Not installed, or no binary for this platform: the JavaScript fallback is correct, only slower.
  }
  return jsMasking;
};
