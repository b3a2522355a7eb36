// A small raw-deflate decoder for SPDY header blocks: stored and fixed-Huffman blocks only, the
// two kinds header blocks arrive as (our peers' stored blocks; kubectl's and the kubelet's Go zlib
// sends a 10–80 byte block as fixed Huffman). Node has no synchronous inflater that keeps its
// state, so every block went to a fresh zlib context given the 32 KiB window as its dictionary —
// ~15–40 µs a block, two blocks per port-forward connection on each side. Anything else (dynamic
// Huffman, a final block, a truncated or invalid stream) returns undefined: the caller inflates
// with zlib then, as before.

/** Code lengths → the canonical Huffman decoding tables (counts per length, symbols in code order). */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

const huffman = (lengths: number[]): Huffman => {
  const counts = new Uint16Array(16);
  for (const l of lengths) counts[l]!++;
  counts[0] = 0;
  const offsets = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offsets[i] = offsets[i - 1]! + counts[i - 1]!;
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((l, symbol) => {
    if (l > 0) symbols[offsets[l]!++] = symbol;
  });
  return { counts, symbols };
};

/** RFC 1951 3.2.6: the fixed literal/length and distance codes. */
const FIXED_LITERALS = huffman(
  Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
);
const FIXED_DISTANCES = huffman(Array.from({ length: 30 }, () => 5));

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** Thrown inside; means "not for this decoder" (the caller falls back to zlib). */
class Unsupported extends Error {}

class Decoder {
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  private out: Buffer;
  length = 0;

  constructor(
    private readonly input: Buffer,
    private readonly window: Buffer,
    private readonly maxOutput: number,
  ) {
    this.out = Buffer.allocUnsafe(Math.max(64, input.length * 4));
  }

  /** Whether every input byte is consumed (bits left over in the last byte are padding). */
  get done(): boolean {
    return this.pos >= this.input.length;
  }

  bits(n: number): number {
    while (this.bitCount < n) {
      if (this.pos >= this.input.length) throw new Unsupported('truncated');
      this.bitBuf |= this.input[this.pos++]! << this.bitCount;
      this.bitCount += 8;
    }
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return v;
  }

  alignToByte(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  bytes(n: number): void {
    if (this.pos + n > this.input.length) throw new Unsupported('truncated');
    this.reserve(n);
    this.input.copy(this.out, this.length, this.pos, this.pos + n);
    this.pos += n;
    this.length += n;
  }

  symbol(h: Huffman): number {
    // Canonical codes, read one bit at a time (the blocks are tens of bytes).
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      const count = h.counts[len]!;
      if (code - first < count) return h.symbols[index + code - first]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Unsupported('bad code');
  }

  literal(byte: number): void {
    this.reserve(1);
    this.out[this.length++] = byte;
  }

  copy(distance: number, n: number): void {
    if (distance > this.length + this.window.length) throw new Unsupported('distance too far back');
    this.reserve(n);
    const out = this.out;
    for (let i = 0; i < n; i++) {
      const from = this.length - distance;
      out[this.length++] = from >= 0 ? out[from]! : this.window[this.window.length + from]!;
    }
  }

  result(): Buffer {
    return this.out.subarray(0, this.length);
  }

  private reserve(n: number): void {
    // A real error, not Unsupported: zlib must not be asked to inflate it either.
    if (this.length + n > this.maxOutput)
      throw new Error(`a header block inflates to more than ${this.maxOutput} bytes`);
    if (this.length + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.length + n));
    this.out.copy(bigger, 0, 0, this.length);
    this.out = bigger;
  }
}

const fixedBlock = (d: Decoder): void => {
  for (;;) {
    const sym = d.symbol(FIXED_LITERALS);
    if (sym < 256) d.literal(sym);
    else if (sym === 256) return;
    else {
      const li = sym - 257;
      if (li >= LENGTH_BASE.length) throw new Unsupported('bad length code');
      const length = LENGTH_BASE[li]! + d.bits(LENGTH_EXTRA[li]!);
      const di = d.symbol(FIXED_DISTANCES);
      const distance = DISTANCE_BASE[di]! + d.bits(DISTANCE_EXTRA[di]!);
      d.copy(distance, length);
    }
  }
};

/**
 * Inflates `body` (raw deflate ending at a sync flush, as SPDY header blocks do) that refers back
 * into `window` (the stream's history). Undefined when it holds anything but non-final stored and
 * fixed-Huffman blocks, or is not a complete, valid stream of them. Throws when the output would
 * pass `maxOutput` bytes.
 */
export function inflateSimpleBlocks(body: Buffer, window: Buffer, maxOutput: number): Buffer | undefined {
  const d = new Decoder(body, window, maxOutput);
  try {
    while (!d.done) {
      if (d.bits(1) === 1) return undefined; // a final block: not what SPDY peers send
      const type = d.bits(2);
      if (type === 0) {
        d.alignToByte();
        const len = d.bits(16);
        const nlen = d.bits(16);
        if ((len ^ 0xffff) !== nlen) return undefined;
        d.bytes(len);
      } else if (type === 1) fixedBlock(d);
      else return undefined;
    }
    return d.result();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
