// SPDY/3.1 frames: the data model, an encoder and an incremental parser.
//
// Pure byte handling, no sockets. Header blocks are carried here as the *compressed* bytes; the
// session owns the per-direction zlib contexts (headers.ts) because they must see every header
// block of a connection, in order. All integers are big-endian (SPDY/3 draft, as spdystream and
// the kubelet implement it).
import { ByteQueue } from '../byte-queue.js';

export const SPDY_VERSION = 3;

/** Control frame type codes. */
export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const rstStatusName = (status: number): string =>
  Object.entries(RstStatus).find(([, v]) => v === status)?.[0] ?? `status ${status}`;

/** The largest payload a frame can carry (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;
const HEADER_SIZE = 8;

export interface DataFrame {
  type: 'data';
  streamId: number;
  flags: number;
  data: Buffer;
}
export interface SynStreamFrame {
  type: 'syn_stream';
  streamId: number;
  associatedStreamId: number;
  /** 0 (highest) … 7. */
  priority: number;
  slot: number;
  flags: number;
  /** Compressed header block. */
  headerBlock: Buffer;
}
export interface SynReplyFrame {
  type: 'syn_reply';
  streamId: number;
  flags: number;
  headerBlock: Buffer;
}
export interface RstStreamFrame {
  type: 'rst_stream';
  streamId: number;
  status: number;
  flags: number;
}
export interface SettingsFrame {
  type: 'settings';
  flags: number;
  entries: { flags: number; id: number; value: number }[];
}
export interface PingFrame {
  type: 'ping';
  id: number;
}
export interface GoAwayFrame {
  type: 'goaway';
  lastGoodStreamId: number;
  status: number;
}
export interface HeadersFrame {
  type: 'headers';
  streamId: number;
  flags: number;
  headerBlock: Buffer;
}
export interface WindowUpdateFrame {
  type: 'window_update';
  streamId: number;
  delta: number;
}
/** A control frame we do not know (or of another SPDY version): passed up so the session can decide. */
export interface UnknownFrame {
  type: 'unknown';
  version: number;
  typeCode: number;
  flags: number;
  payload: Buffer;
}

export type SpdyFrame =
  | DataFrame
  | SynStreamFrame
  | SynReplyFrame
  | RstStreamFrame
  | SettingsFrame
  | PingFrame
  | GoAwayFrame
  | HeadersFrame
  | WindowUpdateFrame
  | UnknownFrame;

/** A frame that is syntactically wrong (bad length for its type). The connection cannot continue. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

// ---------------------------------------------------------------- encoder

const controlHeader = (type: number, flags: number, length: number): Buffer => {
  const b = Buffer.allocUnsafe(HEADER_SIZE);
  b.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(length & 0xffffff, 4);
  b[4] = flags & 0xff;
  return b;
};

const control = (type: number, flags: number, payload: Buffer): Buffer => {
  if (payload.length > MAX_FRAME_PAYLOAD)
    throw new RangeError(`SPDY frame payload too large: ${payload.length}`);
  return Buffer.concat([controlHeader(type, flags, payload.length), payload]);
};

const u32s = (...values: number[]): Buffer => {
  const b = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

/** The 8-byte header of a DATA frame (so large payloads can be written without copying). */
export const encodeDataHeader = (streamId: number, flags: number, length: number): Buffer => {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload too large: ${length}`);
  const b = Buffer.allocUnsafe(HEADER_SIZE);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(length, 4);
  b[4] = flags & 0xff;
  return b;
};

/** Encodes one frame to its bytes. */
export const encodeFrame = (frame: SpdyFrame): Buffer => {
  switch (frame.type) {
    case 'data':
      return Buffer.concat([encodeDataHeader(frame.streamId, frame.flags, frame.data.length), frame.data]);
    case 'syn_stream': {
      const head = Buffer.allocUnsafe(10);
      head.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      head.writeUInt32BE(frame.associatedStreamId & 0x7fffffff, 4);
      head[8] = (frame.priority & 0x7) << 5;
      head[9] = frame.slot & 0xff;
      return control(FrameType.SYN_STREAM, frame.flags, Buffer.concat([head, frame.headerBlock]));
    }
    case 'syn_reply':
      return control(
        FrameType.SYN_REPLY,
        frame.flags,
        Buffer.concat([u32s(frame.streamId & 0x7fffffff), frame.headerBlock]),
      );
    case 'rst_stream':
      return control(FrameType.RST_STREAM, frame.flags, u32s(frame.streamId & 0x7fffffff, frame.status));
    case 'settings': {
      const b = Buffer.allocUnsafe(4 + frame.entries.length * 8);
      b.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        b.writeUInt32BE(e.id & 0xffffff, 4 + i * 8);
        b[4 + i * 8] = e.flags & 0xff;
        b.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.SETTINGS, frame.flags, b);
    }
    case 'ping':
      return control(FrameType.PING, 0, u32s(frame.id));
    case 'goaway':
      return control(FrameType.GOAWAY, 0, u32s(frame.lastGoodStreamId & 0x7fffffff, frame.status));
    case 'headers':
      return control(
        FrameType.HEADERS,
        frame.flags,
        Buffer.concat([u32s(frame.streamId & 0x7fffffff), frame.headerBlock]),
      );
    case 'window_update':
      return control(FrameType.WINDOW_UPDATE, 0, u32s(frame.streamId & 0x7fffffff, frame.delta & 0x7fffffff));
    case 'unknown': {
      const b = control(frame.typeCode, frame.flags, frame.payload);
      b.writeUInt16BE(0x8000 | (frame.version & 0x7fff), 0);
      return b;
    }
  }
};

// ---------------------------------------------------------------- decoder

const need = (payload: Buffer, min: number, what: string): void => {
  if (payload.length < min) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
};

// One case per SPDY frame type.
/** Decodes one complete frame given its 8-byte header and payload. */
export const decodeFrame = (header: Buffer, payload: Buffer): SpdyFrame => {
  const flags = header[4] ?? 0;
  if (((header[0] ?? 0) & 0x80) === 0) {
    return { type: 'data', streamId: header.readUInt32BE(0) & 0x7fffffff, flags, data: payload };
  }
  const version = header.readUInt16BE(0) & 0x7fff;
  const typeCode = header.readUInt16BE(2);
  if (version !== SPDY_VERSION) return { type: 'unknown', version, typeCode, flags, payload };
  switch (typeCode) {
    case FrameType.SYN_STREAM:
      need(payload, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        associatedStreamId: payload.readUInt32BE(4) & 0x7fffffff,
        priority: ((payload[8] ?? 0) >> 5) & 0x7,
        slot: payload[9] ?? 0,
        flags,
        headerBlock: payload.subarray(10),
      };
    case FrameType.SYN_REPLY:
      need(payload, 4, 'SYN_REPLY');
      return {
        type: 'syn_reply',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        flags,
        headerBlock: payload.subarray(4),
      };
    case FrameType.RST_STREAM:
      need(payload, 8, 'RST_STREAM');
      return {
        type: 'rst_stream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        status: payload.readUInt32BE(4),
        flags,
      };
    case FrameType.SETTINGS: {
      need(payload, 4, 'SETTINGS');
      const count = payload.readUInt32BE(0);
      if (payload.length < 4 + count * 8)
        throw new SpdyProtocolError('SETTINGS frame shorter than its count');
      const entries: SettingsFrame['entries'] = [];
      for (let i = 0; i < count; i++) {
        const off = 4 + i * 8;
        entries.push({
          flags: payload[off] ?? 0,
          id: payload.readUInt32BE(off) & 0xffffff,
          value: payload.readUInt32BE(off + 4),
        });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(payload, 4, 'PING');
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(payload, 4, 'GOAWAY');
      return {
        type: 'goaway',
        lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff,
        // SPDY/2 GOAWAY had no status; tolerate its absence.
        status: payload.length >= 8 ? payload.readUInt32BE(4) : 0,
      };
    case FrameType.HEADERS:
      need(payload, 4, 'HEADERS');
      return {
        type: 'headers',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        flags,
        headerBlock: payload.subarray(4),
      };
    case FrameType.WINDOW_UPDATE:
      need(payload, 8, 'WINDOW_UPDATE');
      return {
        type: 'window_update',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        delta: payload.readUInt32BE(4) & 0x7fffffff,
      };
    default:
      return { type: 'unknown', version, typeCode, flags, payload };
  }
};

/**
 * Incremental frame parser: feed it bytes as they arrive, in chunks of any size (1 byte, half a
 * header, several frames at once), and it returns every frame completed so far. Payloads that lie
 * inside one input chunk are returned as zero-copy views of it.
 *
 * With `streamData`, a DATA frame is returned in pieces as its bytes arrive (zero-copy views, the
 * FIN flag only on the last piece), so a large frame is never reassembled: its receiver sees the
 * same bytes, only cut differently. Control frames are always returned whole.
 */
export class FrameParser {
  private readonly queue = new ByteQueue();
  private readonly streamData: boolean;
  /** The DATA frame being streamed: its stream, flags, and payload bytes still to come. */
  private data: { streamId: number; flags: number; remaining: number } | undefined;

  constructor(options: { streamData?: boolean } = {}) {
    this.streamData = options.streamData ?? false;
  }

  /** Bytes received but not yet returned. */
  get pending(): number {
    return this.queue.length;
  }

  push(chunk: Buffer): SpdyFrame[] {
    this.queue.push(chunk);
    const frames: SpdyFrame[] = [];
    for (;;) {
      const d = this.data;
      if (d !== undefined) {
        if (this.queue.length === 0) break;
        const piece = this.queue.takeUpTo(d.remaining);
        d.remaining -= piece.length;
        if (d.remaining === 0) this.data = undefined;
        const flags = d.remaining === 0 ? d.flags : d.flags & ~FLAG_FIN;
        frames.push({ type: 'data', streamId: d.streamId, flags, data: piece });
        continue;
      }
      if (this.queue.length < HEADER_SIZE) break;
      const header = this.queue.peek(HEADER_SIZE);
      const length = header.readUInt32BE(4) & 0xffffff;
      const isData = ((header[0] ?? 0) & 0x80) === 0;
      if (this.streamData && isData && length > 0) {
        this.queue.take(HEADER_SIZE);
        this.data = {
          streamId: header.readUInt32BE(0) & 0x7fffffff,
          flags: header[4] ?? 0,
          remaining: length,
        };
        continue;
      }
      if (this.queue.length < HEADER_SIZE + length) break;
      this.queue.take(HEADER_SIZE);
      const payload = this.queue.take(length);
      frames.push(decodeFrame(header, payload));
    }
    return frames;
  }
}
