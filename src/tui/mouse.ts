// Mouse reports (SGR mode, `ESC [ < b ; x ; y M|m`), as ink hands them to useInput (without the
// ESC). kubefwd's TUI scrolls with the wheel and selects rows by clicking; Shift+drag still selects
// text in most terminals.

export const ENABLE_MOUSE = '\x1b[?1000h\x1b[?1006h';
export const DISABLE_MOUSE = '\x1b[?1006l\x1b[?1000l';

export type MouseEvent =
  { kind: 'wheel'; delta: -1 | 1; x: number; y: number } | { kind: 'click'; x: number; y: number };

/** The mouse event in `input` (1-based x/y), or undefined when it is not a mouse report. */
export const parseMouse = (input: string): MouseEvent | undefined => {
  const m = /^\[<(\d+);(\d+);(\d+)([Mm])$/.exec(withoutEsc(input));
  if (!m) return undefined;
  const button = Number(m[1]);
  const x = Number(m[2]);
  const y = Number(m[3]);
  if (button & 64) return { kind: 'wheel', delta: button & 1 ? 1 : -1, x, y };
  // Left button press only (release is `m`; drags carry bit 32).
  if ((button & 3) === 0 && (button & 32) === 0 && m[4] === 'M') return { kind: 'click', x, y };
  return undefined;
};

/** Whether `input` looks like any mouse report (so it is never typed into the filter). */
export const isMouseReport = (input: string): boolean => /^\[<\d+;\d+;\d+[Mm]$/.test(withoutEsc(input));

const withoutEsc = (s: string): string => (s.startsWith('\u001b') ? s.slice(1) : s);
