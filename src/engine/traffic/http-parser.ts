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

/** What String.prototype.trim() removes, within latin1. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

/** Parses a complete head (start line + header lines, latin1). Returns a reason string when invalid. */
export const parseHead = (
  kind: 'request' | 'response',
  text: string,
): { head: MessageHead; contentLength: number | undefined; chunked: boolean } | string => {
  // By index, not by line strings: this runs for every request and response, and only three
  // header names matter, so the other lines are checked for a colon and skipped without a copy.
  let eol = text.indexOf('\n');
  let lineEnd = eol === -1 ? text.length : eol;
  if (lineEnd > 0 && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const start = text.slice(0, lineEnd);
  let head: MessageHead;
  if (kind === 'request') {
    const m = /^([A-Z]{3,7}) (\S+) HTTP\/(1\.[01])$/.exec(start);
    if (!m) return 'not an HTTP/1.x request line';
    head = { kind, method: m[1]!, path: m[2]!, version: m[3]!, upgrade: false };
  } else {
    const m = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(start);
    if (!m) return 'not an HTTP/1.x status line';
    head = { kind, status: Number(m[2]), version: m[1]! };
  }
  let contentLength: number | undefined;
  let chunked = false;
  while (eol !== -1) {
    const from = eol + 1;
    eol = text.indexOf('\n', from);
    lineEnd = eol === -1 ? text.length : eol;
    if (lineEnd > from && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd === from) continue;
    const colon = text.indexOf(':', from);
    if (colon <= from || colon >= lineEnd) return 'malformed header line';
    let nameStart = from;
    let nameEnd = colon;
    while (nameStart < nameEnd && isSpace(text.charCodeAt(nameStart))) nameStart++;
    while (nameEnd > nameStart && isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    // The three names have distinct lengths, so most lines stop here.
    const len = nameEnd - nameStart;
    if (len !== 14 && len !== 17 && len !== 7) continue;
    const lower = text.slice(nameStart, nameEnd).toLowerCase();
    if (lower === 'content-length') {
      const value = text.slice(colon + 1, lineEnd).trim();
      if (!/^\d{1,15}$/.test(value)) return 'bad Content-Length';
      contentLength = Number(value);
    } else if (lower === 'transfer-encoding') {
      // Repeated headers form one list (RFC 9110 §5.3); the body is chunked only when chunked is
      // the last coding, else (a response) it runs until close (RFC 9112 §6.3).
      for (const t of text
        .slice(colon + 1, lineEnd)
        .toLowerCase()
        .split(',')) {
        const coding = t.trim();
        if (coding !== '') chunked = coding === 'chunked';
      }
    } else if (lower === 'upgrade' && head.kind === 'request') {
      head.upgrade = true;
    }
  }
  if (head.kind === 'request' && head.method === 'CONNECT') head.upgrade = true;
  return { head, contentLength, chunked };
};

/**
 * The index just after the blank line that ends the head starting at buf[from], or -1: the first
 * line feed followed by "\n" or "\r\n" (CRLF, bare LF and mixed line ends alike). Hops from line
 * feed to line feed (memchr) instead of searching for each terminator spelling.
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
  let chunkLine = '';
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

  // One step of the parser's state machine: one branch per state.
  /** Consumes head bytes from chunk[from..]; returns the index after the head, or -1 if more is needed. */
  const takeHead = (chunk: Uint8Array, from: number): number => {
    // Skip blank lines between messages (allowed by RFC 9112 §2.2).
    if (headLen === 0) {
      while (from < chunk.length && (chunk[from] === 13 || chunk[from] === 10)) from++;
      if (from >= chunk.length) return -1;
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let text: string;
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
      text = buf.toString('latin1', from, after);
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
      text = full.toString('latin1');
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
    const parsed = parseHead(kind, text);
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
      chunkLine = '';
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
          if (c === 10) {
            const hex = chunkLine.replace(/\r$/, '').split(';')[0]!.trim();
            chunkLine = '';
            if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
              fail('bad chunk size');
              return;
            }
            remaining = parseInt(hex, 16);
            if (remaining === 0) {
              st = St.Trailer;
              trailerLine = 0;
            } else st = St.ChunkData;
          } else {
            chunkLine += String.fromCharCode(c);
            if (chunkLine.length > MAX_CHUNK_LINE) {
              fail('chunk size line too long');
              return;
            }
          }
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
          if (c === 10) st = St.ChunkSize;
          else if (c !== 13) {
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
