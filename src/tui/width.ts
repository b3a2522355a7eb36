// Terminal display width and fitting text to a column. Widths come from the same string-width ink
// lays text out with, so a padded cell is exactly as wide as ink measures it (a wide CJK character
// or an emoji takes two columns; counting code points misaligned every column after it). Printable
// ASCII, nearly every cell, takes a fast path: its width is its length.
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Code points that are a grapheme of their own (nothing combines with them, they combine with
 * nothing), so a string of them is measured one code point at a time: ASCII, Latin, punctuation,
 * arrows, box drawing, blocks, shapes, dingbats, CJK ideographs. Zero-width joiners, variation
 * selectors, combining marks and Hangul jamo are outside: text holding them is measured whole.
 */
export const isSingleGrapheme = (c: number): boolean =>
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0x2ff) ||
  (c >= 0x2010 && c <= 0x2027) ||
  (c >= 0x2030 && c <= 0x205e) ||
  (c >= 0x2070 && c <= 0x20cf) ||
  (c >= 0x2100 && c <= 0x2bff) ||
  (c >= 0x3000 && c <= 0x3098) ||
  (c >= 0x309b && c <= 0x9fff);

// string-width of one code point, remembered: a pure function's table, not state.
const codePointWidths = new Map<number, number>();

/**
 * Columns `text` takes on a terminal, as string-width counts them. string-width segments any
 * non-ASCII text into graphemes (~0.2 ms for a 160-column row with one glyph in it); text made of
 * code points that are graphemes on their own is summed a code point at a time instead.
 */
export const displayWidth = (text: string): number => {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      width++;
      continue;
    }
    if (!isSingleGrapheme(c)) return stringWidth(text);
    let w = codePointWidths.get(c);
    if (w === undefined) {
      w = stringWidth(String.fromCharCode(c));
      codePointWidths.set(c, w);
    }
    width += w;
  }
  return width;
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` at most `width` columns wide, and its width (whole graphemes only). */
const cut = (text: string, width: number): { text: string; width: number } => {
  if (PRINTABLE_ASCII.test(text)) {
    const t = text.slice(0, width);
    return { text: t, width: t.length };
  }
  let used = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    used += w;
    end = index + segment.length;
  }
  return { text: text.slice(0, end), width: used };
};

/**
 * `text` cut to `width` columns with an ellipsis, or padded with spaces to exactly `width` columns.
 * A wide character that would straddle the edge is left out and its column padded.
 */
export const fit = (text: string, width: number): string => {
  if (width <= 0) return '';
  const w = displayWidth(text);
  if (w <= width) return text + ' '.repeat(width - w);
  if (width === 1) return '…';
  const head = cut(text, width - 1);
  return head.text + ' '.repeat(width - 1 - head.width) + '…';
};

/** Like fit, right-aligned. */
export const fitRight = (text: string, width: number): string => {
  if (width <= 0) return '';
  const w = displayWidth(text);
  if (w > width) return fit(text, width);
  return ' '.repeat(width - w) + text;
};

/**
 * `text` as lines of at most `width` columns, broken at spaces where it can be (a longer word is
 * cut), continuation lines indented by `indent`: for messages (an API server's error) that must be
 * read whole rather than cut off at the edge.
 */
export const wrapText = (text: string, width: number, indent = '  '): string[] => {
  if (displayWidth(text) <= width || width <= indent.length + 1) return [text];
  const out: string[] = [];
  let line = '';
  const push = (): void => {
    out.push(line);
    line = indent;
  };
  for (const word of text.split(' ')) {
    const sep = line === '' || line === indent ? '' : ' ';
    if (displayWidth(line + sep + word) <= width) {
      line += sep + word;
      continue;
    }
    if (line !== '' && line !== indent) push();
    let rest = word;
    // A word longer than a line: cut where it reaches the edge.
    while (displayWidth(line + rest) > width) {
      let take = 1;
      while (take < rest.length && displayWidth(line + rest.slice(0, take + 1)) <= width) take++;
      line += rest.slice(0, take);
      rest = rest.slice(take);
      push();
    }
    line += rest;
  }
  if (line !== '' && line !== indent) out.push(line);
  return out;
};
