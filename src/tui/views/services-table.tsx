// The services table: one line per forward, only the window of rows that fits the terminal is
// rendered (so 500 forwards cost what ~30 do). Each row is one Text of coloured segments — far
// cheaper for ink's layout than a Box per cell.
import { Box } from 'ink';
import { Text } from '../text.js';
import { memo } from 'react';
import { headerLine, rowCells, type Column } from '../columns.js';
import type { Row } from '../rows.js';
import { statusColor, type Theme } from '../theme.js';

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

interface RowLineProps {
  row: Row;
  columns: readonly Column[];
  selected: boolean;
  theme: Theme;
  now: number;
  trend: readonly number[];
}

const RowLine = memo(({ row, columns, selected, theme, now, trend }: RowLineProps) => {
  const sc = statusColor(theme, row.forward.status);
  // Adjacent cells of one colour become one Text: fewer nodes is what keeps ink fast.
  const segments: { color: string | undefined; text: string }[] = [];
  rowCells(row, columns, now, trend).forEach((c, i) => {
    const color =
      c.tone === 'status' || c.tone === 'problem' ? sc : c.tone === 'muted' ? theme.muted : undefined;
    const text = (i > 0 ? ' ' : '') + c.text;
    const last = segments[segments.length - 1];
    if (last && last.color === color) last.text += text;
    else segments.push({ color, text });
  });
  return (
    <Text wrap="truncate" backgroundColor={selected ? theme.selectedBg : undefined} bold={selected}>
      {selected ? '▶' : ' '}
      {segments.map((s, i) => (
        <Text key={i} color={s.color}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
});
RowLine.displayName = 'RowLine';

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
    <Text bold color={theme.muted} wrap="truncate">
      {' '}
      {headerLine(columns)}
    </Text>
    {rows.length === 0 ? (
      <Text color={theme.muted}> {emptyText}</Text>
    ) : (
      rows.map((r, i) => (
        <RowLine
          key={r.key}
          row={r}
          columns={columns}
          selected={i === selected}
          theme={theme}
          now={now}
          trend={trend(r.key)}
        />
      ))
    )}
  </Box>
);
