// `kubefwd demo`: starts the simulated cluster with its sample scenario and forwards it (namespace
// shop unless -n/-A say otherwise), so a newcomer sees the whole product without a cluster.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimCluster } from '../../sim/index.js';
import type { DaemonConfig } from '../../daemon/config.js';
import { runDaemon } from '../../daemon/index.js';
import type { CliIo } from '../io.js';
import { checkPrivileges } from './svc.js';

export const runDemo = async (
  config: DaemonConfig,
  io: CliIo,
  argv: readonly string[] = ['demo'],
): Promise<number> => {
  const warning = checkPrivileges(config, argv);
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-demo-'));
  const sim = await createSimCluster({ dir });
  io.stdout.write(
    `Simulated cluster running at ${sim.apiUrl} (kubeconfig ${sim.kubeconfigPath}, context ${sim.contextName}).\n` +
      `Try: curl http://api-gateway:8080/   or   echo hello | nc postgres 5432\n\n`,
  );
  const stopSim = async (): Promise<void> => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    return await runDaemon({ ...config, kubeconfigPath: sim.kubeconfigPath, contexts: [], api: true }, io, {
      ...(warning ? { warnings: [warning] } : {}),
      afterStop: stopSim,
    });
  } catch (err) {
    await stopSim();
    throw err;
  }
};
