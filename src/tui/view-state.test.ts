import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import {
  FIRST_ROW_Y,
  initialViewState,
  NO_KEY,
  reduceKey,
  reduceMouse,
  type KeyContext,
  type ViewState,
} from './view-state.js';

const k = (patch: Partial<Key> = {}): Key => ({ ...NO_KEY, ...patch });
const ctx = (patch: Partial<KeyContext> = {}): KeyContext => ({
  rowKeys: ['a', 'b', 'c', 'd', 'e'],
  selected: 0,
  current: { serviceKey: 'a.shop.sim', localPort: '80', key: 'a', registryKey: 'a.shop.sim' },
  page: 2,
  offset: 0,
  logLines: 4,
  logTotal: 10,
  ...patch,
});
const S = (patch: Partial<ViewState> = {}): ViewState => ({ ...initialViewState, ...patch });
/** Presses keys one after the other (each seeing the state the previous one made). */
const press = (s: ViewState, keys: [string, Partial<Key>?][], c = ctx()): ViewState =>
  keys.reduce((st, [input, key]) => reduceKey(st, input, k(key), c).state, s);

describe('reduceKey: the main key map', () => {
  it('q and Ctrl+C quit; Ctrl+C also from the filter and modals', () => {
    expect(reduceKey(S(), 'q', k(), ctx()).effect).toEqual({ kind: 'quit' });
    for (const mode of ['main', 'filter', 'help', 'detail', 'browse'] as const)
      expect(reduceKey(S({ mode }), 'c', k({ ctrl: true }), ctx()).effect).toEqual({ kind: 'quit' });
  });

  it('moves the selection with j/k, arrows, g/G, paging keys, clamped to the rows', () => {
    const at = (input: string, key: Partial<Key> = {}, selected = 2) =>
      reduceKey(S(), input, k(key), ctx({ selected })).state;
    expect(at('j')).toMatchObject({ selectedIndex: 3, selectedKey: 'd' });
    expect(at('', { downArrow: true })).toMatchObject({ selectedIndex: 3 });
    expect(at('k')).toMatchObject({ selectedIndex: 1, selectedKey: 'b' });
    expect(at('g')).toMatchObject({ selectedIndex: 0 });
    expect(at('G')).toMatchObject({ selectedIndex: 4, selectedKey: 'e' });
    expect(at('', { pageDown: true })).toMatchObject({ selectedIndex: 4 });
    expect(at('d', { ctrl: true })).toMatchObject({ selectedIndex: 4 });
    expect(at('h')).toMatchObject({ selectedIndex: 0 });
    expect(at('j', {}, 4)).toMatchObject({ selectedIndex: 4 });
    expect(at('k', {}, 0)).toMatchObject({ selectedIndex: 0 });
    expect(reduceKey(S(), 'j', k(), ctx({ rowKeys: [] })).state).toEqual(S());
  });

  it('toggles help, bandwidth and compact, cycles and reverses the sort', () => {
    expect(press(S(), [['?']]).mode).toBe('help');
    expect(press(S(), [['?'], ['?']]).mode).toBe('main');
    expect(press(S(), [['?'], ['q']]).mode).toBe('main');
    expect(press(S(), [['?'], ['', { escape: true }]]).mode).toBe('main');
    expect(reduceKey(S({ mode: 'help' }), 'q', k(), ctx()).effect).toBeUndefined();
    expect(press(S(), [['b']]).bandwidth).toBe(false);
    expect(press(S(), [['c'], ['c']]).compact).toBe(true);
    expect(press(S(), [['s']]).sort).toEqual({ field: 'status', descending: false });
    expect(press(S(), [['s'], ['o']]).sort).toEqual({ field: 'status', descending: true });
    expect(press(S(), [['s'], ['o'], ['s']]).sort).toEqual({ field: 'namespace', descending: false });
  });

  it('types a filter, applies it on Enter, restores the previous one on Esc, clears it on Esc in main', () => {
    const typed = press(S(), [['/'], ['d'], ['b'], ['x'], ['', { backspace: true }]]);
    expect(typed).toMatchObject({ mode: 'filter', draft: 'db', filter: '' });
    const applied = reduceKey(typed, '', k({ return: true }), ctx()).state;
    expect(applied).toMatchObject({ mode: 'main', filter: 'db' });
    const escaped = press(applied, [['/'], ['x'], ['', { escape: true }]]);
    expect(escaped).toMatchObject({ mode: 'main', filter: 'db', draft: 'db' });
    expect(press(escaped, [['', { escape: true }]])).toMatchObject({ filter: '', draft: '' });
  });

  it('takes "/name" and a chunk ending in Enter as one key each', () => {
    expect(press(S(), [['/web']])).toMatchObject({ mode: 'filter', draft: 'web' });
    expect(press(S(), [['/'], ['ns:shop\r']])).toMatchObject({ mode: 'main', filter: 'ns:shop' });
    // Control characters never land in the filter.
    expect(press(S(), [['/'], ['a\x07b']]).draft).toBe('ab');
    expect(press(S({ filter: 'old' }), [['/']]).draft).toBe('old');
  });

  it('opens browse on namespaces (f) or contexts (x); keys then go to the modal', () => {
    expect(press(S(), [['f']])).toMatchObject({ mode: 'browse', browseView: 'namespaces' });
    expect(press(S(), [['x']])).toMatchObject({ mode: 'browse', browseView: 'contexts' });
    expect(reduceKey(S({ mode: 'browse' }), 'j', k(), ctx()).effect).toEqual({
      kind: 'modal',
      input: 'j',
      key: k(),
    });
  });

  it('Enter opens the detail of the highlighted forward; d, R, u and r act on services', () => {
    expect(reduceKey(S(), '', k({ return: true }), ctx()).state).toMatchObject({
      mode: 'detail',
      detail: { serviceKey: 'a.shop.sim', localPort: '80', key: 'a' },
    });
    expect(reduceKey(S(), 'd', k(), ctx()).effect).toEqual({
      kind: 'remove',
      registryKey: 'a.shop.sim',
    });
    expect(reduceKey(S(), 'R', k(), ctx()).effect).toEqual({ kind: 'reconnect', serviceKey: 'a.shop.sim' });
    expect(reduceKey(S(), 'u', k(), ctx()).effect).toEqual({ kind: 'sync', serviceKey: 'a.shop.sim' });
    expect(reduceKey(S(), 'r', k(), ctx()).effect).toEqual({ kind: 'reconnect-errored' });
    // No highlighted forward: nothing to act on.
    expect(reduceKey(S(), 'd', k(), ctx({ current: undefined })).effect).toBeUndefined();
  });

  it('Tab focuses the logs, where j/k/g/G/paging scroll within the log lines', () => {
    const logs = press(S(), [['', { tab: true }]]);
    expect(logs.focus).toBe('logs');
    expect(press(logs, [['k'], ['k']]).logBack).toBe(2);
    expect(press(logs, [['g']]).logBack).toBe(10);
    expect(press(logs, [['g'], ['', { pageDown: true }]]).logBack).toBe(6);
    expect(
      press(logs, [
        ['', { pageUp: true }],
        ['', { pageUp: true }],
        ['', { pageUp: true }],
      ]).logBack,
    ).toBe(10);
    expect(press(logs, [['g'], ['G']]).logBack).toBe(0);
    expect(press(logs, [['j']]).logBack).toBe(0);
    // The table's selection does not move while the logs have the focus.
    expect(press(logs, [['j']]).selectedIndex).toBe(0);
    expect(press(logs, [['', { tab: true }]]).focus).toBe('services');
  });
});

describe('reduceMouse', () => {
  it('the wheel moves the selection by 3, or scrolls the logs when over them or focused', () => {
    const c = ctx({ selected: 1, page: 3 });
    expect(reduceMouse(S(), { kind: 'wheel', delta: 1, x: 1, y: FIRST_ROW_Y }, c).state.selectedIndex).toBe(
      4,
    );
    const overLogs = { kind: 'wheel', delta: -1, x: 1, y: FIRST_ROW_Y + 10 } as const;
    expect(reduceMouse(S(), overLogs, c).state.logBack).toBe(3);
    expect(
      reduceMouse(S({ focus: 'logs', logBack: 5 }), { ...overLogs, delta: 1, y: 1 }, c).state.logBack,
    ).toBe(2);
  });

  it('a click selects the row under it (window offset counted) or focuses the logs', () => {
    const c = ctx({ page: 3, offset: 2 });
    const click = (y: number) => reduceMouse(S({ focus: 'logs' }), { kind: 'click', x: 3, y }, c).state;
    expect(click(FIRST_ROW_Y + 1)).toMatchObject({ focus: 'services', selectedIndex: 3, selectedKey: 'd' });
    expect(click(FIRST_ROW_Y + 9).focus).toBe('logs');
    expect(click(1)).toEqual(S({ focus: 'logs' }));
  });

  it('in a modal the wheel sends j/k three times; in the filter or help the mouse does nothing', () => {
    expect(reduceMouse(S({ mode: 'detail' }), { kind: 'wheel', delta: 1, x: 1, y: 1 }, ctx()).effect).toEqual(
      {
        kind: 'modal',
        input: 'j',
        key: NO_KEY,
        times: 3,
      },
    );
    expect(reduceMouse(S({ mode: 'browse' }), { kind: 'click', x: 1, y: 1 }, ctx()).effect).toBeUndefined();
    expect(reduceMouse(S({ mode: 'filter' }), { kind: 'wheel', delta: 1, x: 1, y: 7 }, ctx()).state).toEqual(
      S({ mode: 'filter' }),
    );
  });
});
