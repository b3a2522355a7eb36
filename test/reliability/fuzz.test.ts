// Fuzzing of every parser that meets bytes or text from outside: no input may crash the process or
// hang, and the only errors are the typed ones each module documents. This file covers what the
// modules' own property tests do not (they check round trips of valid input): arbitrary and mutated
// bytes for the SPDY frame parser and header decoder and the v4 channel decoder, hosts files with
// stray markers, other instances' blocks and mixed line endings, the connection-level HTTP sniffer
// on arbitrary byte streams, the CLI flag/selector/duration/address parsers and the whole svc flag
// set, the engine's -m/-r/-z parsers, the simulated API server's selector parser, REST bodies with
// prototype keys and hostile values per route, and MCP tool arguments of any shape.
//
// Hangs: every synchronous call runs under a watchdog (node:vm's timeout interrupts any JavaScript,
// even a catastrophic regular expression), every asynchronous one races a timer.
// Reproduce a failure with KUBEFWD_FUZZ_SEED=<seed printed below> (and fast-check's printed path).
import vm from 'node:vm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubefwdError, isErrorCode } from '../../src/contract/errors.js';
import {
  FrameParser,
  HeaderCompressor,
  HeaderDecompressor,
  SpdyProtocolError,
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  type SpdyFrame,
} from '../../src/wire/spdy/index.js';
import {
  ChannelDemuxer,
  V4_BASE64_PROTOCOL,
  V4_BINARY_PROTOCOL,
  decodeChannelMessage,
  encodeBase64Frame,
} from '../../src/wire/channel/index.js';
import {
  countStaleHostnames,
  purgeStaleLines,
  readBlock,
  removeBlocks,
  upsertBlock,
  type HostsEntry,
} from '../../src/engine/hosts-block.js';
import { createConnectionSniffer, type HttpExchange } from '../../src/engine/traffic/index.js';
import { parseDuration } from '../../src/cli/duration.js';
import { parseListenAddress } from '../../src/cli/addresses.js';
import { parseServicePattern } from '../../src/domain/service-patterns.js';
import { normaliseFlags } from '../../src/cli/argv.js';
import {
  BOOL_LONG,
  BOOL_SHORT,
  VALUE_SHORT,
  buildSvcCommand,
  toDaemonConfig,
  type RawSvcOptions,
} from '../../src/cli/svc-options.js';
import { parsePortMappings } from '../../src/domain/port-mappings.js';
import { buildReservationConfig, parseFwdConf, parseReserveFlag } from '../../src/domain/reservations.js';
import {
  SelectorError,
  parseFieldSelector,
  parseLabelSelector,
  validateFieldSelector,
  validateLabelSelector,
} from '../../src/domain/selectors.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { createFakeBackend } from '../mcp/fake-backend.js';
import { harness } from '../api/harness.js';
import { errorOf } from '../mcp/result-text.js';

const SEED = Number(process.env.KUBEFWD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Runs per property: enough to find shallow bugs in every `npm test`, bounded for a loaded CI box. */
const RUNS = Number(process.env.KUBEFWD_FUZZ_RUNS ?? 150);
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns });
/** Per input. Inputs are small: anything near this is a hang (or a super-linear blow-up). */
const WATCHDOG_MS = 2_000;

// One context and one compiled script for every guarded call: a new context per call costs more
// than most of the calls themselves.
const sandbox = vm.createContext({ fn: (): unknown => undefined });
const callFn = new vm.Script('fn()');

/** Calls fn under a watchdog that interrupts it, however it loops, after WATCHDOG_MS. */
const guarded = <T>(fn: () => T): T => {
  (sandbox as { fn: () => unknown }).fn = fn;
  try {
    return callFn.runInContext(sandbox, { timeout: WATCHDOG_MS }) as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new Error(`hang: no result within ${WATCHDOG_MS} ms`);
    throw err;
  }
};

/** Resolves with the promise, or fails the run when it takes longer than the watchdog. */
const guardedAsync = async <T>(p: Promise<T>, ms = WATCHDOG_MS * 5): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Runs fn under the watchdog and returns the error it threw (undefined when it returned); any
 * error that is not one of `allowed` fails the property with the input named.
 */
const onlyTyped = (
  what: string,
  fn: () => unknown,
  ...allowed: (new (...a: never[]) => Error)[]
): unknown => {
  try {
    guarded(fn);
    return undefined;
  } catch (err) {
    if (allowed.some((cls) => err instanceof cls)) return err;
    throw new Error(`${what} threw an untyped error: ${String(err)}`, { cause: err });
  }
};

const isKubefwdError = (err: unknown): boolean =>
  err instanceof KubefwdError && isErrorCode(err.code) && err.message.length > 0;

/** Re-chunks bytes at seeded cut points (parsers must not care how bytes arrive). */
const rechunk = (bytes: Uint8Array, cuts: number[]): Buffer[] => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
};

afterAll(() => {
  process.emitWarning = emitWarning;
});

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });

// The YAML parser warns on stderr about every unknown tag in random text; the warnings are expected
// here and would bury the report.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
const quietYaml = (w: string | Error, ...rest: unknown[]): void => {
  if (!(typeof w === 'string' ? w : w.name).includes('YAML')) emitWarning(w, ...rest);
};
beforeAll(() => {
  process.emitWarning = quietYaml;
  console.log(`fuzz seed ${SEED} (KUBEFWD_FUZZ_SEED=${SEED} to replay), ${RUNS} runs per property`);
});

// ------------------------------------------------------------------------------------------ SPDY

/** Well-formed frames to mutate: a corrupted real frame reaches deeper than random bytes do. */
const frameArb: fc.Arbitrary<SpdyFrame> = fc.oneof(
  fc.record({
    type: fc.constant('data' as const),
    streamId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    flags: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  }),
  fc.record({ type: fc.constant('ping' as const), id: fc.nat() }),
  fc.record({
    type: fc.constant('rst_stream' as const),
    streamId: fc.nat({ max: 2 ** 31 - 1 }),
    status: fc.nat({ max: 12 }),
    flags: fc.constant(0),
  }),
  fc.record({
    type: fc.constant('goaway' as const),
    lastGoodStreamId: fc.nat({ max: 2 ** 31 - 1 }),
    status: fc.nat({ max: 2 }),
  }),
  fc.record({
    type: fc.constant('syn_stream' as const),
    streamId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    associatedStreamId: fc.constant(0),
    priority: fc.nat({ max: 7 }),
    slot: fc.constant(0),
    flags: fc.nat({ max: 3 }),
    headerBlock: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  }),
  fc.record({
    type: fc.constant('settings' as const),
    flags: fc.constant(0),
    entries: fc.array(fc.record({ flags: fc.nat({ max: 255 }), id: fc.nat({ max: 7 }), value: fc.nat() }), {
      maxLength: 4,
    }),
  }),
);

/** Flips, truncates, extends or overwrites bytes (length fields included). */
const mutate = (bytes: Buffer, edits: [number, number, number][]): Buffer => {
  let b = Buffer.from(bytes);
  for (const [kind, at, value] of edits) {
    const i = b.length === 0 ? 0 : at % b.length;
    if (kind === 0 && b.length > 0) b[i] = value & 0xff;
    else if (kind === 1) b = b.subarray(0, i);
    else if (kind === 2) b = Buffer.concat([b, Buffer.from([value & 0xff, (value >> 8) & 0xff])]);
    else if (b.length >= 8)
      b.writeUInt32BE(value >>> 0, 4 * Math.floor(i / 4) > b.length - 4 ? 4 : 4 * Math.floor(i / 4));
  }
  return b;
};
const editsArb = fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat(), fc.nat()), { maxLength: 4 });

describe('SPDY frame parser', () => {
  it('on arbitrary bytes in any chunking: frames or SpdyProtocolError, never another error or a hang', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), cutsArb, (bytes, cuts) => {
        const parser = new FrameParser();
        for (const chunk of rechunk(bytes, cuts)) {
          const err = onlyTyped('FrameParser.push', () => parser.push(chunk), SpdyProtocolError);
          if (err) return; // the connection is over after a protocol error
        }
        expect(parser.pending).toBeLessThanOrEqual(bytes.length);
      }),
      params(),
    );
  });

  it('on mutated real frames: the same, and the bytes it keeps are bounded by what it was given', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 5 }),
        editsArb,
        cutsArb,
        (frames, edits, cuts) => {
          const bytes = mutate(Buffer.concat(frames.map(encodeFrame)), edits);
          const parser = new FrameParser();
          let decoded = 0;
          for (const chunk of rechunk(bytes, cuts)) {
            let out: SpdyFrame[] = [];
            const err = onlyTyped('FrameParser.push', () => (out = parser.push(chunk)), SpdyProtocolError);
            if (err) return;
            for (const f of out) {
              // Stream ids are 31 bits whatever the input said.
              if ('streamId' in f) expect(f.streamId).toBeLessThan(2 ** 31);
              decoded++;
            }
          }
          expect(decoded).toBeLessThanOrEqual(bytes.length / 8);
        },
      ),
      params(),
    );
  });
});

const isHeaderError = (err: unknown): boolean =>
  err instanceof Error && /^SPDY header (block|decompression)/.test(err.message);

describe('SPDY header blocks', () => {
  it('decodeHeaderBlock on arbitrary and truncated blocks: headers or its documented error', () => {
    const blockArb = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc
        .tuple(
          fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
          editsArb,
        )
        .map(([h, edits]) => mutate(encodeHeaderBlock(h), edits)),
    );
    fc.assert(
      fc.property(blockArb, (block) => {
        try {
          const headers = guarded(() => decodeHeaderBlock(block));
          for (const v of Object.values(headers)) expect(typeof v).toBe('string');
        } catch (err) {
          if (!isHeaderError(err)) throw err;
        }
      }),
      params(),
    );
  });

  it('a persistent decompressor fed garbage after valid blocks fails with its documented error, never hangs', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(fc.stringMatching(/^[a-z-]{1,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
          {
            maxLength: 3,
          },
        ),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        editsArb,
        (valid, garbage, edits) => {
          const c = new HeaderCompressor();
          const d = new HeaderDecompressor();
          for (const h of valid) expect(guarded(() => d.decompress(c.compress(h)))).toEqual(h);
          const bad = edits.length > 0 ? mutate(c.compress({ a: 'b' }), edits) : Buffer.from(garbage);
          try {
            guarded(() => d.decompress(bad));
          } catch (err) {
            if (!isHeaderError(err)) throw err;
          }
        },
      ),
      params(),
    );
  });

  // Found by this suite: decodeHeaderBlock collected into a plain {} object, so a header named like
  // an Object.prototype member ("constructor", "valueof" …) was read as already present and came
  // back prefixed with the function's source text joined by NUL, and "__proto__" was dropped
  // (fixed in src/wire/spdy/headers.ts with a null-prototype object). Regression test:
  it('round-trips headers named like Object.prototype members (constructor, __proto__)', () => {
    for (const name of ['constructor', '__proto__', 'valueof', 'hasownproperty']) {
      const h = { [name]: 'x' };
      expect(decodeHeaderBlock(encodeHeaderBlock(h))).toEqual(h);
    }
  });
});

// ------------------------------------------------------------------------------------------ v4 channel

describe('v4 channel decoder', () => {
  it('binary and base64 messages of any content: a frame, undefined, or its documented error', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ binary: fc.constant(true), data: fc.uint8Array({ maxLength: 64 }) }),
            fc.record({
              binary: fc.constant(false),
              data: fc
                .oneof(
                  fc.string({ maxLength: 40 }),
                  fc
                    .tuple(fc.nat({ max: 9 }), fc.uint8Array({ maxLength: 30 }))
                    .map(([ch, p]) => encodeBase64Frame(ch, Buffer.from(p))),
                )
                .map((s) => new TextEncoder().encode(s)),
            }),
          ),
          { maxLength: 10 },
        ),
        fc.constantFrom(V4_BINARY_PROTOCOL, V4_BASE64_PROTOCOL, '' as const),
        (messages, protocol) => {
          const demux = new ChannelDemuxer();
          for (const m of messages) {
            let frame: ReturnType<typeof decodeChannelMessage>;
            try {
              frame = guarded(() => decodeChannelMessage(protocol, Buffer.from(m.data), m.binary));
            } catch (err) {
              // Only the base64 text form has a way to be wrong: a channel character out of 0-9.
              expect(protocol === V4_BASE64_PROTOCOL && !m.binary, String(err)).toBe(true);
              expect(String(err)).toMatch(/invalid base64 channel character/);
              continue;
            }
            if (frame === undefined) {
              expect(m.data.length).toBe(0);
              continue;
            }
            expect(frame.channel).toBeGreaterThanOrEqual(0);
            expect(frame.channel).toBeLessThanOrEqual(255);
            const out = guarded(() => demux.push(frame));
            expect(out.data.length).toBeLessThanOrEqual(frame.payload.length);
            expect(out.portIndex).toBe(Math.floor(frame.channel / 2));
          }
        },
      ),
      params(),
    );
  });
});

// ------------------------------------------------------------------------------------------ hosts file

/** Lines a real hosts file may hold, including traps: markers of other instances, our markers
 *  with wrong or missing partners, markers with trailing junk, lone CRs, tabs, a BOM, non-ASCII. */
const hostsLineArb = fc.oneof(
  { arbitrary: fc.stringMatching(/^[ -~\t]{0,30}$/), weight: 4 },
  { arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost',
      '127.1.27.5 stale-from-a-crash',
      '# kubefwd begin other',
      '# kubefwd end other',
      '# kubefwd end id',
      '# kubefwd begin id x',
      '#kubefwd begin id',
      '# kubefwd begin',
      '# kubefwd begin other\t',
      '\r',
      '\t# kubefwd end other',
      '\uFEFF',
    ),
    weight: 2,
  },
);

/** Foreign content: anything but an opening marker of our own id (a file we never wrote). */
const foreignArb = fc
  .tuple(fc.array(fc.tuple(hostsLineArb, fc.constantFrom('\n', '\r\n')), { maxLength: 10 }), fc.boolean())
  .map(([lines, final]) => {
    const text = lines.map(([l, eol]) => l + eol).join('');
    return final || text === '' ? text : text.replace(/\r?\n$/, '');
  });

const entriesArb: fc.Arbitrary<HostsEntry[]> = fc.array(
  fc.record({
    ip: fc.constantFrom('127.1.27.1', '127.1.27.2', '127.64.27.9'),
    hostnames: fc.array(fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), { minLength: 1, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 4 },
);

describe('hosts block', () => {
  it('never throws or hangs on any content (lone CRs, any unicode, broken markers)', () => {
    fc.assert(
      fc.property(
        fc.oneof(foreignArb, fc.string({ maxLength: 200, unit: 'binary' })),
        entriesArb,
        (text, e) => {
          guarded(() => {
            readBlock(text, 'id');
            countStaleHostnames(text);
            purgeStaleLines(text);
            removeBlocks(upsertBlock(text, 'id', e));
          });
        },
      ),
      params(),
    );
  });

  it('round trip keeps foreign content, other instances’ blocks and stray markers byte for byte', () => {
    fc.assert(
      fc.property(foreignArb, entriesArb, entriesArb, (foreign, a, b) => {
        const ours = (id: string): boolean => id === 'id';
        const once = guarded(() => upsertBlock(foreign, 'id', a));
        expect(removeBlocks(once, ours)).toBe(foreign);
        const twice = guarded(() => upsertBlock(once, 'id', b));
        expect(removeBlocks(twice, ours)).toBe(foreign);
        // Our block holds b (names de-duplicated across addresses: the first address keeps a name).
        const read = readBlock(twice, 'id');
        const names = read.flatMap((x) => x.hostnames);
        expect(new Set(names).size).toBe(names.length);
        expect(new Set(names)).toEqual(new Set(b.flatMap((x) => x.hostnames)));
        for (const x of read) expect(b.map((y) => y.ip)).toContain(x.ip);
        expect(upsertBlock(twice, 'id', [])).toBe(foreign);
      }),
      params(),
    );
  });

  // Found by this suite: a foreign line that looks like our opening marker without its end (left by a
  // hand edit or another tool) pairs with the end marker of the block we append, so the next upsert
  // or removal swallows every foreign line in between. src/engine/hosts-block.ts findBlocks should
  // not pair a begin with an end that lies after a second begin of the same id (take the last
  // begin before the end). Fixed: findBlocks pairs each end with the last begin of its id.
  it('an unterminated "# kubefwd begin <our id>" line survives an upsert and a removal', () => {
    const foreign = '127.0.0.1 localhost\n# kubefwd begin id\n10.0.0.1 keep.me\n';
    const once = upsertBlock(foreign, 'id', [{ ip: '127.1.27.1', hostnames: ['a'] }]);
    expect(removeBlocks(once, (id) => id === 'id')).toBe(foreign);
  });

  // Found by this suite: foreign content ending in a lone CR without a newline ("…\r") loses that CR
  // when our block is removed again. upsertBlock appends EOL + block (EOL is "\n" as the file has no
  // CRLF), making "\r\n"; cut() then strips /\r?\n$/ from the previous line, taking the CR too.
  // Fixed: cut() strips only the EOL the block brought.
  it('foreign content ending in a lone CR survives an upsert and a removal', () => {
    const foreign = '127.0.0.1 localhost\n\r';
    const once = upsertBlock(foreign, 'id', [{ ip: '127.1.27.1', hostnames: ['a'] }]);
    expect(removeBlocks(once, (id) => id === 'id')).toBe(foreign);
  });

  // Found by this suite (seed 1871286345): with a file that is just "\r", the lone CR and the
  // block's leading LF read as CRLF, so replacing the block in place switched it to CRLF and its
  // removal then took the CR. Fixed: an in-place replacement keeps the block's own newline.
  it('a lone CR survives two upserts and a removal', () => {
    for (const foreign of ['\r', 'x\r']) {
      const once = upsertBlock(foreign, 'id', [{ ip: '127.1.27.1', hostnames: ['a'] }]);
      const twice = upsertBlock(once, 'id', [{ ip: '127.1.27.2', hostnames: ['b'] }]);
      expect(removeBlocks(twice, (id) => id === 'id')).toBe(foreign);
    }
  });
});

// ------------------------------------------------------------------------------------------ HTTP sniffer

const httpTokenArb = fc.oneof(
  fc.constantFrom(
    'GET / HTTP/1.1\r\n',
    'POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',
    'HTTP/1.1 200 OK\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\n',
    'Transfer-Encoding: chunked\r\n',
    'Content-Length: 99999999999999999999\r\n',
    'Content-Length: -1\r\n',
    'Connection: Upgrade\r\nUpgrade: h2c\r\n',
    '\r\n',
    '0\r\n\r\n',
    'ffffffffffffffff\r\n',
    'zz\r\n',
  ),
  fc.string({ maxLength: 10 }),
);
const streamArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.array(httpTokenArb, { maxLength: 12 }).map((t) => new TextEncoder().encode(t.join(''))),
);

describe('HTTP sniffer (connection level)', () => {
  it('any interleaving of arbitrary request and response bytes: no throw, no hang, sane exchanges', () => {
    fc.assert(
      fc.property(
        streamArb,
        streamArb,
        cutsArb,
        cutsArb,
        fc.array(fc.boolean(), { maxLength: 20 }),
        (rq, rs, c1, c2, order) => {
          const seen: HttpExchange[] = [];
          let t = 0;
          const s = createConnectionSniffer(
            () => (t += 1),
            (e) => seen.push(e),
          );
          const a = rechunk(rq, c1);
          const b = rechunk(rs, c2);
          guarded(() => {
            for (const first of order) {
              const chunk = first ? a.shift() : b.shift();
              if (chunk && first) s.request(chunk);
              else if (chunk) s.response(chunk);
            }
            for (const c of a) s.request(c);
            for (const c of b) s.response(c);
            s.end();
            s.end();
            s.request(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
          });
          for (const e of seen) {
            expect(Number.isInteger(e.statusCode)).toBe(true);
            expect(e.durationMs).toBeGreaterThanOrEqual(0);
            expect(e.responseSize).toBeGreaterThanOrEqual(0);
            expect(e.requestSize).toBeGreaterThanOrEqual(0);
          }
          expect(seen.length).toBeLessThanOrEqual(rs.length / 12 + 1);
        },
      ),
      params(),
    );
  });
});

// ------------------------------------------------------------------------------------------ CLI & engine parsers

const textArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.stringMatching(/^[a-z0-9=!,() .:/*_-]{0,40}$/),
  fc.constantFrom(
    'app in (a,b',
    'a,,b',
    '!',
    'x=(',
    '((((((((((((((((((((',
    'a'.repeat(300),
    `${'a-'.repeat(60)}=b`,
    '1'.repeat(400) + 'h',
    '9007199254740993ms',
    '127.0.0.1:99999',
    '[::1]:80',
    '__proto__',
  ),
);

describe('CLI and engine input parsers', () => {
  it('every parser returns or throws KubefwdError (or its documented error type), never hangs', () => {
    fc.assert(
      fc.property(textArb, fc.array(textArb, { maxLength: 3 }), (s, list) => {
        const typed = [
          ['parseDuration', () => parseDuration(s, '--retry-interval')],
          ['validateLabelSelector', () => validateLabelSelector(s)],
          ['validateFieldSelector', () => validateFieldSelector(s)],
          ['parseListenAddress', () => parseListenAddress(s)],
          ['parseServicePattern', () => parseServicePattern(s, '--service')],
          ['parseFwdConf', () => parseFwdConf(s, '/tmp/fwd.yml')],
          ['parsePortMappings', () => parsePortMappings([s, ...list])],
          ['parseReserveFlag', () => parseReserveFlag(s)],
          ['buildReservationConfig', () => buildReservationConfig({ flags: list, fileText: s })],
        ] as const;
        for (const [name, fn] of typed) {
          const err = onlyTyped(name, fn, KubefwdError);
          if (err !== undefined) expect(isKubefwdError(err), name).toBe(true);
        }
        for (const fn of [() => parseLabelSelector(s), () => parseFieldSelector(s)])
          onlyTyped('sim selector parser', fn, SelectorError);
        expect(
          guarded(() =>
            normaliseFlags([s, ...list], {
              boolLong: BOOL_LONG,
              boolShort: BOOL_SHORT,
              valueShort: VALUE_SHORT,
            }),
          ).length,
        ).toBeGreaterThanOrEqual(1);
      }),
      params(),
    );
  });

  it('a duration it accepts is a non-negative number of milliseconds', () => {
    const big = fc.integer({ min: 1, max: 400 }).map((n) => `${'9'.repeat(n)}h`);
    fc.assert(
      fc.property(fc.oneof(textArb, big, fc.stringMatching(/^[0-9.]{1,30}(ns|us|ms|s|m|h)$/)), (s) => {
        let ms: number | undefined;
        onlyTyped('parseDuration', () => (ms = parseDuration(s, '--resync-interval')), KubefwdError);
        if (ms !== undefined) expect(ms, `${s} → ${ms}`).toBeGreaterThanOrEqual(0);
      }),
      params(),
    );
  });

  // Found by this suite: parseDuration has no upper bound. "1000h" gives 3.6e9 ms and 400 nines
  // give Infinity; both pass toDaemonConfig, and the engine hands them to setTimeout, which fires
  // after 1 ms for anything above 2^31-1 ms (about 24.8 days; Node's TimeoutOverflowWarning): with
  // `--resync-interval 1000h` the engine re-lists every watch in a tight loop
  // (src/engine/engine.ts scheduleResync; --retry-interval the same in forward-target.ts).
  // src/cli/duration.ts refuses durations above 2^31-1 ms with INVALID_INPUT (found by this suite).
  it('refuses durations that setTimeout cannot wait for (above 2^31-1 ms, Infinity)', () => {
    for (const s of ['1000h', `${'9'.repeat(400)}h`]) {
      let ms: number | undefined;
      try {
        ms = parseDuration(s, '--resync-interval');
      } catch (err) {
        expect(isKubefwdError(err)).toBe(true);
        continue;
      }
      expect(ms, s).toBeLessThanOrEqual(2 ** 31 - 1);
    }
  });

  it('the whole svc flag set: random argv → a config or CommanderError/KubefwdError', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kubefwd-fuzz-'));
    const flagArb = fc.oneof(
      fc.constantFrom(
        '-n',
        '-l',
        '-f',
        '-m',
        '-r',
        '-x',
        '-c',
        '-d',
        '-t',
        '-A',
        '-a',
        '-v',
        '--retry-interval',
        '--resync-interval',
        '--api-listen',
        '--service',
        '--exclude',
        '--all-namespaces=false',
        '-a=true',
        '-n=shop',
        '--tui',
        '--json-logs',
        '--',
        '--bogus',
      ),
      textArb,
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(flagArb, { maxLength: 8 }), async (argv) => {
          const cmd = buildSvcCommand('svc')
            .exitOverride()
            .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
          const normalised = guarded(() =>
            normaliseFlags(argv, { boolLong: BOOL_LONG, boolShort: BOOL_SHORT, valueShort: VALUE_SHORT }),
          );
          if (onlyTyped('commander parse', () => cmd.parse(normalised, { from: 'user' }), CommanderError))
            return;
          const raw = cmd.opts<RawSvcOptions>();
          // -z reads a file: keep random paths out of the file system.
          delete (raw as { fwdConf?: string }).fwdConf;
          try {
            const config = await guardedAsync(
              toDaemonConfig(raw, (o) => cmd.getOptionValueSource(o) === 'cli', {
                version: '0.0.0-fuzz',
                env: { HOME: home },
                root: false,
                hostsDefault: join(home, 'hosts'),
              }),
            );
            expect(config.retryIntervalMs).toBeGreaterThan(0);
            expect(config.resyncIntervalMs).toBeGreaterThanOrEqual(0);
            expect(Number.isInteger(config.timeoutSeconds)).toBe(true);
          } catch (err) {
            if (!isKubefwdError(err))
              throw new Error(`toDaemonConfig(${JSON.stringify(argv)}) threw ${String(err)}`);
          }
        }),
        params(),
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------ REST API

describe('REST API bodies (in process)', () => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness();
  });
  afterAll(() => h.close());

  const ROUTES: { method: string; path: string; valid: Record<string, unknown> }[] = [
    { method: 'POST', path: '/api/v1/namespaces', valid: { namespace: 'shop', context: 'sim' } },
    { method: 'POST', path: '/api/v1/services', valid: { namespace: 'shop', serviceName: 'postgres' } },
    { method: 'POST', path: '/api/v1/services/api.shop.sim/reconnect', valid: {} },
    { method: 'POST', path: '/api/v1/services/api.shop.sim/sync', valid: {} },
    { method: 'POST', path: '/api/v1/services/reconnect', valid: {} },
  ];

  const hostileValue = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom(
      null,
      '',
      'a'.repeat(5_000),
      '\u0000',
      '../../etc/passwd',
      '--server=https://evil.example',
      -1,
      1e308,
      { __proto__: { polluted: true } },
      [],
    ),
  );
  const bodyArb = fc.oneof(
    // The valid body with fields replaced, added or dropped.
    fc
      .tuple(
        fc.nat(),
        fc.dictionary(
          fc.oneof(
            fc.constantFrom('namespace', 'serviceName', 'context', 'selector', 'ports', 'localIP'),
            fc.string({ maxLength: 8 }),
          ),
          hostileValue,
          { maxKeys: 3 },
        ),
      )
      .map(([i, extra]) => ({
        route: i,
        body: JSON.stringify({ ...ROUTES[i % ROUTES.length]!.valid, ...extra }),
      })),
    // Prototype keys as raw JSON text (JSON.stringify would not emit a real __proto__ key).
    fc
      .tuple(
        fc.nat(),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'),
        fc.json({ maxDepth: 2 }),
      )
      .map(([i, k, v]) => ({ route: i, body: `{"namespace":"shop","serviceName":"postgres","${k}":${v}}` })),
    // Deep nesting, long arrays, duplicate keys, not UTF-8.
    fc
      .tuple(fc.nat(), fc.integer({ min: 1, max: 5_000 }))
      .map(([i, d]) => ({ route: i, body: '['.repeat(d) + ']'.repeat(d) })),
    fc.nat().map((i) => ({ route: i, body: `{"namespace":[${'1,'.repeat(20_000)}1]}` })),
    fc.nat().map((i) => ({ route: i, body: '{"namespace":"a","namespace":"b"}' })),
    fc
      .tuple(fc.nat(), fc.uint8Array({ maxLength: 40 }))
      .map(([i, b]) => ({ route: i, body: Buffer.from(b).toString('latin1') })),
  );

  it('hostile bodies on every body-taking route: < 500, error envelope, no hang, no pollution', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, async ({ route, body }) => {
        const r = ROUTES[route % ROUTES.length]!;
        const res = await guardedAsync(
          h.req(r.path, { method: r.method, headers: { 'content-type': 'application/json' }, body }),
        );
        expect(res.status, `${r.method} ${r.path} ${body.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          const j = (await res.json()) as { success: boolean; error: { code: string; message: string } };
          expect(j.success).toBe(false);
          expect(isErrorCode(j.error.code)).toBe(true);
        } else await res.body?.cancel();
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      params(Math.round(RUNS / 2)),
    );
  });
});

// ------------------------------------------------------------------------------------------ MCP tools

describe('MCP tool arguments (in process, fake backend)', () => {
  const argValue = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      'shop',
      'postgres',
      'postgres.shop.sim',
      'sim',
      10,
      true,
      -1,
      1e12,
      null,
      '',
      '\u001b[31m',
    ),
  );
  const argsArb = fc.oneof(
    { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
    {
      arbitrary: fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'namespace',
            'service_name',
            'key',
            'context',
            'selector',
            'pod_name',
            'tail_lines',
            'force',
            'query',
            'scope',
            'level',
            'type',
            'service_key',
            'include_forwards',
            '__proto__',
            'constructor',
          ),
          fc.string({ maxLength: 8 }),
        ),
        argValue,
        { maxKeys: 4 },
      ),
      weight: 4,
    },
  );

  it('any arguments to any tool: a result (never a throw or hang); errors are coded, never INTERNAL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: TOOLS.length - 1 }), argsArb, async (i, args) => {
        const tool = TOOLS[i]!;
        const { backend } = createFakeBackend();
        const r = await guardedAsync(
          tool.call(args, { backend: async () => backend, version: '0.0.0-fuzz', settleMs: 0 }),
        );
        expect(Array.isArray(r.content)).toBe(true);
        if (r.isError) {
          const err = errorOf(r);
          expect(isErrorCode(err.code), JSON.stringify(err)).toBe(true);
          // A bad argument is the caller's mistake, never an internal failure.
          expect(err.code, `${tool.name}(${JSON.stringify(args)})`).not.toBe('INTERNAL');
        } else {
          expect(tool.output.safeParse(r.structuredContent).success, tool.name).toBe(true);
        }
      }),
      params(RUNS * 2),
    );
  });
});
