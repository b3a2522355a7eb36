// Top line: version, the CURRENT CONTEXT (always visible: forwarding the wrong cluster unnoticed
// was kubefwd#38), the forwarded namespaces, and the attached daemon when not in-process.
import { Box } from 'ink';
import { Text } from '../text.js';
import type { TuiState } from '../backend.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  version: string;
  state: TuiState;
  theme: Theme;
  width: number;
}

/**
 * The contexts being forwarded (what the user must not get wrong), else the kubeconfig's current
 * context; the first is where browse starts.
 */
export const forwardedContexts = (state: TuiState): string[] => {
  const ctxs = [...new Set(state.namespaces.map((n) => n.context))];
  return ctxs.length > 0 ? ctxs : state.currentContext ? [state.currentContext] : [];
};

export const Header = ({ version, state, theme, width }: HeaderProps) => {
  const ctxs = forwardedContexts(state);
  const kubeconfigDiffers = state.currentContext !== '' && !ctxs.includes(state.currentContext);
  const nsList = [...new Set(state.namespaces.map((n) => n.namespace))];
  const ns =
    nsList.length === 0
      ? ''
      : nsList.length <= 3
        ? nsList.join(',')
        : `${nsList.slice(0, 3).join(',')},+${nsList.length - 3}`;
  return (
    <Box width={width} justifyContent="space-between">
      <Box flexShrink={1}>
        <Text wrap="truncate">
          <Text bold color={theme.title}>
            {' '}
            kubefwd v{version}
          </Text>
          <Text color={theme.muted}> | </Text>
          <Text bold color={ctxs.length > 1 ? theme.warn : theme.cyan}>
            ctx: {ctxs.join(',') || '-'}
          </Text>
          {kubeconfigDiffers ? <Text color={theme.muted}> (kubeconfig: {state.currentContext})</Text> : null}
          {ns ? <Text color={theme.muted}> | ns: {ns}</Text> : null}
          {state.attachedTo ? (
            <Text color={state.connected ? theme.muted : theme.error}> | attached: {state.attachedTo}</Text>
          ) : null}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text color={theme.muted}> [f: browse] [?: help] </Text>
      </Box>
    </Box>
  );
};
