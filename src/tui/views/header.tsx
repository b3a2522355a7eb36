// Top line: version, the CURRENT CONTEXT (always visible: forwarding the wrong cluster unnoticed
// was kubefwd#38), the forwarded namespaces, and the attached daemon when not in-process.
import { Box, Text } from 'ink';
import type { TuiState } from '../backend.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  version: string;
  state: TuiState;
  theme: Theme;
  width: number;
}

export const Header = ({ version, state, theme, width }: HeaderProps) => {
  const others = new Set(state.namespaces.map((n) => n.context).filter((c) => c !== state.currentContext));
  const nsList = [...new Set(state.namespaces.map((n) => n.namespace))];
  const ns =
    nsList.length === 0
      ? ''
      : nsList.length <= 3
        ? nsList.join(',')
        : `${nsList.slice(0, 3).join(',')},+${nsList.length - 3}`;
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate">
        <Text bold color={theme.title}>
          {' '}
          kubefwd v{version}
        </Text>
        <Text color={theme.muted}> | </Text>
        <Text bold color={theme.cyan}>
          ctx: {state.currentContext || '-'}
        </Text>
        {others.size > 0 ? <Text color={theme.warn}> (+{[...others].join(',')})</Text> : null}
        {ns ? <Text color={theme.muted}> | ns: {ns}</Text> : null}
        {state.attachedTo ? (
          <Text color={state.connected ? theme.muted : theme.error}> | attached: {state.attachedTo}</Text>
        ) : null}
      </Text>
      <Text color={theme.muted} wrap="truncate">
        [f: browse] [?: help]{' '}
      </Text>
    </Box>
  );
};
