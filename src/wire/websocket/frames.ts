// RFC 6455 frames: an encoder (client frames are masked) and an incremental parser.
//
// Our own framer instead of `ws`, for two reasons: `ws` refuses the tunnel subprotocol
// "SPDY/3.1+portforward.k8s.io" (a "/" is not a token character), and its JavaScript fallback
// masks byte by byte, which was the largest CPU cost of the tunnel in the benchmark. Masking here
// is native when bufferutil loads, else 32-bit words (masking.ts); every payload byte is written
// once on the way out (the masked copy) and not copied at all on the way in when the reader
// streams payloads.
import { ByteQueue } from '../byte-queue.js';
import { jsMasking, rotateMask, type Masking } from './masking.js';

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export interface WsFrame {
  /** The frame is the last of its message. */
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /**
   * Streaming readers only: more payload of this same frame follows in later items (the frame was
   * split where the input chunks ended). Always false for control frames and whole-frame readers.
   */
  more: boolean;
}

export class WsProtocolError extends Error {
  constructor(
    message: string,
    readonly closeCode = 1002,
  ) {
    super(message);
    this.name = 'WsProtocolError';
  }
}

/** Bytes of a frame header for a payload of `len` bytes. */
export const headerLength = (len: number, masked: boolean): number =>
  2 + (len < 126 ? 0 : len < 65536 ? 2 : 8) + (masked ? 4 : 0);

const writeHeader = (out: Buffer, opcode: number, len: number, fin: boolean, mask?: Buffer): number => {
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  const lenBits = len < 126 ? len : len < 65536 ? 126 : 127;
  out[1] = (mask ? 0x80 : 0) | lenBits;
  let off = 2;
  if (lenBits === 126) {
    out.writeUInt16BE(len, 2);
    off = 4;
  } else if (lenBits === 127) {
    out.writeBigUInt64BE(BigInt(len), 2);
    off = 10;
  }
  if (mask) {
    mask.copy(out, off, 0, 4);
    off += 4;
  }
  return off;
};

/**
 * Encodes one frame whose payload is the concatenation of `payload` (one buffer or several).
 * With a mask (client → server) it returns ONE buffer, header and a masked copy of the payload:
 * the caller's buffers are never modified. Without a mask (server → client) it returns the header
 * followed by the caller's buffers, for one vectored write — or, given `into`, one buffer too.
 * `into`, when large enough, is where that buffer is written (a reused one: see BufferPool in
 * ../buffer-pool.ts).
 */
export function encodeFrame(
  opcode: number,
  payload: Buffer | Buffer[],
  fin: boolean,
  mask?: Buffer,
  masking: Masking = jsMasking,
  into?: Buffer,
): Buffer[] {
  const parts = Array.isArray(payload) ? payload : [payload];
  let len = 0;
  for (const p of parts) len += p.length;
  const hlen = headerLength(len, mask !== undefined);
  const fits = into !== undefined && into.length >= hlen + len;
  if (!mask) {
    if (fits) {
      // One buffer for one write: a TLS socket copies the buffers of a vectored write itself, into
      // fresh memory.
      const out = into.subarray(0, hlen + len);
      let off = writeHeader(out, opcode, len, fin);
      for (const p of parts) off += p.copy(out, off);
      return [out];
    }
    const header = Buffer.allocUnsafe(hlen);
    writeHeader(header, opcode, len, fin);
    return [header, ...parts];
  }
  const out = fits ? into.subarray(0, hlen + len) : Buffer.allocUnsafe(hlen + len);
  let off = writeHeader(out, opcode, len, fin, mask);
  // Each part is masked into place at its position in the payload: the mask phase continues
  // across parts only when every part but the last is a multiple of 4 long, so otherwise the
  // parts are masked with the key rotated to their offset.
  for (const p of parts) {
    masking.maskInto(p, rotateMask(mask, off - hlen), out, off);
    off += p.length;
  }
  return [out];
}

interface PayloadState {
  fin: boolean;
  opcode: number;
  mask: Buffer | undefined;
  /** Payload bytes of the current frame not yet delivered. */
  remaining: number;
  /** Payload bytes of the current frame already delivered (the mask phase). */
  done: number;
}

/**
 * Incremental parser: feed bytes in chunks of any size, get frames. Masked payloads are unmasked
 * in place: the reader owns the chunks pushed to it.
 *
 * With `streamData`, data frames (text, binary, continuation) are returned in pieces as their
 * bytes arrive (`more` set on all but the last piece), as zero-copy views of the input: for byte
 * streams tunnelled in WebSocket, where frame boundaries carry no meaning. Control frames are
 * always returned whole.
 */
export class FrameReader {
  private readonly queue = new ByteQueue();
  private readonly maxPayload: number;
  private readonly streamData: boolean;
  private readonly masked: boolean | undefined;
  private current: PayloadState | undefined;
  private readonly masking: Masking;

  /**
   * `masked`: frames from the peer must be masked (true: we are the server) or must not be (false:
   * we are the client), as RFC 6455 §5.1 requires; undefined accepts both.
   */
  constructor(
    options: { maxPayload?: number; streamData?: boolean; masked?: boolean; masking?: Masking } = {},
  ) {
    this.masking = options.masking ?? jsMasking;
    this.maxPayload = options.maxPayload ?? 64 * 1024 * 1024;
    this.streamData = options.streamData ?? false;
    this.masked = options.masked;
  }

  push(chunk: Buffer): WsFrame[] {
    this.queue.push(chunk);
    const out: WsFrame[] = [];
    for (;;) {
      const cur = this.current;
      if (cur !== undefined) {
        // Streaming a data frame's payload: hand over what has arrived.
        if (this.queue.length === 0) break;
        const piece = this.queue.takeUpTo(cur.remaining);
        if (cur.mask) this.masking.unmask(piece, cur.mask, cur.done);
        cur.remaining -= piece.length;
        cur.done += piece.length;
        const more = cur.remaining > 0;
        out.push({ fin: cur.fin, opcode: cur.opcode, payload: piece, more });
        if (!more) this.current = undefined;
        continue;
      }
      if (this.queue.length < 2) break;
      const h = this.queue.peek(Math.min(this.queue.length, 14));
      const b0 = h[0] ?? 0;
      const b1 = h[1] ?? 0;
      if ((b0 & 0x70) !== 0) throw new WsProtocolError('reserved bits set (no extension was negotiated)');
      const masked = (b1 & 0x80) !== 0;
      if (this.masked !== undefined && masked !== this.masked)
        throw new WsProtocolError(
          this.masked ? 'a client frame must be masked' : 'a server frame must not be masked',
        );
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      let len = b1 & 0x7f;
      // Control frames are never fragmented and carry at most 125 bytes (RFC 6455 §5.5): checked before
      // any of a bogus one is buffered.
      if (opcode >= 0x8 && (!fin || len > 125))
        throw new WsProtocolError(
          `control frame 0x${opcode.toString(16)} fragmented or longer than 125 bytes`,
        );
      let off = 2;
      if (len === 126) {
        if (h.length < 4) break;
        len = h.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (h.length < 10) break;
        const big = h.readBigUInt64BE(2);
        if (big > BigInt(this.maxPayload))
          throw new WsProtocolError(`frame of ${big} bytes is too large`, 1009);
        len = Number(big);
        off = 10;
      }
      if (len > this.maxPayload) throw new WsProtocolError(`frame of ${len} bytes is too large`, 1009);
      const headerLen = off + (masked ? 4 : 0);
      if (this.queue.length < headerLen) break;
      const isData = opcode < 0x8;
      if (this.streamData && isData && len > 0) {
        const header = this.queue.take(headerLen);
        const mask = masked ? Buffer.from(header.subarray(off, off + 4)) : undefined;
        this.current = { fin, opcode, mask, remaining: len, done: 0 };
        continue;
      }
      if (this.queue.length < headerLen + len) break;
      const header = this.queue.take(headerLen);
      const payload = this.queue.take(len);
      if (masked) this.masking.unmask(payload, header.subarray(off, off + 4), 0);
      out.push({ fin, opcode, payload, more: false });
    }
    return out;
  }
}
