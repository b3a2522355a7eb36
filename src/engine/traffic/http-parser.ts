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

type BodyMode = { t: 'none' } | { t: 'length'; remaining: number } | { t: 'chunked' } | { t: 'until-close' };

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
  const lines = text.split(/\r?\n/);
  const start = lines[0] ?? '';
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
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return 'malformed header line';
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return 'bad Content-Length';
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      chunked = value
        .toLowerCase()
        .split(',')
        .map((s) => s.trim())
        .includes('chunked');
    } else if (name === 'upgrade' && head.kind === 'request') {
      head.upgrade = true;
    }
  }
  if (head.kind === 'request' && head.method === 'CONNECT') head.upgrade = true;
  return { head, contentLength, chunked };
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
    const slice = Buffer.from(chunk.buffer, chunk.byteOffset + from, chunk.length - from);
    // Find the end of the head: "\r\n\r\n" or "\n\n", possibly across chunk boundaries.
    const prev = head.length > 0 ? Buffer.concat(head) : Buffer.alloc(0);
    const look =
      prev.length > 0 ? Buffer.concat([prev.subarray(Math.max(0, prev.length - 3)), slice]) : slice;
    const offset = prev.length > 0 ? Math.min(3, prev.length) : 0;
    if (!prefixChecked) {
      const all = Buffer.concat([prev, slice.subarray(0, 16)]).toString('latin1');
      if (!plausiblePrefix(kind, all)) {
        fail(kind === 'request' ? 'not an HTTP/1.x request' : 'not an HTTP/1.x response');
        return -1;
      }
      if (all.length >= (kind === 'request' ? 8 : RESPONSE_PREFIX.length)) prefixChecked = true;
    }
    let end = -1;
    let termLen = 0;
    const a = look.indexOf('\r\n\r\n');
    const b = look.indexOf('\n\n');
    if (a !== -1 && (b === -1 || a <= b)) {
      end = a;
      termLen = 4;
    } else if (b !== -1) {
      end = b;
      termLen = 2;
    }
    if (end === -1) {
      headLen += slice.length;
      if (headLen > MAX_HEAD_BYTES) {
        fail('header block too large');
        return -1;
      }
      head.push(Buffer.from(slice));
      return -1;
    }
    const usedFromSlice = end + termLen - offset;
    const full = Buffer.concat([prev, slice.subarray(0, usedFromSlice)]);
    head = [];
    headLen = 0;
    prefixChecked = false;
    if (full.length > MAX_HEAD_BYTES) {
      fail('header block too large');
      return -1;
    }
    const parsed = parseHead(kind, full.toString('latin1').replace(/\r?\n\r?\n$/, ''));
    if (typeof parsed === 'string') {
      fail(parsed);
      return -1;
    }
    // Asked before onHead: the answer depends on the request the head is about to be paired with.
    const bodyless = parsed.head.kind === 'response' && events.bodyless?.(parsed.head) === true;
    events.onHead(parsed.head, full.length);
    if (st === St.Failed) return -1; // onHead may stop us (e.g. upgrade)
    let mode: BodyMode;
    if (bodyless) mode = { t: 'none' };
    else if (parsed.chunked) mode = { t: 'chunked' };
    else if (parsed.contentLength !== undefined) mode = { t: 'length', remaining: parsed.contentLength };
    else mode = parsed.head.kind === 'response' ? { t: 'until-close' } : { t: 'none' };
    body = 0;
    if (mode.t === 'none' || (mode.t === 'length' && mode.remaining === 0)) complete();
    else if (mode.t === 'length') {
      st = St.Length;
      remaining = mode.remaining;
    } else if (mode.t === 'chunked') {
      st = St.ChunkSize;
      chunkLine = '';
    } else st = St.UntilClose;
    return from + usedFromSlice;
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
