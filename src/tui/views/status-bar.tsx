// Bottom line: forwards active/total, errors, waiting, reconnects, aggregate rates, the sort and a
// transient notice (what the last key did) or the help hint.
import { Box, Text } from 'ink';
import type { TuiState } from '../backend.js';
import { formatRate } from '../format.js';
import type { SortSpec } from '../rows.js';
import type { Theme } from '../theme.js';

export interface StatusBarProps {
  state: TuiState;
  theme: Theme;
  width: number;
  sort: SortSpec;
  notice?: string;
}

export const StatusBar = ({ state, theme, width, sort, notice }: StatusBarProps) => {
  let active = 0;
  let errors = 0;
  let waiting = 0;
  let reconnects = 0;
  for (const f of state.forwards) {
    if (f.status === 'Active') active++;
    else if (f.status === 'Error') errors++;
    else if (f.status === 'Waiting') waiting++;
    reconnects += f.reconnects;
  }
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate">
        {' '}
        Forwards: {active}/{state.forwards.length}
        <Text color={theme.muted}> | </Text>
        Errors: <Text color={errors > 0 ? theme.error : theme.ok}>{errors}</Text>
        <Text color={theme.muted}> | </Text>
        Waiting: <Text color={waiting > 0 ? theme.stopping : theme.ok}>{waiting}</Text>
        <Text color={theme.muted}> | </Text>
        Reconnects: {reconnects}
        <Text color={theme.muted}> | </Text>
        In: {formatRate(state.summary.rateIn)}
        <Text color={theme.muted}> | </Text>
        Out: {formatRate(state.summary.rateOut)}
        <Text color={theme.muted}>
          {' '}
          | sort: {sort.field} {sort.descending ? '↓' : '↑'}
        </Text>
      </Text>
      <Text wrap="truncate" color={notice ? theme.accent : theme.muted}>
        {' '}
        {state.shuttingDown
          ? 'Shutting down...'
          : (notice ??
            (state.connected
              ? 'Press ? for help'
              : `disconnected: ${state.connectionError ?? 'reconnecting…'}`))}{' '}
      </Text>
    </Box>
  );
};
