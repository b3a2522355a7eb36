// How the commands that talk to a running kubefwd (tui, open, mcp) tell it from one that is gone:
// a zombie pid counts as gone (os/process-alive), and with no discovery file, a kubefwd whose block
// is in the system hosts file and whose process runs was started without its REST API. That second
// check is loaded only when needed, to keep `kubefwd mcp` starting light.
import type { DaemonProbes } from '../api/client/index.js';
import { processAlive } from '../os/process-alive.js';

export const daemonProbes: DaemonProbes = {
  isAlive: (pid) => processAlive(pid),
  runningWithoutApi: async () => {
    const [{ runningKubefwdPid }, { defaultHostsPath }] = await Promise.all([
      import('../daemon/stale-blocks.js'),
      import('../daemon/config.js'),
    ]);
    return runningKubefwdPid(defaultHostsPath());
  },
};
