// One line of coloured spans as a single pre-styled string. A services-table row drawn as one ink
// Text of plain string is one node for React and ink to diff, lay out and measure, instead of a
// Text per colour run with a style transform each (issue 18: that per-node work was most of a
// frame). Span text is escaped here, on its way to the terminal, exactly as text.tsx's Text does;
// the colours are applied as ink applies a Text's `color`/`backgroundColor`/`bold`, with the same
// chalk, so the frame ink writes is the same as before.
import chalk from 'chalk';
import { escapeTerminal } from '../contract/terminal-text.js';
import { displayWidth } from './width.js';

export interface Span {
  text: string;
  /** An ink colour: `ansi256(n)`, `#rrggbb`, `rgb(r, g, b)` or a chalk colour name. */
  color?: string | undefined;
}

export interface LineStyle {
  backgroundColor?: string | undefined;
  bold?: boolean;
}

declare const STYLED: unique symbol;
/** Text escaped and styled by styleLine (the only styled text StyledText takes), and its columns. */
export interface StyledLine {
  readonly text: string;
  readonly width: number;
  readonly [STYLED]: true;
}

const ANSI256 = /^ansi256\(\s?(\d+)\s?\)$/;
const RGB = /^rgb\(\s?(\d+),\s?(\d+),\s?(\d+)\s?\)$/;

type Painter = (text: string) => string;

/** ink's colorize (ink/build/colorize.js), which ink does not export. */
const painter = (color: string, background: boolean): Painter | undefined => {
  if (color in chalk) {
    const name = background ? `bg${color.charAt(0).toUpperCase()}${color.slice(1)}` : color;
    const p = (chalk as unknown as Record<string, unknown>)[name];
    return typeof p === 'function' ? (p as Painter) : undefined;
  }
  if (color.startsWith('#')) return background ? chalk.bgHex(color) : chalk.hex(color);
  const a = ANSI256.exec(color);
  if (a) return background ? chalk.bgAnsi256(Number(a[1])) : chalk.ansi256(Number(a[1]));
  const r = RGB.exec(color);
  if (r) {
    const [red, green, blue] = [Number(r[1]), Number(r[2]), Number(r[3])];
    return background ? chalk.bgRgb(red, green, blue) : chalk.rgb(red, green, blue);
  }
  return undefined;
};

const paint = (text: string, color: string | undefined, background: boolean): string => {
  if (!color) return text;
  const p = painter(color, background);
  return p ? p(text) : text;
};

/** The spans, escaped and coloured, with the line's background and weight over all of them. */
export const styleLine = (spans: readonly Span[], style: LineStyle = {}): StyledLine => {
  let line = '';
  let visible = '';
  for (const s of spans) {
    const text = escapeTerminal(s.text);
    visible += text;
    line += paint(text, s.color, false);
  }
  line = paint(line, style.backgroundColor, true);
  if (style.bold) line = chalk.bold(line);
  return { text: line, width: displayWidth(visible) } as StyledLine;
};
