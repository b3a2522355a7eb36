// Incremental HTTP/1.x message framing for one direction of a connection: finds each message's
// start line and headers, then skips its body (Content-Length, chunked, or until close) to find the
// next message. It only reads the bytes it is given — it never changes or holds on to them beyond
// the (bounded) header block. It gives up quickly (and for good) on bytes that are not HTTP/1.x,
// so binary protocols cost one prefix check. Pure: no clock, no I/O; never throws on input.

export interface RequestHead {
  kind: 'request';
  method: string;
  path: string;
  version: string;
  /** Connection upgrade asked for (websocket, h2c): the sniffer stops after the response. */
  upgrade: boolean;
}

export interface ResponseHead {
  kind: 'response';
  status: number;
  version: string;
}

export type MessageHead = RequestHead | ResponseHead;

export interface HttpParserEvents {
  /** Start line and headers of a message; `headerBytes` counts the head. */
  onHead(head: MessageHead, headerBytes: number): void;
  /** The message body is complete; `bodyBytes` is its decoded length (chunk framing excluded). */
  onComplete(bodyBytes: number): void;
  /** Not (or no longer) HTTP/1.x; no more events follow. */
  onFail(reason: string): void;
  /**
   * Responses only: whether this response carries no body whatever its headers say (reply to
   * HEAD, 1xx, 204, 304). Asked once per response head.
   */
  bodyless?(head: ResponseHead): boolean;
}

export interface HttpParser {
  push(chunk: Uint8Array): void;
  /** The peer closed: a response read until close is complete now. */
  end(): void;
  /** Stop parsing (quietly: no onFail). */
  stop(): void;
  readonly failed: boolean;
}

export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'CONNECT',
  'TRACE',
] as const;
const REQUEST_PREFIXES = METHODS.map((m) => `${m} `);
const RESPONSE_PREFIX = 'HTTP/1.';
/** A head larger than this is not something we keep buffering. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE = 1024;

/** Where a chunk-size line is: before its hex digits, in them, after them, in an extension. */
const enum Size {
  Lead,
  Digits,
  Trail,
  Ext,
}

/** The value of a hex digit byte, or -1. */
const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

const enum St {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
  Failed,
}

const REQUEST_PREFIX_BYTES = REQUEST_PREFIXES.map((p) => Buffer.from(p, 'latin1'));
const RESPONSE_PREFIX_BYTES = [Buffer.from(RESPONSE_PREFIX, 'latin1')];

/**
 * Whether bytes[from..] (the first bytes of a message, however few) can still become a valid
 * start line. Compared byte by byte: it runs on the first chunk of every message.
 */
export const plausiblePrefix = (kind: 'request' | 'response', bytes: Uint8Array, from = 0): boolean => {
  const n = bytes.length - from;
  next: for (const p of kind === 'request' ? REQUEST_PREFIX_BYTES : RESPONSE_PREFIX_BYTES) {
    for (let i = 0; i < n && i < p.length; i++) if (bytes[from + i] !== p[i]) continue next;
    return true;
  }
  return false;
};

/** What String.prototype.trim() and the regexp class \s match, within latin1. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

export interface ParsedHead {
  head: MessageHead;
  contentLength: number | undefined;
  chunked: boolean;
}

const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const UPGRADE = Buffer.from('upgrade', 'latin1');

/** Whether buf[at..] starts with `word`; with `lower`, in any letter case (`word` lowercase ASCII). */
const startsWith = (buf: Buffer, at: number, word: Buffer, lower = false): boolean => {
  for (let i = 0; i < word.length; i++) {
    const c = buf[at + i];
    if (c !== word[i] && !(lower && c! >= 65 && c! <= 90 && c! + 32 === word[i])) return false;
  }
  return true;
};

/** The index of the next line feed in buf[from..to), or `to`. */
const lineFeed = (buf: Buffer, from: number, to: number): number => {
  const i = buf.indexOf(10, from);
  return i === -1 || i > to ? to : i;
};

/** "HTTP/1.0" or "HTTP/1.1" at buf[at..end): its version ("1.0", "1.1"), else undefined. */
const versionAt = (buf: Buffer, at: number, end: number): string | undefined => {
  if (end - at < 8 || !startsWith(buf, at, RESPONSE_PREFIX_BYTES[0]!)) return undefined;
  const minor = buf[at + 7];
  return minor === 48 ? '1.0' : minor === 49 ? '1.1' : undefined;
};

/** The method before the space at buf[sp]: one of METHODS (no new string), else its text. */
const methodAt = (buf: Buffer, from: number, sp: number): string => {
  for (let m = 0; m < METHODS.length; m++) {
    const prefix = REQUEST_PREFIX_BYTES[m]!; // "GET " and so on
    if (prefix.length === sp + 1 - from && startsWith(buf, from, prefix)) return METHODS[m]!;
  }
  return buf.toString('latin1', from, sp);
};

/** The request line in buf[from..end) (no line end): METHOD SP target SP HTTP/1.x. */
const requestLine = (buf: Buffer, from: number, end: number): RequestHead | undefined => {
  let sp = from;
  while (sp < end && buf[sp]! >= 65 && buf[sp]! <= 90) sp++;
  if (sp - from < 3 || sp - from > 7 || buf[sp] !== 32) return undefined;
  const target = sp + 1;
  let targetEnd = target;
  while (targetEnd < end && !isSpace(buf[targetEnd]!)) targetEnd++;
  if (targetEnd === target || buf[targetEnd] !== 32 || end - (targetEnd + 1) !== 8) return undefined;
  const version = versionAt(buf, targetEnd + 1, end);
  if (version === undefined) return undefined;
  const path = buf.toString('latin1', target, targetEnd);
  return { kind: 'request', method: methodAt(buf, from, sp), path, version, upgrade: false };
};

/** The status line in buf[from..end) (no line end): HTTP/1.x SP 3DIGIT [SP reason]. */
const statusLine = (buf: Buffer, from: number, end: number): ResponseHead | undefined => {
  const version = versionAt(buf, from, end);
  if (version === undefined || end - from < 12 || buf[from + 8] !== 32) return undefined;
  let status = 0;
  for (let i = from + 9; i < from + 12; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    status = status * 10 + d;
  }
  if (end > from + 12) {
    if (buf[from + 12] !== 32) return undefined;
    // The reason phrase is anything on the line but a carriage return.
    for (let i = from + 13; i < end; i++) if (buf[i] === 13) return undefined;
  }
  return { kind: 'response', status, version };
};

/** A Content-Length value (buf[from..end), untrimmed): 1-15 digits, else undefined. */
const lengthValue = (buf: Buffer, from: number, end: number): number | undefined => {
  while (from < end && isSpace(buf[from]!)) from++;
  while (end > from && isSpace(buf[end - 1]!)) end--;
  if (end === from || end - from > 15) return undefined;
  let n = 0;
  for (let i = from; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
};

/**
 * Parses a complete head, buf[from..to): start line and header lines, any line ends (CRLF or LF),
 * the blank line included or not. Returns a reason string when invalid. Reads bytes in place: this
 * runs for every request and response, and only three header names matter, so the other lines are
 * checked for a colon and skipped, and the only strings made are the method and the path.
 */
export const parseHead = (
  kind: 'request' | 'response',
  buf: Buffer,
  from = 0,
  to = buf.length,
): ParsedHead | string => {
  let eol = lineFeed(buf, from, to);
  let lineEnd = eol > from && buf[eol - 1] === 13 ? eol - 1 : eol;
  const head = kind === 'request' ? requestLine(buf, from, lineEnd) : statusLine(buf, from, lineEnd);
  if (!head) return kind === 'request' ? 'not an HTTP/1.x request line' : 'not an HTTP/1.x status line';
  let contentLength: number | undefined;
  let chunked = false;
  while (eol < to) {
    const start = eol + 1;
    eol = lineFeed(buf, start, to);
    lineEnd = eol > start && buf[eol - 1] === 13 ? eol - 1 : eol;
    if (lineEnd === start) continue;
    let colon = start;
    while (colon < lineEnd && buf[colon] !== 58) colon++;
    if (colon === start || colon === lineEnd) return 'malformed header line';
    let nameStart = start;
    let nameEnd = colon;
    while (nameStart < nameEnd && isSpace(buf[nameStart]!)) nameStart++;
    while (nameEnd > nameStart && isSpace(buf[nameEnd - 1]!)) nameEnd--;
    // The three names have distinct lengths, so most lines stop here.
    const len = nameEnd - nameStart;
    if (len === CONTENT_LENGTH.length && startsWith(buf, nameStart, CONTENT_LENGTH, true)) {
      contentLength = lengthValue(buf, colon + 1, lineEnd);
      if (contentLength === undefined) return 'bad Content-Length';
    } else if (len === TRANSFER_ENCODING.length && startsWith(buf, nameStart, TRANSFER_ENCODING, true)) {
      // Repeated headers form one list (RFC 9110 §5.3); the body is chunked only when chunked is
      // the last coding, else (a response) it runs until close (RFC 9112 §6.3). Rare: read as text.
      for (const t of buf
        .toString('latin1', colon + 1, lineEnd)
        .toLowerCase()
        .split(',')) {
        const coding = t.trim();
        if (coding !== '') chunked = coding === 'chunked';
      }
    } else if (
      len === UPGRADE.length &&
      head.kind === 'request' &&
      startsWith(buf, nameStart, UPGRADE, true)
    ) {
      head.upgrade = true;
    }
  }
  if (head.kind === 'request' && head.method === 'CONNECT') head.upgrade = true;
  return { head, contentLength, chunked };
};

/**
 * The index just after the blank line that ends the head starting at buf[from], or -1: the first
 * line feed followed by "\n" or "\r\n" (CRLF, bare LF and mixed line ends alike). Hops from line
 * feed to line feed (memchr) instead of searching for each terminator spelling; a byte loop in
 * JavaScript measured slower.
 */
const headEnd = (buf: Buffer, from: number): number => {
  for (let i = buf.indexOf(10, from); i !== -1; i = buf.indexOf(10, i + 1)) {
    const c = buf[i + 1];
    if (c === 10) return i + 2;
    if (c === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
};

// One closure on purpose: the parser is a state machine whose steps share the buffer and the current message.
export const createHttpParser = (kind: 'request' | 'response', events: HttpParserEvents): HttpParser => {
  let st: St = St.Head;
  let head: Buffer[] = [];
  let headLen = 0;
  let prefixChecked = false;
  let body = 0;
  let remaining = 0;
  // The chunk-size line being read (its value accumulates in `remaining`).
  let sizePhase = Size.Lead;
  let sizeDigits = 0;
  let sizeLine = 0;
  let trailerLine = 0;

  const fail = (reason: string): void => {
    st = St.Failed;
    head = [];
    events.onFail(reason);
  };

  const complete = (): void => {
    st = St.Head;
    const n = body;
    body = 0;
    events.onComplete(n);
  };

  const newSizeLine = (): void => {
    sizePhase = Size.Lead;
    sizeDigits = 0;
    sizeLine = 0;
    remaining = 0;
  };

  /**
   * One byte (not the line feed) of a chunk-size line: 1-12 hex digits, whitespace around them,
   * then anything after a ";" (extensions). Read byte by byte as it arrives, no string; false as
   * soon as the line cannot be valid.
   */
  const sizeByte = (c: number): boolean => {
    if (sizePhase === Size.Ext) return true;
    if (c === 59) {
      sizePhase = Size.Ext; // with no digits before it, the line feed fails it
      return true;
    }
    if (isSpace(c)) {
      if (sizePhase === Size.Digits) sizePhase = Size.Trail;
      return true;
    }
    const d = hexValue(c);
    if (d < 0 || sizePhase === Size.Trail || ++sizeDigits > 12) return false;
    sizePhase = Size.Digits;
    remaining = remaining * 16 + d;
    return true;
  };

  // One step of the parser's state machine: one branch per state.
  /** Consumes head bytes from chunk[from..]; returns the index after the head, or -1 if more is needed. */
  const takeHead = (chunk: Uint8Array, from: number): number => {
    // Skip blank lines between messages (allowed by RFC 9112 §2.2).
    if (headLen === 0) {
      while (from < chunk.length && (chunk[from] === 13 || chunk[from] === 10)) from++;
      if (from >= chunk.length) return -1;
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let headBuf: Buffer;
    let headFrom: number;
    let headBytes: number;
    let next: number;
    if (headLen === 0) {
      // The usual case: the whole head is in this chunk. No copies until it is found.
      if (!prefixChecked) {
        if (!plausiblePrefix(kind, buf, from)) {
          fail(kind === 'request' ? 'not an HTTP/1.x request' : 'not an HTTP/1.x response');
          return -1;
        }
        if (buf.length - from >= (kind === 'request' ? 8 : RESPONSE_PREFIX.length)) prefixChecked = true;
      }
      const after = headEnd(buf, from);
      if (after === -1) {
        head.push(Buffer.from(buf.subarray(from)));
        headLen = buf.length - from;
        if (headLen > MAX_HEAD_BYTES) fail('header block too large');
        return -1;
      }
      headBuf = buf;
      headFrom = from;
      headBytes = after - from;
      next = after;
    } else {
      // A head split across chunks: join what we kept with this chunk and look again.
      const prev = Buffer.concat(head);
      if (!prefixChecked) {
        const joined = Buffer.concat([prev, buf.subarray(from, from + 16)]);
        if (!plausiblePrefix(kind, joined)) {
          fail(kind === 'request' ? 'not an HTTP/1.x request' : 'not an HTTP/1.x response');
          return -1;
        }
        if (joined.length >= (kind === 'request' ? 8 : RESPONSE_PREFIX.length)) prefixChecked = true;
      }
      // The terminator is at most 3 bytes: 2 kept bytes and the new ones find it across the seam.
      const keep = Math.min(2, prev.length);
      const look = Buffer.concat([prev.subarray(prev.length - keep), buf.subarray(from)]);
      const after = headEnd(look, 0);
      if (after === -1) {
        headLen += buf.length - from;
        if (headLen > MAX_HEAD_BYTES) {
          fail('header block too large');
          return -1;
        }
        head.push(Buffer.from(buf.subarray(from)));
        return -1;
      }
      const usedFromChunk = after - keep;
      const full = Buffer.concat([prev, buf.subarray(from, from + usedFromChunk)]);
      headBuf = full;
      headFrom = 0;
      headBytes = full.length;
      next = from + usedFromChunk;
    }
    head = [];
    headLen = 0;
    prefixChecked = false;
    if (headBytes > MAX_HEAD_BYTES) {
      fail('header block too large');
      return -1;
    }
    const parsed = parseHead(kind, headBuf, headFrom, headFrom + headBytes);
    if (typeof parsed === 'string') {
      fail(parsed);
      return -1;
    }
    // Asked before onHead: the answer depends on the request the head is about to be paired with.
    const bodyless = parsed.head.kind === 'response' && events.bodyless?.(parsed.head) === true;
    events.onHead(parsed.head, headBytes);
    if (st === St.Failed) return -1; // onHead may stop us (e.g. upgrade)
    body = 0;
    if (bodyless || (!parsed.chunked && parsed.contentLength === undefined && parsed.head.kind === 'request'))
      complete();
    else if (parsed.chunked) {
      st = St.ChunkSize;
      newSizeLine();
    } else if (parsed.contentLength !== undefined) {
      if (parsed.contentLength === 0) complete();
      else {
        st = St.Length;
        remaining = parsed.contentLength;
      }
    } else st = St.UntilClose;
    return next;
  };

  // The parser's entry point: one branch per state, each short.
  const push = (chunk: Uint8Array): void => {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (st) {
        case St.Failed:
          return;
        case St.UntilClose:
          body += n - i;
          return;
        case St.Head: {
          const next = takeHead(chunk, i);
          if (next === -1) return;
          i = next;
          break;
        }
        case St.Length: {
          const take = Math.min(remaining, n - i);
          remaining -= take;
          body += take;
          i += take;
          if (remaining === 0) complete();
          break;
        }
        case St.ChunkSize: {
          const c = chunk[i++]!;
          if (c !== 10) {
            if (++sizeLine > MAX_CHUNK_LINE) {
              fail('chunk size line too long');
              return;
            }
            if (!sizeByte(c)) {
              fail('bad chunk size');
              return;
            }
            break;
          }
          if (sizeDigits === 0) {
            fail('bad chunk size');
            return;
          }
          if (remaining === 0) {
            st = St.Trailer;
            trailerLine = 0;
          } else st = St.ChunkData;
          break;
        }
        case St.ChunkData: {
          const take = Math.min(remaining, n - i);
          remaining -= take;
          body += take;
          i += take;
          if (remaining === 0) st = St.ChunkDataEnd;
          break;
        }
        case St.ChunkDataEnd: {
          const c = chunk[i++]!;
          if (c === 10) {
            st = St.ChunkSize;
            newSizeLine();
          } else if (c !== 13) {
            fail('missing CRLF after chunk data');
            return;
          }
          break;
        }
        case St.Trailer: {
          const c = chunk[i++]!;
          if (c === 10) {
            if (trailerLine === 0) complete();
            trailerLine = 0;
          } else if (c !== 13) {
            trailerLine++;
            if (trailerLine > MAX_HEAD_BYTES) {
              fail('trailer too long');
              return;
            }
          }
          break;
        }
      }
    }
  };

  return {
    push(chunk) {
      try {
        push(chunk);
      } catch (err) {
        // A parser bug must never reach the data path: stop sniffing this direction.
        if (st !== St.Failed) fail(`parser error: ${String(err)}`);
      }
    },
    end() {
      if (st === St.UntilClose) complete();
    },
    stop() {
      st = St.Failed;
      head = [];
    },
    get failed() {
      return st === St.Failed;
    },
  };
};
