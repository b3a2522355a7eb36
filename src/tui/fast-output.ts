// A faster frame assembly for ink 6.8 (issue 18). ink's Output.get builds every frame cell by cell:
// a cell object for each of the terminal's columns × rows, each written line tokenized grapheme by
// grapheme (Intl.Segmenter) into a styled-char object per character, then every row re-serialised
// with its style changes diffed char by char. At 160×50 that was most of a frame's CPU and of its
// garbage, for a frame whose rows are almost all plain, non-overlapping runs of text.
//
// assembleFrame does the same job by rows: when no text overlaps other text on a row, a row is its
// writes joined with the spaces between them, and the frame looks exactly as ink's would (same
// characters in the same cells with the same styles; the escape codes may be spelled differently:
// ink re-spells them per cell, we keep each write's own). Whenever that cannot be shown cheaply
// (clipping, overlapping writes such as a background under text, a write whose colours leak past
// its end, escapes other than SGR colours), it returns undefined and ink's own Output.get runs.
import stringWidth from 'string-width';
import { isSingleGrapheme } from './width.js';

/** The parts of ink's Output (ink/build/output.js) this reads. */
export interface InkOutput {
  width: number;
  height: number;
  operations: readonly InkOperation[];
}

export type InkOperation =
  | {
      type: 'write';
      x: number;
      y: number;
      text: string;
      transformers: readonly ((line: string, index: number) => string)[];
    }
  | { type: 'clip' | 'unclip' };

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// SGR sequences (colours, weight…): the only escapes a write may hold for the fast path.
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[([\d;]*)m/g;
// eslint-disable-next-line no-control-regex
const ANY_ESCAPE = /[\x1b\x9b]/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Columns a cell width cache gives each code point; ink counts every grapheme as at least 1. */
export interface WidthCache {
  get(codePoint: number): number | undefined;
  set(codePoint: number, width: number): unknown;
}

/**
 * Columns `visible` (no escapes) takes in ink's grid: each grapheme max(1, string-width), as ink's
 * Output places it.
 */
export const inkWidth = (visible: string, cache: WidthCache): number => {
  if (PRINTABLE_ASCII.test(visible)) return visible.length;
  let width = 0;
  for (let i = 0; i < visible.length; i++) {
    const c = visible.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      width++;
      continue;
    }
    if (!isSingleGrapheme(c)) {
      width = 0;
      for (const { segment } of graphemes.segment(visible)) width += Math.max(1, stringWidth(segment));
      return width;
    }
    let w = cache.get(c);
    if (w === undefined) {
      w = Math.max(1, stringWidth(String.fromCharCode(c)));
      cache.set(c, w);
    }
    width += w;
  }
  return width;
};

/**
 * The text of a write line without its SGR escapes, or undefined when the line holds another
 * escape or leaves a style on at its end (then joining it to what follows would colour that too).
 */
export const selfContained = (line: string): string | undefined => {
  if (!ANY_ESCAPE.test(line)) return line;
  // Which attributes are on: fg, bg, intensity (bold/dim), italic, underline, blink, inverse,
  // hidden, strikethrough, overline.
  let fg = false;
  let bg = false;
  let intensity = false;
  let other = 0;
  const OTHER_ON: Record<number, number> = { 3: 1, 4: 2, 5: 4, 7: 8, 8: 16, 9: 32, 53: 64 };
  const OTHER_OFF: Record<number, number> = { 23: 1, 24: 2, 25: 4, 27: 8, 28: 16, 29: 32, 55: 64 };
  let ok = true;
  SGR.lastIndex = 0;
  const visible = line.replace(SGR, (_m, params: string) => {
    const codes = params === '' ? [0] : params.split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const n = codes[i]!;
      if (n === 0) {
        fg = bg = intensity = false;
        other = 0;
      } else if (n === 1 || n === 2) intensity = true;
      else if (n === 22) intensity = false;
      else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) fg = true;
      else if (n === 39) fg = false;
      else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) bg = true;
      else if (n === 49) bg = false;
      else if (n === 38 || n === 48) {
        if (n === 38) fg = true;
        else bg = true;
        const mode = codes[i + 1];
        if (mode === 5) i += 2;
        else if (mode === 2) i += 4;
        else ok = false;
      } else if (OTHER_ON[n] !== undefined) other |= OTHER_ON[n];
      else if (OTHER_OFF[n] !== undefined) other &= ~OTHER_OFF[n];
      else ok = false;
    }
    return '';
  });
  if (!ok || fg || bg || intensity || other !== 0 || ANY_ESCAPE.test(visible)) return undefined;
  return visible;
};

interface Piece {
  x: number;
  end: number;
  text: string;
}

/**
 * The frame ink's Output.get would give for `output` (same cells, same styles), or undefined when
 * only ink's cell-by-cell assembly can tell.
 */
export const assembleFrame = (
  output: InkOutput,
  cache: WidthCache,
): { output: string; height: number } | undefined => {
  const rows: Piece[][] = Array.from({ length: output.height }, () => []);
  for (const op of output.operations) {
    if (op.type !== 'write') return undefined;
    if (op.x < 0) return undefined;
    const lines = op.text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const row = rows[op.y + index];
      if (!row) continue;
      let line = lines[index]!;
      for (const t of op.transformers) line = t(line, index);
      const visible = selfContained(line);
      if (visible === undefined) return undefined;
      // ink places no cell for an empty line (e.g. the last line of a box's side border).
      if (visible === '') continue;
      row.push({ x: op.x, end: op.x + inkWidth(visible, cache), text: line });
    }
  }
  const out: string[] = [];
  for (const row of rows) {
    row.sort((a, b) => a.x - b.x);
    let line = '';
    let at = 0;
    for (const p of row) {
      // Text over text: which cell wins, and with which style, is ink's call.
      if (p.x < at) return undefined;
      // Blank cells exist up to the frame's width only: past it, ink's row closes up the gaps.
      line += ' '.repeat(Math.max(0, Math.min(p.x, output.width) - at)) + p.text;
      at = p.end;
    }
    out.push(line.trimEnd());
  }
  return { output: out.join('\n'), height: output.height };
};
