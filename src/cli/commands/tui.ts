// `kubefwd tui`: attaches the terminal UI to a running kubefwd through its REST API.
import type { CliIo } from '../io.js';

export const runTuiCommand = async (_argv: readonly string[], io: CliIo): Promise<number> => {
  io.stderr.write('kubefwd: the attached TUI is not available in this build yet.\n');
  return 1;
};
