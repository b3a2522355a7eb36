// SPDY/3 header blocks: the name/value block format and its compression.
//
// Uncompressed block: u32 count, then per header u32 nameLen · name (lowercase) · u32 valueLen ·
// value; several values of one name are joined with NUL. Each direction of a connection is ONE
// zlib stream with the SPDY/3 dictionary: the first block carries the zlib header (with FDICT),
// every block ends with a Z_SYNC_FLUSH, and a block may refer back into earlier ones (the kubelet
// and kubectl keep one context per direction). We keep no zlib context per connection (thousands
// of pod sessions, issue 18): what we send is stored blocks, what we receive is inflated against
// the stream's history (see the classes). Synchronous, which keeps frame order trivially correct.
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { inflateSimpleBlocks } from './inflate.js';

/** Header names (lowercase) → value; multiple values joined with "\0" as on the wire. */
export type SpdyHeaders = Record<string, string>;

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

/** The zlib stream header the first compressed block starts with: deflate, 32 KiB window, FDICT. */
const ZLIB_HEADER = Buffer.from([0x78, 0x20]);
/** The SPDY/3 dictionary's id (its Adler-32), as a zlib header with FDICT names it. */
export const SPDY3_DICTIONARY_ID = 0xe3c6a7c2;
/** What a Z_SYNC_FLUSH ends a block with: an empty stored block. */
const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
const STORED_MAX = 0xffff;
/** How far back deflate may refer: the receiver keeps this much of what it has inflated. */
const WINDOW = 32 * 1024;
/**
 * The history buffer's largest size: the window plus room to append into, so sliding the window
 * (a 32 KiB move) happens once per 8 KiB of headers, not on every block.
 */
const HISTORY_MAX = WINDOW + 8 * 1024;
/**
 * The most one header block may inflate to. Port-forward headers are a few hundred bytes; deflate
 * can expand a frame's worth of input a thousandfold, so a peer's block past this is refused.
 */
export const MAX_HEADER_BLOCK_BYTES = 1024 * 1024;

/**
 * The sending side of the connection's header compression, without a zlib context: every block
 * goes out as deflate stored blocks, each followed by a Z_SYNC_FLUSH marker, in one zlib stream that
 * names the SPDY/3 dictionary (any inflater reads that; a compressing context per pod session costs
 * ~17 KiB, 34 MB at 2,000 services, issue 18). A port-forward header block is ~70 bytes, so sending
 * it uncompressed costs ~40 bytes per stream. The trailing empty stored block is required: Go's
 * flate reader (the kubelet's spdystream) hands out a block's bytes only when it reaches it, and
 * spdystream insists the header block is consumed to its last byte.
 */
export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    return this.compressRaw(encodeHeaderBlock(headers));
  }

  /** Compresses an already encoded name/value block. */
  compressRaw(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      const id = Buffer.allocUnsafe(4);
      id.writeUInt32BE(SPDY3_DICTIONARY_ID, 0);
      parts.push(ZLIB_HEADER, id);
    }
    for (let off = 0; off < block.length; off += STORED_MAX) {
      const piece = block.subarray(off, off + STORED_MAX);
      const head = Buffer.allocUnsafe(5);
      head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(head, piece);
    }
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

/**
 * The receiving side: one zlib stream per connection, but no zlib context kept between blocks.
 * Every block the peer sends ends at a Z_SYNC_FLUSH (byte-aligned, between deflate blocks; SPDY
 * peers flush each header block so it can be read on its own), so a block is inflated by a fresh raw
 * inflater whose dictionary is the stream's history: the SPDY/3 dictionary (when the zlib header
 * names it) and what was inflated so far, its last 32 KiB. The history grows by the peer's header
 * blocks (a kubelet's replies are empty: 4 bytes each), so an idle pod session holds next to
 * nothing where a kept context held ~9 KiB, and 41 KiB once it had inflated anything.
 *
 * Stored and fixed-Huffman blocks, what peers send, are decoded in JS (inflate.ts), the rest by
 * zlib. The history is one buffer appended to in place and handed over as a view: building the
 * window afresh (two 32 KiB copies a block once it was full) cost more than decoding a block.
 */
export class HeaderDecompressor {
  /** undefined until the zlib header was read; then whether the stream uses the dictionary. */
  private withDictionary: boolean | undefined;
  /** `history[0, historyLength)`: the dictionary (if the stream names it), then what was inflated. */
  private history: Buffer = Buffer.alloc(0);
  private historyLength = 0;

  decompress(compressed: Buffer): SpdyHeaders {
    return decodeHeaderBlock(this.decompressRaw(compressed));
  }

  decompressRaw(compressed: Buffer): Buffer {
    if (compressed.length === 0) return encodeHeaderBlock({});
    let body = compressed;
    if (this.withDictionary === undefined) {
      if (body.length < 2) throw new Error('SPDY header decompression failed: truncated zlib header');
      const cmf = body[0]!;
      const flg = body[1]!;
      if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0)
        throw new Error('SPDY header decompression failed: not a zlib stream (bad header)');
      const fdict = (flg & 0x20) !== 0;
      if (fdict) {
        if (body.length < 6) throw new Error('SPDY header decompression failed: truncated zlib header');
        if (body.readUInt32BE(2) !== SPDY3_DICTIONARY_ID)
          throw new Error('SPDY header decompression failed: the zlib stream names another dictionary');
      }
      this.withDictionary = fdict;
      if (fdict) this.remember(SPDY3_DICTIONARY);
      body = body.subarray(fdict ? 6 : 2);
    }
    if (body.length === 0) return encodeHeaderBlock({});
    const dictionary = this.window();
    // Stored and fixed-Huffman blocks (what peers send) without a zlib context; zlib for the rest.
    let out: Buffer;
    try {
      out =
        inflateSimpleBlocks(body, dictionary, MAX_HEADER_BLOCK_BYTES) ??
        inflateRawSync(body, {
          finishFlush: zlibConstants.Z_SYNC_FLUSH,
          chunkSize: 1024,
          maxOutputLength: MAX_HEADER_BLOCK_BYTES,
          ...(dictionary.length > 0 ? { dictionary } : {}),
        });
    } catch (err) {
      throw new Error(`SPDY header decompression failed: ${(err as Error).message}`);
    }
    if (out.length > 0) this.remember(out);
    return out;
  }

  /** The last 32 KiB of the stream's history (a view: zlib copies a dictionary it is given). */
  private window(): Buffer {
    return this.history.subarray(Math.max(0, this.historyLength - WINDOW), this.historyLength);
  }

  /** Appends to the history; what fell out of the window is dropped when the buffer is full. */
  private remember(bytes: Buffer): void {
    let add = bytes;
    if (add.length >= WINDOW) {
      // Only its last WINDOW bytes can be referred to; everything older falls out of the window.
      add = add.subarray(add.length - WINDOW);
      this.historyLength = 0;
    }
    const need = this.historyLength + add.length;
    if (need > this.history.length) {
      const keep =
        need > HISTORY_MAX ? Math.min(this.historyLength, WINDOW - add.length) : this.historyLength;
      const size = keep + add.length;
      const capacity = Math.min(HISTORY_MAX, Math.max(2 * size, 256));
      const next = capacity === this.history.length ? this.history : Buffer.allocUnsafe(capacity);
      // (Buffer#copy handles the overlap when the window slides within the same buffer.)
      this.history.copy(next, 0, this.historyLength - keep, this.historyLength);
      this.history = next;
      this.historyLength = keep;
    }
    add.copy(this.history, this.historyLength);
    this.historyLength += add.length;
  }
}
