// The TUI's view state (mode, focus, filter, sort, selection, toggles, log scroll) and what keys and
// mouse events do to it, as a pure reducer: (state, event, context) → (state, effect). The App
// holds one value of it and runs the effect (quit, an intent to the backend, a key for the open
// modal); everything a key means is here and tested without rendering (view-state.test.ts).
import type { Key } from 'ink';
import type { MouseEvent } from './mouse.js';
import { DEFAULT_SORT, nextSortField, type SortSpec } from './rows.js';

export type Mode = 'main' | 'filter' | 'help' | 'detail' | 'browse';
export type Focus = 'services' | 'logs';

/** The forward the detail view follows (the key names the pod; service + port survive a new pod). */
export interface DetailTarget {
  serviceKey: string;
  localPort: string;
  key: string;
}

export interface ViewState {
  mode: Mode;
  focus: Focus;
  /** The applied filter. */
  filter: string;
  /** The filter being typed (mode 'filter'); becomes `filter` on Enter. */
  draft: string;
  sort: SortSpec;
  /** The highlighted forward, by key, so it keeps the highlight when rows move. */
  selectedKey: string | undefined;
  /** Where the highlight was put, for when its forward goes away. */
  selectedIndex: number;
  compact: boolean;
  bandwidth: boolean;
  /** Log lines scrolled back from the newest (0: following). */
  logBack: number;
  /** Lines the help overlay is scrolled down (when it does not fit the terminal). */
  helpScroll: number;
  detail: DetailTarget | undefined;
  browseView: 'namespaces' | 'contexts';
}

export const initialViewState: ViewState = {
  mode: 'main',
  focus: 'services',
  filter: '',
  draft: '',
  sort: DEFAULT_SORT,
  selectedKey: undefined,
  selectedIndex: 0,
  compact: true,
  bandwidth: true,
  helpScroll: 0,
  logBack: 0,
  detail: undefined,
  browseView: 'namespaces',
};

/** What the rendered frame knows that a key needs: the rows shown and the panels' sizes. */
export interface KeyContext {
  /** Keys of the table's rows, in the order shown (filtered, sorted). */
  rowKeys: readonly string[];
  /** Index of the highlighted row (resolved against the current rows). */
  selected: number;
  /** The highlighted row's forward, if any (its registry key names it in the "removed" notice). */
  current: (DetailTarget & { registryKey: string }) | undefined;
  /** Table rows per page, and where the window starts. */
  page: number;
  offset: number;
  logLines: number;
  /** Log lines in the panel (daemon's + the TUI's own). */
  logTotal: number;
  /** How far the help overlay can scroll at this terminal size (0 when it fits). */
  helpMax?: number;
}

/** What the App does besides showing the new state. */
export type Effect =
  | { kind: 'quit' }
  | { kind: 'reconnect-errored' }
  /** The service's registry key: a headless pod's entry follows its service's pods, so the service goes. */
  | { kind: 'remove'; registryKey: string }
  | { kind: 'reconnect' | 'sync'; serviceKey: string }
  /** A key for the open modal (detail, browse), `times` times. */
  | { kind: 'modal'; input: string; key: Key; times?: number };

export interface Outcome {
  state: ViewState;
  effect?: Effect;
}

/** Screen row (1-based) of the table's first row: header, blank, title, border, column titles. */
export const FIRST_ROW_Y = 6;

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(lo, v), hi);

/** The highlight on row `i` (clamped); unchanged when there are no rows. */
export const selectRow = (s: ViewState, i: number, ctx: Pick<KeyContext, 'rowKeys'>): ViewState => {
  if (ctx.rowKeys.length === 0) return s;
  const idx = clamp(i, 0, ctx.rowKeys.length - 1);
  return { ...s, selectedIndex: idx, selectedKey: ctx.rowKeys[idx] };
};

export const isControl = (s: string): boolean =>
  Array.from(s).some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f');

const filterKey = (s: ViewState, input: string, key: Key): Outcome => {
  if (key.escape) return { state: { ...s, draft: s.filter, mode: 'main' } };
  if (key.return) return { state: { ...s, filter: s.draft, mode: 'main' } };
  if (key.backspace || key.delete)
    return { state: { ...s, draft: Array.from(s.draft).slice(0, -1).join('') } };
  if (key.ctrl || key.meta || input.length === 0) return { state: s };
  // A fast typist's (or a paste's) chunk may end with Enter: take the text, then apply.
  const text = Array.from(input)
    .filter((ch) => !isControl(ch))
    .join('');
  if (/[\r\n]/.test(input))
    return { state: { ...s, filter: s.draft + text, draft: s.draft + text, mode: 'main' } };
  return { state: { ...s, draft: s.draft + text } };
};

const logsKey = (s: ViewState, input: string, key: Key, ctx: KeyContext): ViewState => {
  const back = (b: number): ViewState => ({ ...s, logBack: b });
  if (input === 'j' || key.downArrow) return back(Math.max(0, s.logBack - 1));
  if (input === 'k' || key.upArrow) return back(Math.min(ctx.logTotal, s.logBack + 1));
  if (key.pageUp) return back(Math.min(ctx.logTotal, s.logBack + ctx.logLines));
  if (key.pageDown) return back(Math.max(0, s.logBack - ctx.logLines));
  if (input === 'g' || key.home) return back(ctx.logTotal);
  if (input === 'G' || key.end) return back(0);
  return s;
};

/** kubefwd's main key map (the services table and the logs panel). */
const mainKey = (s: ViewState, input: string, key: Key, ctx: KeyContext): Outcome => {
  if (input === 'q') return { state: s, effect: { kind: 'quit' } };
  if (input === '?') return { state: { ...s, mode: 'help', helpScroll: 0 } };
  if (key.tab) return { state: { ...s, focus: s.focus === 'services' ? 'logs' : 'services' } };
  if (input === 'f') return { state: { ...s, browseView: 'namespaces', mode: 'browse' } };
  if (input === 'x') return { state: { ...s, browseView: 'contexts', mode: 'browse' } };
  if (input === 'r') return { state: s, effect: { kind: 'reconnect-errored' } };
  if (input === 'b') return { state: { ...s, bandwidth: !s.bandwidth } };
  if (input === 'c') return { state: { ...s, compact: !s.compact } };
  if (input === 's')
    return { state: { ...s, sort: { field: nextSortField(s.sort.field), descending: false } } };
  if (input === 'o') return { state: { ...s, sort: { ...s.sort, descending: !s.sort.descending } } };
  // Typed fast (or pasted), "/name" arrives as one chunk: open the filter with the rest.
  if (input.startsWith('/'))
    return {
      state: {
        ...s,
        draft: input.length > 1 && !isControl(input) ? input.slice(1) : s.filter,
        mode: 'filter',
      },
    };
  if (key.escape) return { state: { ...s, filter: '', draft: '' } };

  if (s.focus === 'logs') return { state: logsKey(s, input, key, ctx) };

  const to = (i: number): Outcome => ({ state: selectRow(s, i, ctx) });
  if (input === 'j' || key.downArrow) return to(ctx.selected + 1);
  if (input === 'k' || key.upArrow) return to(ctx.selected - 1);
  if (input === 'g' || key.home) return to(0);
  if (input === 'G' || key.end) return to(ctx.rowKeys.length - 1);
  if (key.pageDown || input === 'l' || key.rightArrow || (key.ctrl && input === 'd'))
    return to(ctx.selected + ctx.page);
  if (key.pageUp || input === 'h' || key.leftArrow || (key.ctrl && input === 'u'))
    return to(ctx.selected - ctx.page);
  const f = ctx.current;
  if (!f) return { state: s };
  if (key.return)
    return {
      state: {
        ...s,
        detail: { serviceKey: f.serviceKey, localPort: f.localPort, key: f.key },
        mode: 'detail',
      },
    };
  if (input === 'd') return { state: s, effect: { kind: 'remove', registryKey: f.registryKey } };
  if (input === 'R') return { state: s, effect: { kind: 'reconnect', serviceKey: f.serviceKey } };
  if (input === 'u') return { state: s, effect: { kind: 'sync', serviceKey: f.serviceKey } };
  return { state: s };
};

/** The help overlay: closes, or scrolls (up to `max`) where the terminal is too small for it. */
const helpKey = (s: ViewState, input: string, key: Key, max: number): ViewState => {
  if (input === '?' || input === 'q' || key.escape) return { ...s, mode: 'main' };
  const by = (n: number): ViewState => ({ ...s, helpScroll: Math.min(max, Math.max(0, s.helpScroll + n)) });
  if (input === 'j' || key.downArrow) return by(1);
  if (input === 'k' || key.upArrow) return by(-1);
  if (key.pageDown || input === ' ') return by(10);
  if (key.pageUp) return by(-10);
  if (input === 'g' || key.home) return { ...s, helpScroll: 0 };
  return s;
};

/** One key (mouse reports are decoded by the caller and go to `reduceMouse`). */
export const reduceKey = (s: ViewState, input: string, key: Key, ctx: KeyContext): Outcome => {
  if (key.ctrl && input === 'c') return { state: s, effect: { kind: 'quit' } };
  switch (s.mode) {
    case 'filter':
      return filterKey(s, input, key);
    case 'help':
      return { state: helpKey(s, input, key, ctx.helpMax ?? Number.MAX_SAFE_INTEGER) };
    case 'detail':
    case 'browse':
      return { state: s, effect: { kind: 'modal', input, key } };
    case 'main':
      return mainKey(s, input, key, ctx);
  }
};

/** The wheel scrolls (a modal, the logs or the table); a click selects a row or focuses the logs. */
export const reduceMouse = (s: ViewState, m: MouseEvent, ctx: KeyContext): Outcome => {
  if (s.mode === 'detail' || s.mode === 'browse') {
    if (m.kind !== 'wheel') return { state: s };
    return { state: s, effect: { kind: 'modal', input: m.delta > 0 ? 'j' : 'k', key: NO_KEY, times: 3 } };
  }
  if (s.mode !== 'main') return { state: s };
  const inLogs = m.y > FIRST_ROW_Y + ctx.page;
  if (m.kind === 'wheel') {
    if (inLogs || s.focus === 'logs')
      return { state: { ...s, logBack: Math.max(0, s.logBack - 3 * m.delta) } };
    return { state: selectRow(s, ctx.selected + 3 * m.delta, ctx) };
  }
  if (inLogs) return { state: { ...s, focus: 'logs' } };
  const row = m.y - FIRST_ROW_Y;
  if (row >= 0 && row < ctx.page)
    return { state: selectRow({ ...s, focus: 'services' }, ctx.offset + row, ctx) };
  return { state: s };
};

/** A key with no modifier and no special key: what a wheel step sends to a modal as j/k. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};
