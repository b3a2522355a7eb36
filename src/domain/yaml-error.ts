// One line for a YAML syntax error, for messages that name the file themselves: the parser's first
// line ends "at line 2, column 1:" (its excerpt followed), which cut there read "…column 1:.".
import { YAMLError } from 'yaml';

export const yamlErrorText = (err: unknown): string => {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const reason = first.replace(/\s+at line \d+, column \d+:?\s*$/, '').replace(/[:.]\s*$/, '');
  const pos = err instanceof YAMLError ? err.linePos?.[0] : undefined;
  return pos ? `${reason} (line ${pos.line}, column ${pos.col})` : reason;
};
