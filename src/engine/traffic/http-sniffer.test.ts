import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpParser, parseHead, plausiblePrefix, type MessageHead } from './http-parser.js';
import { createConnectionSniffer, type HttpExchange } from './http-sniffer.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `data` to `fn` in pieces cut at `cuts` (fractions), to test chunk-boundary handling. */
const feedSplit = (data: Buffer, cuts: number[], fn: (c: Buffer) => void): void => {
  const points = [...new Set(cuts.map((f) => Math.floor(f * data.length)))].sort((x, y) => x - y);
  let prev = 0;
  for (const p of [...points, data.length]) {
    if (p > prev) fn(data.subarray(prev, p));
    prev = Math.max(prev, p);
  }
};

const sniff = () => {
  let t = 1000;
  const out: HttpExchange[] = [];
  const s = createConnectionSniffer(
    () => (t += 5),
    (x) => out.push(x),
  );
  return { s, out };
};

describe('createConnectionSniffer timing', () => {
  it('stamps a request with the wall clock and times it with the elapsed clock, fractions kept', () => {
    const out: HttpExchange[] = [];
    let tick = 10.25;
    const s = createConnectionSniffer(
      () => 1_700_000_000_000,
      (x) => out.push(x),
      () => (tick += 0.125),
    );
    s.request(b('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.response(b('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(out).toEqual([
      expect.objectContaining({ at: 1_700_000_000_000, path: '/fast', durationMs: 0.125 }),
    ]);
  });
});

describe('parseHead', () => {
  const parseText = (kind: 'request' | 'response', text: string) => parseHead(kind, b(text));
  it('reads request line, Content-Length, chunked and upgrade', () => {
    const r = parseText('request', 'POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 12');
    expect(r).toMatchObject({
      head: { method: 'POST', path: '/a?b=1', version: '1.1', upgrade: false },
      contentLength: 12,
    });
    expect(parseText('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked')).toMatchObject({
      head: { status: 200 },
      chunked: true,
    });
    expect(parseText('request', 'GET /ws HTTP/1.1\r\nUpgrade: websocket')).toMatchObject({
      head: { upgrade: true },
    });
  });
  it('reads Transfer-Encoding as one list across repeated headers: chunked only as the last coding', () => {
    const te = (...values: string[]) => {
      const r = parseText(
        'response',
        ['HTTP/1.1 200 OK', ...values.map((v) => `Transfer-Encoding: ${v}`)].join('\r\n'),
      );
      return typeof r === 'string' ? r : r.chunked;
    };
    expect(te('gzip', 'chunked')).toBe(true);
    expect(te('chunked', 'gzip')).toBe(false);
    expect(te('chunked, gzip')).toBe(false);
    expect(te('chunked', '')).toBe(true);
    expect(te('gzip')).toBe(false);
  });
  it('refuses what is not HTTP/1.x', () => {
    expect(typeof parseText('request', 'PRI * HTTP/2.0')).toBe('string');
    expect(typeof parseText('response', 'HTTP/1.1 2000 OK')).toBe('string');
    expect(typeof parseText('request', 'GET / HTTP/1.1\r\nContent-Length: -1')).toBe('string');
  });
  it('reads any head exactly as a reference parser on the decoded text does (regular expressions, String.trim)', () => {
    // The reference: the head decoded as latin1 text, then split into lines and matched with the
    // grammar's regular expressions. Simple enough to trust; the parser under test reads bytes.
    const reference = (kind: 'request' | 'response', text: string) => {
      const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
      let head: MessageHead;
      if (kind === 'request') {
        const m = /^([A-Z]{3,7}) (\S+) HTTP\/(1\.[01])$/.exec(lines[0]!);
        if (!m) return 'not an HTTP/1.x request line';
        head = { kind, method: m[1]!, path: m[2]!, version: m[3]!, upgrade: m[1] === 'CONNECT' };
      } else {
        const m = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
        if (!m) return 'not an HTTP/1.x status line';
        head = { kind, status: Number(m[2]), version: m[1]! };
      }
      let contentLength: number | undefined;
      let chunked = false;
      for (const line of lines.slice(1)) {
        if (line === '') continue;
        const colon = line.indexOf(':');
        if (colon <= 0) return 'malformed header line';
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') {
          if (!/^\d{1,15}$/.test(value)) return 'bad Content-Length';
          contentLength = Number(value);
        } else if (name === 'transfer-encoding') {
          for (const t of value.toLowerCase().split(','))
            if (t.trim() !== '') chunked = t.trim() === 'chunked';
        } else if (name === 'upgrade' && head.kind === 'request') head.upgrade = true;
      }
      return { head, contentLength, chunked };
    };
    const piece = fc.constantFrom(
      'GET',
      'POST',
      'CONNECT',
      'PROPFIND',
      'get',
      'PRI',
      ' ',
      '  ',
      '\t',
      '\xa0',
      '/',
      '/a?b=1',
      '*',
      'HTTP/1.1',
      'HTTP/1.0',
      'HTTP/2.0',
      'HTTP/1.',
      '200',
      '2000',
      '20',
      'OK',
      '\r',
      '\n',
      '\r\n',
      ':',
      'Content-Length',
      'content-LENGTH',
      'Transfer-Encoding',
      'Upgrade',
      'UPGRADE',
      'Host',
      'chunked',
      'gzip',
      ',',
      '12',
      '0',
      '1234567890123456',
      '-1',
      'x',
    );
    const startLine = fc.constantFrom(
      'GET /a HTTP/1.1',
      'CONNECT h:443 HTTP/1.1',
      'OPTIONS * HTTP/1.0',
      'PATCH /p HTTP/1.1',
      'HTTP/1.1 200 OK',
      'HTTP/1.0 404 Not Found',
      'HTTP/1.1 101',
      'HTTP/1.1 204 \r',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
          fc.tuple(startLine, fc.array(piece, { maxLength: 30 })).map(([l, p]) => `${l}\r\n${p.join('')}`),
        ),
        fc.boolean(),
        (text, isReq) => {
          const kind = isReq ? 'request' : 'response';
          expect(parseText(kind, text)).toEqual(reference(kind, text));
          // The same head in the middle of a larger buffer.
          const framed = b(`xx${text}yy`);
          expect(parseHead(kind, framed, 2, framed.length - 2)).toEqual(reference(kind, text));
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('plausiblePrefix gives up on the first wrong byte', () => {
    expect(plausiblePrefix('request', Buffer.from('GE', 'latin1'))).toBe(true);
    expect(plausiblePrefix('request', Buffer.from('\x16\x03', 'latin1'))).toBe(false);
    expect(plausiblePrefix('response', Buffer.from('HTTP/1.', 'latin1'))).toBe(true);
    expect(plausiblePrefix('response', Buffer.from('SSH-2.0', 'latin1'))).toBe(false);
  });
});

describe('http parser', () => {
  it('frames Content-Length and chunked bodies across arbitrary splits', () => {
    const msg = b(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n' +
        'HTTP/1.1 204 No Content\r\n\r\n',
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (cuts) => {
        const sizes: number[] = [];
        const heads: number[] = [];
        const p = createHttpParser('response', {
          onHead: (h) => heads.push(h.kind === 'response' ? h.status : 0),
          onComplete: (n) => sizes.push(n),
          onFail: (r) => {
            throw new Error(r);
          },
          bodyless: (h) => h.status === 204,
        });
        feedSplit(msg, cuts, (c) => p.push(c));
        expect(heads).toEqual([200, 200, 204]);
        expect(sizes).toEqual([5, 19, 0]);
      }),
      { numRuns: 200 },
    );
  });

  it('ends a head at a blank line whatever the line ends: CRLF, LF, or LF lines then CRLF, at any split', () => {
    const msg = b(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na' +
        'HTTP/1.1 201 OK\nContent-Length: 2\n\nbb' +
        'HTTP/1.1 202 OK\nContent-Length: 3\n\r\nccc' +
        'HTTP/1.1 203 OK\r\nContent-Length: 4\r\n\ndddd',
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (cuts) => {
        const seen: [number, number][] = [];
        let status = 0;
        const p = createHttpParser('response', {
          onHead: (h) => (status = h.kind === 'response' ? h.status : 0),
          onComplete: (n) => seen.push([status, n]),
          onFail: (r) => {
            throw new Error(r);
          },
        });
        feedSplit(msg, cuts, (c) => p.push(c));
        expect(seen).toEqual([
          [200, 1],
          [201, 2],
          [202, 3],
          [203, 4],
        ]);
      }),
      { numRuns: 200 },
    );
  });

  it('reads chunk-size lines as a reference does on the text: 1-12 hex digits, whitespace around, extensions', () => {
    const reference = (line: string): number | undefined => {
      const hex = line.replace(/\r$/, '').split(';')[0]!.trim();
      return /^[0-9a-fA-F]{1,12}$/.test(hex) ? parseInt(hex, 16) : undefined;
    };
    const space = fc.constantFrom('', ' ', '\t', '\r', '\xa0', '  ');
    const hex = fc.stringMatching(/^[0-9a-fA-F]{0,4}$/);
    const ext = fc.constantFrom('', ';', ';a=b', ';x\r', ';;', '; q="1 2"');
    const odd = fc.constantFrom('', 'g', ' 1', '-', '\x00', '0x');
    const line = fc.oneof(
      fc.tuple(space, hex, odd, space, ext).map((p) => p.join('')),
      fc.array(fc.constantFrom('1', 'a', ' ', ';', '\r', 'z', '\t'), { maxLength: 8 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(line, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (l, cuts) => {
        const size = reference(l);
        const sizes: number[] = [];
        const fails: string[] = [];
        const p = createHttpParser('response', {
          onHead: () => {},
          onComplete: (n) => sizes.push(n),
          onFail: (r) => fails.push(r),
        });
        // A zero size is the last chunk: only the (empty) trailer follows.
        const body = size === 0 ? '\r\n' : `${'x'.repeat(size ?? 1)}\r\n0\r\n\r\n`;
        feedSplit(b(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${l}\n${body}`), cuts, (c) =>
          p.push(c),
        );
        if (size === undefined) expect(fails).toEqual(['bad chunk size']);
        else expect({ sizes, fails }).toEqual({ sizes: [size], fails: [] });
      }),
      { numRuns: 1500 },
    );
    const one = (l: string) => {
      const fails: string[] = [];
      const p = createHttpParser('response', {
        onHead: () => {},
        onComplete: () => {},
        onFail: (r) => fails.push(r),
      });
      p.push(b(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${l}\n`));
      return fails;
    };
    expect(one('ffffffffffff')).toEqual([]);
    expect(one('1ffffffffffff')).toEqual(['bad chunk size']);
    expect(one(`1;${'e'.repeat(1100)}`)).toEqual(['chunk size line too long']);
  });

  it('reads a response without length until close', () => {
    const sizes: number[] = [];
    const p = createHttpParser('response', {
      onHead: () => {},
      onComplete: (n) => sizes.push(n),
      onFail: () => {},
    });
    p.push(b('HTTP/1.0 200 OK\r\n\r\nabcdef'));
    p.push(b('ghi'));
    expect(sizes).toEqual([]);
    p.end();
    expect(sizes).toEqual([9]);
  });

  it('gives up at once on binary protocols', () => {
    const fails: string[] = [];
    const p = createHttpParser('request', {
      onHead: () => {},
      onComplete: () => {},
      onFail: (r) => fails.push(r),
    });
    p.push(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5]));
    expect(p.failed).toBe(true);
    expect(fails).toHaveLength(1);
    p.push(b('GET / HTTP/1.1\r\n\r\n'));
    expect(fails).toHaveLength(1);
  });

  it('never throws and never loops on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
        fc.boolean(),
        (chunks, isReq) => {
          const p = createHttpParser(isReq ? 'request' : 'response', {
            onHead: () => {},
            onComplete: () => {},
            onFail: () => {},
          });
          for (const c of chunks) p.push(c);
          p.end();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on HTTP-looking garbage', () => {
    const token = fc.constantFrom(
      'GET ',
      'POST ',
      'HTTP/1.1 ',
      '200 OK',
      '/p',
      ' HTTP/1.1',
      '\r\n',
      '\n',
      'Content-Length: ',
      'Transfer-Encoding: chunked',
      '5',
      'ff',
      'abc',
      ':',
      '0\r\n\r\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), fc.boolean(), (parts, isReq) => {
        const p = createHttpParser(isReq ? 'request' : 'response', {
          onHead: () => {},
          onComplete: () => {},
          onFail: () => {},
        });
        for (const part of parts) p.push(b(part));
        p.end();
      }),
      { numRuns: 300 },
    );
  });
});

describe('connection sniffer', () => {
  it('pairs pipelined requests with their responses in order', () => {
    const { s, out } = sniff();
    s.request(
      b(
        'GET /one HTTP/1.1\r\nHost: a\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcHEAD /three HTTP/1.1\r\n\r\n',
      ),
    );
    s.response(
      b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'),
    );
    s.response(b('HTTP/1.1 404 Not Found\r\nContent-Length: 999\r\n\r\n'));
    expect(out.map((x) => [x.method, x.path, x.statusCode, x.requestSize, x.responseSize])).toEqual([
      ['GET', '/one', 200, 0, 2],
      ['POST', '/two', 201, 3, 0],
      ['HEAD', '/three', 404, 0, 0],
    ]);
    expect(out.every((x) => x.durationMs >= 0)).toBe(true);
    expect(s.active).toBe(true);
  });

  it('pairs keep-alive exchanges split at every byte', () => {
    const req = b('GET /a HTTP/1.1\r\n\r\n');
    const res = b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n');
    const { s, out } = sniff();
    for (let round = 0; round < 3; round++) {
      for (const byte of req) s.request(Buffer.from([byte]));
      for (const byte of res) s.response(Buffer.from([byte]));
    }
    expect(out.map((x) => [x.path, x.statusCode, x.responseSize])).toEqual([
      ['/a', 200, 4],
      ['/a', 200, 4],
      ['/a', 200, 4],
    ]);
  });

  it('skips 100-continue and stops after a 101 upgrade', () => {
    const { s, out } = sniff();
    s.request(b('PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'));
    s.response(b('HTTP/1.1 100 Continue\r\n\r\n'));
    s.request(b('hi'));
    s.response(b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    s.request(b('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    s.request(Buffer.from([0x81, 0x85, 1, 2, 3, 4]));
    s.response(b('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'));
    expect(out.map((x) => [x.method, x.statusCode, x.requestSize])).toEqual([
      ['PUT', 200, 2],
      ['GET', 101, 0],
    ]);
    expect(s.active).toBe(false);
  });

  it('goes on pairing after an upgrade is refused', () => {
    const { s, out } = sniff();
    s.request(b('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n'));
    s.response(b('HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nno!'));
    s.request(b('GET /after HTTP/1.1\r\n\r\n'));
    s.response(b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(out.map((x) => [x.path, x.statusCode])).toEqual([
      ['/ws', 400],
      ['/after', 200],
    ]);
    expect(s.active).toBe(true);
  });

  it('goes on pairing after an upgrade is refused before its body is through (an early 413)', () => {
    const { s, out } = sniff();
    s.request(b('POST /u HTTP/1.1\r\nUpgrade: h2c\r\nContent-Length: 4\r\n\r\n'));
    s.response(b('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n'));
    s.request(b('abcdGET /next HTTP/1.1\r\n\r\n'));
    s.response(b('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'));
    expect(out.map((x) => [x.method, x.path, x.statusCode])).toEqual([
      ['POST', '/u', 413],
      ['GET', '/next', 200],
    ]);
    expect(s.active).toBe(true);
  });

  it('leaves binary connections alone', () => {
    const { s, out } = sniff();
    s.request(Buffer.from('\x00\x00\x00\x08\x04\xd2\x16\x2f', 'latin1')); // postgres SSLRequest
    expect(s.active).toBe(false);
    s.response(b('HTTP/1.1 200 OK\r\n\r\n'));
    expect(out).toEqual([]);
  });

  it('records a response read until close on end()', () => {
    const { s, out } = sniff();
    s.request(b('GET /legacy HTTP/1.0\r\n\r\n'));
    s.response(b('HTTP/1.0 200 OK\r\n\r\nbody'));
    s.end();
    expect(out.map((x) => [x.path, x.responseSize])).toEqual([['/legacy', 4]]);
  });

  it('pairs any interleaving of request and response chunks of a pipelined conversation', () => {
    const reqs = ['/a', '/b', '/c', '/d'].map((p, i) =>
      i % 2
        ? `POST ${p} HTTP/1.1\r\nContent-Length: ${i}\r\n\r\n${'x'.repeat(i)}`
        : `GET ${p} HTTP/1.1\r\n\r\n`,
    );
    const ress = [200, 301, 500, 204].map((c, i) =>
      c === 204
        ? `HTTP/1.1 204 No Content\r\n\r\n`
        : `HTTP/1.1 ${c} X\r\nContent-Length: ${i + 1}\r\n\r\n${'y'.repeat(i + 1)}`,
    );
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (c1, c2) => {
          const { s, out } = sniff();
          feedSplit(b(reqs.join('')), c1, (c) => s.request(c));
          feedSplit(b(ress.join('')), c2, (c) => s.response(c));
          expect(out.map((x) => `${x.path} ${x.statusCode} ${x.responseSize}`)).toEqual([
            '/a 200 1',
            '/b 301 2',
            '/c 500 3',
            '/d 204 0',
          ]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
