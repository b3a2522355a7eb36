// SPDY/3 header blocks: the name/value block format and its compression.
//
// Uncompressed block: u32 count, then per header u32 nameLen · name (lowercase) · u32 valueLen ·
// value; several values of one name are joined with NUL. The block is zlib-compressed with the
// SPDY/3 dictionary using ONE context per direction for the whole connection: the first block
// carries the zlib header (with FDICT), every block ends with a Z_SYNC_FLUSH. A fresh context per
// frame does not interoperate (the kubelet and kubectl keep theirs), so the compressor and the
// decompressor below are long-lived objects owned by a session. pako is synchronous, which keeps
// frame order trivially correct.
import pako from 'pako';
import { SPDY3_DICTIONARY } from './dictionary.js';

/** Header names (lowercase) → value; multiple values joined with "\0" as on the wire. */
export type SpdyHeaders = Record<string, string>;

const Z_SYNC_FLUSH = 2;

/** Encodes headers to the uncompressed name/value block. Names are lower-cased (SPDY requires it). */
export const encodeHeaderBlock = (headers: SpdyHeaders): Buffer => {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [];
  const count = Buffer.allocUnsafe(4);
  count.writeUInt32BE(entries.length, 0);
  parts.push(count);
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    const nl = Buffer.allocUnsafe(4);
    nl.writeUInt32BE(n.length, 0);
    const vl = Buffer.allocUnsafe(4);
    vl.writeUInt32BE(v.length, 0);
    parts.push(nl, n, vl, v);
  }
  return Buffer.concat(parts);
};

/** Decodes an uncompressed name/value block. Throws on a truncated block. */
export const decodeHeaderBlock = (block: Buffer): SpdyHeaders => {
  const read = (off: number, what: string): number => {
    if (off + 4 > block.length) throw new Error(`SPDY header block truncated reading ${what}`);
    return block.readUInt32BE(off);
  };
  // No prototype: header names come from the peer ("constructor", "__proto__" are just names).
  const headers = Object.create(null) as SpdyHeaders;
  const count = read(0, 'count');
  let off = 4;
  for (let i = 0; i < count; i++) {
    const nl = read(off, 'name length');
    off += 4;
    if (off + nl > block.length) throw new Error('SPDY header block truncated in a name');
    const name = block.toString('utf8', off, off + nl).toLowerCase();
    off += nl;
    const vl = read(off, 'value length');
    off += 4;
    if (off + vl > block.length) throw new Error('SPDY header block truncated in a value');
    const value = block.toString('utf8', off, off + vl);
    off += vl;
    const previous = Object.hasOwn(headers, name) ? headers[name] : undefined;
    headers[name] = previous === undefined ? value : `${previous}\0${value}`;
  }
  return headers;
};

/**
 * The sending side's persistent zlib context. Small on purpose: header blocks are a few hundred
 * bytes and every pod session owns one, and zlib's defaults (32 KiB window, memLevel 8, 16 KiB
 * output chunks) cost ~260 KiB and a millisecond of zero-filling per session — 500 MiB and
 * seconds of CPU at 2,000 services (issue 18). A 2 KiB window still holds the whole SPDY/3
 * dictionary (1,423 bytes); any inflater accepts a smaller window than its own.
 */
export class HeaderCompressor {
  private readonly deflate = new pako.Deflate({
    level: 9,
    windowBits: 11,
    memLevel: 1,
    chunkSize: 1024,
    dictionary: SPDY3_DICTIONARY,
  });
  private out: Uint8Array[] = [];

  constructor() {
    this.deflate.onData = (chunk: pako.Data) => {
      this.out.push(chunk as Uint8Array);
    };
  }

  compress(headers: SpdyHeaders): Buffer {
    return this.compressRaw(encodeHeaderBlock(headers));
  }

  /** Compresses an already encoded name/value block. */
  compressRaw(block: Buffer): Buffer {
    this.out = [];
    if (!this.deflate.push(block, Z_SYNC_FLUSH)) {
      throw new Error(`SPDY header compression failed: ${this.deflate.msg || 'zlib error'}`);
    }
    const parts = this.out;
    this.out = [];
    return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  }
}

/** The receiving side's persistent zlib context. */
export class HeaderDecompressor {
  // The window must take the peer's (up to 32 KiB); the output chunk need not be 16 KiB per session.
  private readonly inflate = new pako.Inflate({ chunkSize: 2048, dictionary: SPDY3_DICTIONARY });
  private out: Uint8Array[] = [];

  constructor() {
    this.inflate.onData = (chunk: pako.Data) => {
      this.out.push(chunk as Uint8Array);
    };
  }

  decompress(compressed: Buffer): SpdyHeaders {
    return decodeHeaderBlock(this.decompressRaw(compressed));
  }

  decompressRaw(compressed: Buffer): Buffer {
    this.out = [];
    if (compressed.length === 0) return encodeHeaderBlock({});
    if (!this.inflate.push(compressed, Z_SYNC_FLUSH) || this.inflate.err) {
      throw new Error(`SPDY header decompression failed: ${this.inflate.msg || 'zlib error'}`);
    }
    const parts = this.out;
    this.out = [];
    return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  }
}
