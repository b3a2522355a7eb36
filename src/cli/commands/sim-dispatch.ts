// `kubefwd sim`: dispatches to the simulated cluster's command (src/cli/commands/sim.ts).
import type { CliIo } from '../io.js';

export const runSim = async (_argv: readonly string[], io: CliIo): Promise<number> => {
  io.stderr.write('kubefwd: the simulated cluster is not available in this build yet.\n');
  return 1;
};
