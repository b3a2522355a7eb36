// The TUI's keys in the browser: one pure table from a key press (and the view it lands in) to an
// action, tested directly; app.tsx performs the actions. Keys the browser owns (Tab, Ctrl/Cmd/Alt
// combinations) are left to it, and typing in the filter box is typing, except Escape and Enter.

export type View = 'list' | 'service' | 'browse' | 'logs';

export type KeyAction =
  | { kind: 'move'; by: number }
  | { kind: 'page'; by: 1 | -1 }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'open' }
  | { kind: 'remove' }
  | { kind: 'reconnect' }
  | { kind: 'reconnectErrors' }
  | { kind: 'sync' }
  | { kind: 'browse'; contexts: boolean }
  | { kind: 'filter' }
  | { kind: 'leaveFilter'; clear: boolean }
  | { kind: 'sortNext' }
  | { kind: 'sortReverse' }
  | { kind: 'escape' }
  | { kind: 'help' }
  | { kind: 'logs' }
  | { kind: 'bandwidth' }
  | { kind: 'compact' }
  | { kind: 'copy'; index: number }
  | { kind: 'markAll' };

export interface KeyPress {
  /** `KeyboardEvent.key`. */
  key: string;
  ctrl: boolean;
  meta: boolean;
  alt: boolean;
  /** Focus is in a text field (the filter box, a select). */
  editing: boolean;
  /** The help overlay is open. */
  help: boolean;
}

/** Keys for every view (the TUI's global keys). */
const GLOBAL: Record<string, KeyAction> = {
  '?': { kind: 'help' },
  l: { kind: 'logs' },
  f: { kind: 'browse', contexts: false },
  x: { kind: 'browse', contexts: true },
  b: { kind: 'bandwidth' },
  c: { kind: 'compact' },
  Escape: { kind: 'escape' },
};

/** The forwards list (the TUI's main view). */
const LIST: Record<string, KeyAction> = {
  j: { kind: 'move', by: 1 },
  ArrowDown: { kind: 'move', by: 1 },
  k: { kind: 'move', by: -1 },
  ArrowUp: { kind: 'move', by: -1 },
  g: { kind: 'first' },
  Home: { kind: 'first' },
  G: { kind: 'last' },
  End: { kind: 'last' },
  PageDown: { kind: 'page', by: 1 },
  PageUp: { kind: 'page', by: -1 },
  Enter: { kind: 'open' },
  d: { kind: 'remove' },
  R: { kind: 'reconnect' },
  r: { kind: 'reconnectErrors' },
  u: { kind: 'sync' },
  '/': { kind: 'filter' },
  s: { kind: 'sortNext' },
  o: { kind: 'sortReverse' },
};

/** One service's page (the TUI's detail view): r/u act on this service, 1–9 and y copy. */
const SERVICE: Record<string, KeyAction> = {
  r: { kind: 'reconnect' },
  R: { kind: 'reconnect' },
  u: { kind: 'sync' },
  d: { kind: 'remove' },
  y: { kind: 'copy', index: 0 },
};

export const keyAction = (p: KeyPress, view: View): KeyAction | undefined => {
  if (p.ctrl || p.meta || p.alt) return undefined;
  if (p.editing) {
    if (p.key === 'Escape') return { kind: 'leaveFilter', clear: true };
    if (p.key === 'Enter') return { kind: 'leaveFilter', clear: false };
    return undefined;
  }
  if (p.help) return p.key === '?' || p.key === 'Escape' || p.key === 'q' ? { kind: 'help' } : undefined;
  if (view === 'list' && Object.hasOwn(LIST, p.key)) return LIST[p.key];
  if (view === 'browse' && p.key === 'a') return { kind: 'markAll' };
  if (view === 'service') {
    if (/^[1-9]$/.test(p.key)) return { kind: 'copy', index: Number(p.key) - 1 };
    if (Object.hasOwn(SERVICE, p.key)) return SERVICE[p.key];
  }
  return Object.hasOwn(GLOBAL, p.key) ? GLOBAL[p.key] : undefined;
};

/** The help overlay's lines: [keys, what they do], by section. */
export const KEY_HELP: [string, [string, string][]][] = [
  [
    'Forwards list',
    [
      ['j / ↓, k / ↑', 'Move the selection'],
      ['g / Home, G / End', 'First / last'],
      ['PgDn / PgUp', 'Page down / up'],
      ['Enter', 'Open the selected service'],
      ['R', 'Reconnect the selected service'],
      ['u', 'Sync the selected service (re-pick its pod)'],
      ['d', 'Stop forwarding the selected service'],
      ['r', 'Reconnect the services in error'],
      ['/', 'Filter (name, ns:, status:, ctx:); Enter keeps it, Esc clears it'],
      ['s / o', 'Cycle the sort / reverse the order'],
      ['Esc', 'Clear the filter'],
    ],
  ],
  [
    'Service page',
    [
      ['1–9 / y', 'Copy a connect string / the first'],
      ['r, u, d', 'Reconnect, sync, stop this service'],
      ['Esc', 'Back to the list'],
    ],
  ],
  [
    'Browse',
    [
      ['a', 'Mark every service not forwarded (tick boxes mark one)'],
      ['Esc', 'Back to the list'],
    ],
  ],
  [
    'Everywhere',
    [
      ['f / x', 'Browse the cluster (namespaces / contexts)'],
      ['l', 'kubefwd’s log'],
      ['b / c', 'Toggle the bandwidth columns / compact rows'],
      ['?', 'This help (Esc closes)'],
    ],
  ],
];
