// Issue 22 item 2: text a workload or a peer controls never reaches a terminal raw. The corpus of
// escape sequences goes through every path that shows such text: the TUI (table, detail view, HTTP
// and pod-log tabs, log panel), the daemon's log lines (text and JSON), the CLI's error output and the
// REST API's JSON. Each must show the sequences escaped (`\x1b`) and hold no raw control character.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeTerminal, terminalSafeJson } from '../../src/contract/terminal-text.js';
import { KubefwdError } from '../../src/contract/errors.js';
import { reportError } from '../../src/cli/errors.js';
import { createLogger } from '../../src/daemon/logger.js';
import { syntheticForward } from '../../src/tui/fixtures.js';
import { createFakeBackend, KEY, mount, tick, until } from '../tui/support.js';
import { ESCAPES, HOSTILE, RAW_CONTROL } from './corpus.js';

afterEach(() => cleanup());

// Our own colour sequences (SGR: ESC [ … m) are the only escapes a frame or a log line may hold.
// eslint-disable-next-line no-control-regex
const withoutOwnColours = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

const expectInert = (output: string, where: string): void => {
  const rest = withoutOwnColours(output).replace(/\n/g, '');
  expect(RAW_CONTROL.exec(rest)?.[0], `${where}: raw control character`).toBeUndefined();
  expect(output, where).toContain('\\x1b]0;pwned\\x07');
  expect(output, where).toContain('\\x9b31m');
};

describe('the sanitizer', () => {
  it('escapes every corpus entry visibly and is idempotent', () => {
    for (const [name, s] of Object.entries(ESCAPES)) {
      const e = escapeTerminal(s);
      expect(RAW_CONTROL.test(e), name).toBe(false);
      expect(escapeTerminal(e), name).toBe(e);
    }
    expect(escapeTerminal('a\tb')).toBe('a\tb');
    expect(escapeTerminal('a\nb')).toBe('a\\x0ab');
    expect(escapeTerminal('a\nb', { newlines: true })).toBe('a\nb');
    expect(escapeTerminal('\u202eevil')).toBe('\\u202eevil');
    expect(escapeTerminal('café ünïcödé 日本')).toBe('café ünïcödé 日本');
  });

  it('terminalSafeJson keeps the value and leaves no raw control in the bytes', () => {
    const v = { msg: HOSTILE };
    const text = terminalSafeJson(v);
    expect(RAW_CONTROL.test(text)).toBe(false);
    expect(JSON.parse(text)).toEqual(v);
  });
});

describe('TUI', () => {
  it('table, detail view, HTTP tab, pod-log tab and log panel show hostile text escaped', async () => {
    const b = createFakeBackend({
      forwards: [
        syntheticForward(0, {
          key: 'api.shop.sim.api-0.80',
          serviceKey: 'api.shop.sim',
          status: 'Error',
          error: `403 ${HOSTILE}`,
          reason: HOSTILE,
        }),
      ],
      logs: [{ at: Date.now(), level: 'error', message: `GET ${HOSTILE}` }],
    });
    b.http.set('api.shop.sim.api-0.80', [
      {
        at: Date.now(),
        method: 'GET',
        path: `/${ESCAPES['OSC 0 (retitle the terminal)']}${ESCAPES['C1 CSI U+009B']}${HOSTILE}`,
        statusCode: 200,
        durationMs: 1,
        size: 1,
      },
    ]);
    b.podLogLines.push(`log ${HOSTILE}`);
    const app = mount(b, { width: 400, height: 40 });
    await tick();
    expectInert(app.frame(), 'table + log panel');
    await app.press(KEY.enter);
    await until(() => expect(app.frame()).toContain('STATUS'));
    expectInert(app.frame(), 'detail view');
    await app.press(KEY.tab);
    await until(() => expect(app.frame()).toContain('[HTTP (1)]'));
    expectInert(app.frame(), 'HTTP tab');
    await app.press(KEY.tab);
    await until(() => expect(app.frame()).toContain('log SYSTEM'));
    expectInert(app.frame(), 'pod logs tab');
  });
});

describe('daemon log lines', () => {
  for (const json of [false, true])
    for (const isTTY of [false, true])
      it(`${json ? 'JSON' : 'text'} lines${isTTY ? ' on a terminal' : ''} escape message and fields`, () => {
        let out = '';
        const sink = { write: (s: string) => (out += s), isTTY };
        const logger = createLogger({ verbose: true, json, stdout: sink, stderr: sink });
        logger.info(`GET ${HOSTILE}`, { path: HOSTILE });
        logger.error(`forbidden: ${HOSTILE}`);
        expect(RAW_CONTROL.exec(withoutOwnColours(out).replace(/\n/g, ''))?.[0]).toBeUndefined();
        expect(out).toMatch(json ? /\\u001b\]0;pwned\\u0007/ : /\\x1b\]0;pwned\\x07/);
        if (json)
          for (const line of out.trim().split('\n')) expect(JSON.parse(line).msg).toContain('\x1b]0;pwned');
      });
});

describe('CLI error output', () => {
  it('an API-server message with escapes is printed escaped on stderr', () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString()));
    const code = reportError(
      { stdout: new PassThrough(), stderr } as never,
      new KubefwdError('PERMISSION_DENIED', `pods is forbidden: ${HOSTILE}`),
    );
    expect(code).toBe(1);
    expectInert(text, 'stderr');
  });
});

describe('the TUI has one way to write text', () => {
  it("no file but src/tui/text.tsx imports ink's Text", async () => {
    const root = join(import.meta.dirname, '..', '..', 'src', 'tui');
    const files = (await readdir(root, { recursive: true })).filter((f) => /\.tsx?$/.test(f));
    const offenders: string[] = [];
    for (const f of files) {
      if (f === 'text.tsx') continue;
      const text = await readFile(join(root, f), 'utf8');
      for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'ink'/g))
        if (/\bText\b/.test(m[1]!)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
  });
});
