// The daemon's log under the table: `[HH:MM:SS][LEVEL] message`, following the tail unless the
// user scrolled up (Tab focuses it; End or scrolling to the bottom resumes following).
import { Box } from 'ink';
import { Text } from '../text.js';
import type { TuiLogLine } from '../backend.js';
import { formatClock } from '../format.js';
import { fit } from '../width.js';
import type { Theme } from '../theme.js';

export interface LogsPanelProps {
  lines: readonly TuiLogLine[];
  /** Lines scrolled up from the bottom; 0 = following. */
  scrollBack: number;
  height: number;
  width: number;
  theme: Theme;
}

const levelColor = (theme: Theme, level: TuiLogLine['level']): string =>
  level === 'error'
    ? theme.error
    : level === 'warn'
      ? theme.warn
      : level === 'debug'
        ? theme.muted
        : theme.accent;

export const LogsPanel = ({ lines, scrollBack, height, width, theme }: LogsPanelProps) => {
  const rows = Math.max(1, height - 1);
  const back = Math.min(scrollBack, Math.max(0, lines.length - rows));
  const end = lines.length - back;
  const shown = lines.slice(Math.max(0, end - rows), end);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        {back === 0 ? (
          <Text color={theme.ok}>Following</Text>
        ) : (
          <Text color={theme.warn}>Paused (End to resume)</Text>
        )}
        <Text color={theme.muted}> - {lines.length} lines</Text>
      </Text>
      {shown.map((l, i) => (
        <Text key={`${end}-${i}`} wrap="truncate">
          <Text color={theme.muted}>[{formatClock(l.at)}]</Text>
          <Text color={levelColor(theme, l.level)}>[{l.level.toUpperCase()}]</Text>{' '}
          {fit(l.message, width - 20).trimEnd()}
        </Text>
      ))}
    </Box>
  );
};
