// fast-output.ts assembles ink's frames by rows; ink's Output.get assembles them cell by cell. Over
// every screen of the TUI (main view with wide names, truncation, selection, problems; filter,
// help, detail, browse), each frame the fast path gives must show the same characters with the same
// styles as ink's, compared after both go through ink's own per-cell re-spelling.
import chalk from 'chalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { assembleFrame, inkWidth, selfContained, type InkOutput } from '../../src/tui/fast-output.js';
import { installFastOutput } from '../../src/tui/install-fast-output.js';
import { syntheticForward } from '../../src/tui/fixtures.js';
import { createFakeBackend, KEY, mount, until } from './support.js';

interface OutputInstance extends InkOutput {
  write: (x: number, y: number, text: string, options: { transformers: [] }) => void;
  get: (this: OutputInstance) => { output: string; height: number };
}
interface OutputClass {
  new (o: { width: number; height: number }): OutputInstance;
  prototype: OutputInstance;
}

const loadOutput = async (): Promise<OutputClass> =>
  ((await import(new URL('./output.js', import.meta.resolve('ink')).href)) as { default: OutputClass })
    .default;

let Output: OutputClass;
let inkGet: OutputInstance['get'];
let level: typeof chalk.level;
beforeEach(async () => {
  Output = await loadOutput();
  inkGet = Output.prototype.get;
  level = chalk.level;
  chalk.level = 2; // colours on, whatever the test runner's terminal is
});
afterEach(() => {
  cleanup();
  Output.prototype.get = inkGet;
  delete (Output.prototype as { __kubefwdFast?: true }).__kubefwdFast;
  chalk.level = level;
});

/** ink's own spelling of a frame: each line re-assembled cell by cell by ink's Output. */
const canonical = (frame: string): string => {
  const lines = frame.split('\n');
  const o = new Output({ width: 1, height: lines.length });
  lines.forEach((l, y) => o.write(0, y, l, { transformers: [] }));
  return inkGet.call(o).output;
};

const wideNames = () => [
  syntheticForward(1, { status: 'Active', serviceName: '支付服务', hostnames: ['支付服务'] }),
  syntheticForward(2, { status: 'Active', serviceName: 'cache-🚀', hostnames: ['cache-🚀'] }),
  syntheticForward(3, {
    serviceName: 'a-very-long-service-name-that-cannot-fit-in-its-column-at-all',
    hostnames: ['a-very-long-service-name-that-cannot-fit-in-its-column-at-all'],
  }),
  ...Array.from({ length: 12 }, (_, i) => syntheticForward(i + 4)),
];

describe('fast frame assembly', () => {
  it('shows every screen exactly as ink does, cell for cell', async () => {
    const frames: { ours: string; ink: string }[] = [];
    const widths = new Map<number, number>();
    Output.prototype.get = function (this: OutputInstance) {
      const ink = inkGet.call(this);
      const ours = assembleFrame(this, widths);
      if (ours) {
        expect(ours.height).toBe(ink.height);
        frames.push({ ours: ours.output, ink: ink.output });
      }
      return ink;
    };
    const backend = createFakeBackend({ forwards: wideNames() });
    backend.http.set(backend.getState().forwards[0]!.key, []);
    const app = mount(backend, { width: 110, height: 28 });
    await until(() => expect(app.frame()).toContain('支付服务'));
    await app.press('j', 'j', '/', 'c', 'a', KEY.enter, KEY.esc, 'b', 'c', 'b', 'c', KEY.tab, KEY.tab, '?');
    await app.press(KEY.esc, KEY.enter);
    await app.press(KEY.esc, 'f');
    await app.press(KEY.esc);
    await app.update(() =>
      backend.setForwards(backend.getState().forwards.map((f) => ({ ...f, bytesIn: f.bytesIn + 999 }))),
    );
    expect(frames.length).toBeGreaterThan(10);
    // Every screen went through the fast path at least once.
    // eslint-disable-next-line no-control-regex -- an escape sequence is what it matches
    const strip = (f: string): string => f.replace(/\x1b\[[\d;]*m/g, '');
    for (const marker of [
      '支付服务',
      'a-very-long-se…',
      'Filter: ca',
      'Keyboard Shortcuts',
      'HTTP',
      'Browse Namespaces',
      '  shop [forwarded]',
    ])
      expect(
        frames.some((f) => strip(f.ours).includes(marker)),
        marker,
      ).toBe(true);
    for (const f of frames) expect(canonical(f.ours)).toBe(canonical(f.ink));
  });

  it('is what the TUI loader installs, and the main view takes it', async () => {
    expect(await installFastOutput()).toBe(true);
    const fast = Output.prototype.get;
    expect(fast).not.toBe(inkGet);
    let taken = 0;
    const widths = new Map<number, number>();
    Output.prototype.get = function (this: OutputInstance) {
      if (assembleFrame(this, widths)) taken++;
      return fast.call(this);
    };
    const app = mount(createFakeBackend({ forwards: wideNames() }));
    await until(() => expect(app.frame()).toContain('cache-🚀'));
    expect(taken).toBeGreaterThan(0);
  });

  it('falls back to ink for what it cannot show cheaply', () => {
    const widths = new Map<number, number>();
    const frame = (...writes: [number, number, string][]): InkOutput => ({
      width: 10,
      height: 2,
      operations: writes.map(([x, y, text]) => ({ type: 'write', x, y, text, transformers: [] })),
    });
    expect(assembleFrame(frame([0, 0, 'ab'], [4, 0, 'cd'], [0, 1, 'x']), widths)?.output).toBe('ab  cd\nx');
    // Text over text, a colour left on, another escape, clipping.
    expect(assembleFrame(frame([0, 0, 'abc'], [1, 0, 'x']), widths)).toBeUndefined();
    expect(assembleFrame(frame([0, 0, '\x1b[31mab']), widths)).toBeUndefined();
    expect(assembleFrame(frame([0, 0, '\x1b[2Jab']), widths)).toBeUndefined();
    expect(assembleFrame({ width: 1, height: 1, operations: [{ type: 'clip' }] }, widths)).toBeUndefined();
    expect(selfContained('\x1b[38;5;42m● ok\x1b[39m \x1b[1m\x1b[48;2;1;2;3mx\x1b[49m\x1b[22m')).toBe(
      '● ok x',
    );
    expect(inkWidth('支付 ● →', widths)).toBe(8);
    expect(inkWidth('🚀x', widths)).toBe(3);
  });
});
