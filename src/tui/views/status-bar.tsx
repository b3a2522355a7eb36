// Bottom line: forwards active/total, errors, waiting, reconnects, aggregate rates, the sort and a
// transient notice (what the last key did), the connection state, a namespace kubefwd cannot
// follow, or the help hint. An attached kubefwd that stopped outranks all: the TUI is about to exit. The right
// part never shrinks: what just happened matters more than the totals.
import { Box } from 'ink';
import { Text } from '../text.js';
import type { TuiState } from '../backend.js';
import { formatRate } from '../format.js';
import { sortLabel, type SortSpec } from '../rows.js';
import type { Theme } from '../theme.js';
import { summarize } from '../../domain/forward-counts.js';

export interface StatusBarProps {
  state: TuiState;
  theme: Theme;
  width: number;
  sort: SortSpec;
  notice?: string;
}

/** A namespace kubefwd cannot follow (its list/watch fails): its forwards look fine while going stale. */
const notFollowed = (state: TuiState): string | undefined => {
  const n = state.namespaces.find((x) => x.watchError);
  return n ? `${n.namespace} not followed: ${n.watchError}` : undefined;
};

const rightText = (state: TuiState, notice: string | undefined, narrow: boolean): string => {
  if (state.stopped !== undefined) return `${state.stopped} — exiting (q quits now)`;
  if (state.shuttingDown) return 'Shutting down...';
  if (notice) return notice;
  if (!state.connected) return `disconnected: ${state.connectionError ?? 'reconnecting…'}`;
  return notFollowed(state) ?? (narrow ? '? help' : 'Press ? for help');
};

/** Below this width the totals use short labels, so the rates and the sort stay in view (80 columns). */
const NARROW = 120;

export const StatusBar = ({ state, theme, width, sort, notice }: StatusBarProps) => {
  // The dashboard header's rule: a failure, a re-dial after one, or an Active forward whose pod
  // refuses its connections is an error, as quick status and health count it.
  const { active, errors, waiting, reconnects } = summarize(state.forwards, Date.now());
  const narrow = width < NARROW;
  const label = (long: string, short: string): string => (narrow ? short : long);
  const full = rightText(state, notice, narrow);
  const max = Math.max(10, Math.floor(width * 0.6));
  const right = full.length > max ? `${full.slice(0, max - 1)}…` : full;
  const alarm =
    state.stopped !== undefined ||
    state.shuttingDown ||
    !state.connected ||
    (!notice && notFollowed(state) !== undefined);
  return (
    <Box width={width} justifyContent="space-between">
      <Box flexShrink={1}>
        <Text wrap="truncate">
          {' '}
          {label('Forwards:', 'Fwd')} {active}/{state.forwards.length}
          <Text color={theme.muted}> | </Text>
          {label('Errors:', 'Err')} <Text color={errors > 0 ? theme.error : theme.ok}>{errors}</Text>
          <Text color={theme.muted}> | </Text>
          {label('Waiting:', 'Wait')} <Text color={waiting > 0 ? theme.stopping : theme.ok}>{waiting}</Text>
          <Text color={theme.muted}> | </Text>
          {label('Reconnects:', 'Rc')} {reconnects}
          <Text color={theme.muted}> | </Text>
          {label('In:', '↓')} {formatRate(state.summary.rateIn)}
          <Text color={theme.muted}> | </Text>
          {label('Out:', '↑')} {formatRate(state.summary.rateOut)}
          <Text color={theme.muted}> | sort: {sortLabel(sort)}</Text>
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text color={alarm ? theme.error : notice ? theme.accent : theme.muted}> {right} </Text>
      </Box>
    </Box>
  );
};
