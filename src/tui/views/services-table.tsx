// The services table: one line per forward, only the window of rows that fits the terminal is
// rendered (so 2,000 forwards cost what ~40 do). Each row is one pre-styled string in one Text
// (styled-line.ts), memoised on that string: a frame re-renders, lays out and measures only the
// rows whose text changed (issue 18).
import { Box } from 'ink';
import { StyledText } from '../text.js';
import { headerLine, rowCells, type Column } from '../columns.js';
import type { Row } from '../rows.js';
import { styleLine, type Span, type StyledLine } from '../styled-line.js';
import { statusColor, type Theme } from '../theme.js';
import { fit } from '../width.js';

export interface ServicesTableProps {
  /** The rows of the window only. */
  rows: readonly Row[];
  columns: readonly Column[];
  /** Index of the highlighted row within `rows` (-1: none in the window). */
  selected: number;
  page: number;
  width: number;
  focused: boolean;
  theme: Theme;
  now: number;
  trend: (forwardKey: string) => readonly number[];
  emptyText: string;
}

/** A row as one styled line: the marker, then its cells, adjacent cells of one colour as one span. */
export const rowLine = (
  row: Row,
  columns: readonly Column[],
  selected: boolean,
  theme: Theme,
  now: number,
  trend: readonly number[],
): StyledLine => {
  const sc = statusColor(theme, row.forward.status);
  const spans: Span[] = [{ text: selected ? '▶' : ' ', color: undefined }];
  rowCells(row, columns, now, trend).forEach((c, i) => {
    const color =
      c.tone === 'status' || c.tone === 'problem' ? sc : c.tone === 'muted' ? theme.muted : undefined;
    const text = (i > 0 ? ' ' : '') + c.text;
    const last = spans[spans.length - 1]!;
    if (last.color === color) last.text += text;
    else spans.push({ color, text });
  });
  return styleLine(spans, selected ? { backgroundColor: theme.selectedBg, bold: true } : {});
};

export const ServicesTable = ({
  rows,
  columns,
  selected,
  page,
  width,
  focused,
  theme,
  now,
  trend,
  emptyText,
}: ServicesTableProps) => (
  <Box
    flexDirection="column"
    borderStyle="round"
    borderColor={focused ? theme.focus : theme.muted}
    width={width}
    height={page + 3}
  >
    <StyledText line={styleLine([{ text: ` ${headerLine(columns)}`, color: theme.muted }], { bold: true })} />
    {rows.length === 0 ? (
      <StyledText line={styleLine([{ text: fit(` ${emptyText}`, width - 2), color: theme.muted }])} />
    ) : (
      rows.map((r, i) => (
        <StyledText key={r.key} line={rowLine(r, columns, i === selected, theme, now, trend(r.key))} />
      ))
    )}
  </Box>
);
