// `kubefwd demo`: the simulated cluster with its sample scenario, forwarded by the daemon.
import type { DaemonConfig } from '../../daemon/config.js';
import type { CliIo } from '../io.js';

export const runDemo = async (_config: DaemonConfig, io: CliIo): Promise<number> => {
  io.stderr.write('kubefwd: the simulated cluster is not available in this build yet.\n');
  return 1;
};
