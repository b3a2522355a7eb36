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

/** Whether `text` (the first bytes of a message) can still become a valid start line. */
export const plausiblePrefix = (kind: 'request' | 'response', text: string): boolean => {
  if (kind === 'response') {
    const n = Math.min(text.length, RESPONSE_PREFIX.length);
    return text.slice(0, n) === RESPONSE_PREFIX.slice(0, n);
  }
  return REQUEST_PREFIXES.some((p) => {
    const n = Math.min(text.length, p.length);
    return text.slice(0, n) === p.slice(0, n);
  });
};

/** Parses a complete head (start line + header lines, latin1). Returns a reason string when invalid. */
export const parseHead = (
  kind: 'request' | 'response',
  text: string,
): { head: MessageHead; contentLength: number | undefined; chunked: boolean } | string => {
  // Lines by hand (indexOf, not split on a regex): this runs for every request and response.
  let pos = text.indexOf('\n');
  const start = stripCr(pos === -1 ? text : text.slice(0, pos));
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
  while (pos !== -1) {
    const from = pos + 1;
    pos = text.indexOf('\n', from);
    const line = stripCr(pos === -1 ? text.slice(from) : text.slice(from, pos));
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return 'malformed header line';
    // Only three headers matter; their names have distinct lengths, so most lines stop here.
    const name = line.slice(0, colon).trim();
    if (name.length !== 14 && name.length !== 17 && name.length !== 7) continue;
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      const value = line.slice(colon + 1).trim();
      if (!/^\d{1,15}$/.test(value)) return 'bad Content-Length';
      contentLength = Number(value);
    } else if (lower === 'transfer-encoding') {
      chunked = line
        .slice(colon + 1)
        .toLowerCase()
        .split(',')
        .some((t) => t.trim() === 'chunked');
    } else if (lower === 'upgrade' && head.kind === 'request') {
      head.upgrade = true;
    }
  }
  if (head.kind === 'request' && head.method === 'CONNECT') head.upgrade = true;
  return { head, contentLength, chunked };
};

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** Whether chunk[from..] starts with what can still become a start line of `kind`. */
const plausibleBytes = (kind: 'request' | 'response', chunk: Uint8Array, from: number): boolean => {
  const n = Math.min(chunk.length - from, 16);
  let text = '';
  for (let i = 0; i < n; i++) text += String.fromCharCode(chunk[from + i]!);
  return plausiblePrefix(kind, text);
};

/** Index of the head's end in buf[from..] ("\r\n\r\n" or "\n\n", whichever comes first) and its length. */
const headEnd = (buf: Buffer, from: number): { end: number; termLen: number } | undefined => {
  const a = buf.indexOf('\r\n\r\n', from, 'latin1');
  // A bare "\n\n" counts only before the CRLF terminator: search no further (the body may be long).
  const b = (a === -1 ? buf : buf.subarray(0, a + 1)).indexOf('\n\n', from, 'latin1');
  if (b !== -1 && (a === -1 || b < a)) return { end: b, termLen: 2 };
  if (a !== -1) return { end: a, termLen: 4 };
  return undefined;
};

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

  /** Consumes head bytes from chunk[from..]; returns the index after the head, or -1 if more is needed. */
  const takeHead = (chunk: Uint8Array, from: number): number => {
    // Skip blank lines between messages (allowed by RFC 9112 §2.2).
    if (headLen === 0) {
      while (from < chunk.length && (chunk[from] === 13 || chunk[from] === 10)) from++;
      if (from >= chunk.length) return -1;
    }
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let full: Buffer;
    let next: number;
    if (headLen === 0) {
      // The usual case: the whole head is in this chunk. No copies until it is found.
      if (!prefixChecked) {
        if (!plausibleBytes(kind, buf, from)) {
          fail(kind === 'request' ? 'not an HTTP/1.x request' : 'not an HTTP/1.x response');
          return -1;
        }
        if (buf.length - from >= (kind === 'request' ? 8 : RESPONSE_PREFIX.length)) prefixChecked = true;
      }
      const found = headEnd(buf, from);
      if (found === undefined) {
        head.push(Buffer.from(buf.subarray(from)));
        headLen = buf.length - from;
        if (headLen > MAX_HEAD_BYTES) fail('header block too large');
        return -1;
      }
      full = buf.subarray(from, found.end + found.termLen);
      next = found.end + found.termLen;
    } else {
      // A head split across chunks: join what we kept with this chunk and look again.
      const prev = Buffer.concat(head);
      if (!prefixChecked) {
        const joined = Buffer.concat([prev, buf.subarray(from, from + 16)]);
        if (!plausibleBytes(kind, joined, 0)) {
          fail(kind === 'request' ? 'not an HTTP/1.x request' : 'not an HTTP/1.x response');
          return -1;
        }
        if (joined.length >= (kind === 'request' ? 8 : RESPONSE_PREFIX.length)) prefixChecked = true;
      }
      const keep = Math.min(3, prev.length);
      const look = Buffer.concat([prev.subarray(prev.length - keep), buf.subarray(from)]);
      const found = headEnd(look, 0);
      if (found === undefined) {
        headLen += buf.length - from;
        if (headLen > MAX_HEAD_BYTES) {
          fail('header block too large');
          return -1;
        }
        head.push(Buffer.from(buf.subarray(from)));
        return -1;
      }
      const usedFromChunk = found.end + found.termLen - keep;
      full = Buffer.concat([prev, buf.subarray(from, from + usedFromChunk)]);
      next = from + usedFromChunk;
    }
    head = [];
    headLen = 0;
    prefixChecked = false;
    if (full.length > MAX_HEAD_BYTES) {
      fail('header block too large');
      return -1;
    }
    const parsed = parseHead(kind, full.toString('latin1'));
    if (typeof parsed === 'string') {
      fail(parsed);
      return -1;
    }
    // Asked before onHead: the answer depends on the request the head is about to be paired with.
    const bodyless = parsed.head.kind === 'response' && events.bodyless?.(parsed.head) === true;
    events.onHead(parsed.head, full.length);
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
