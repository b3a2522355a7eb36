// The one sanitizer for untrusted text on its way to a terminal or a model. Text a workload or a
// network peer controls (HTTP paths, pod logs, Kubernetes messages, API-server errors) can carry
// control sequences that a terminal obeys: OSC 0 retitles it, OSC 52 writes the clipboard, CSI 2J
// clears it, and C1 controls (U+0080–U+009F, e.g. U+009B = CSI) do the same on terminals that honour
// them. We never drop such characters silently (a reader should see that something was there); we
// escape them visibly instead:
//   - C0 controls (U+0000–U+001F) except those the context allows, DEL (U+007F) and
//     C1 controls (U+0080–U+009F) become `\xNN` (ESC → `\x1b`, BEL → `\x07`, CSI → `\x9b`);
//   - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a
//     reader sees ("Trojan Source"), become `\uNNNN`.
// It lives in contract/ because every layer that writes to a terminal or a model imports contract/.

/** Which layout characters a context keeps: tab always; line feed only in multi-line contexts. */
export interface EscapeOptions {
  /** Keep `\n` (multi-line panels, log bodies). Carriage return is always escaped. */
  newlines?: boolean;
}

// eslint-disable-next-line no-control-regex
const UNSAFE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
};

/** `text` with every control character a terminal could act on written out visibly. */
export const escapeTerminal = (text: string, options: EscapeOptions = {}): string => {
  const re = options.newlines === true ? UNSAFE_BLOCK : UNSAFE_LINE;
  re.lastIndex = 0;
  if (!re.test(text)) return text;
  re.lastIndex = 0;
  return text.replace(re, escapeChar);
};

/** True when `text` holds nothing escapeTerminal would change (newlines counted as unsafe). */
export const isTerminalSafe = (text: string): boolean => escapeTerminal(text) === text;

// JSON.stringify escapes only U+0000–U+001F; DEL, C1 and the bidi controls would reach a terminal
// raw (`curl`, `--json-logs`). Written as \u escapes they parse back to the same string.
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify whose output holds no raw control character a terminal could act on. */
export const terminalSafeJson = (value: unknown, space?: number): string => {
  const s = JSON.stringify(value, undefined, space);
  if (s === undefined) return 'null';
  JSON_RAW_UNSAFE.lastIndex = 0;
  return JSON_RAW_UNSAFE.test(s)
    ? s.replace(JSON_RAW_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : s;
};
