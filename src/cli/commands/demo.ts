// `kubefwd demo`: starts the simulated cluster with its sample scenario and forwards it (namespace
// shop unless -n/-A say otherwise), so a newcomer sees the whole product without a cluster. Once
// the forwards are up it prints commands to try, each answered by the pod (demo-hints.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimCluster } from '../../sim/index.js';
import type { DaemonConfig } from '../../daemon/config.js';
import { runDaemon, type RunningDaemon } from '../../daemon/index.js';
import type { StateSnapshot } from '../../state/index.js';
import { DEMO_HINT_SERVICES, demoHintText, demoHints } from '../demo-hints.js';
import type { CliIo } from '../io.js';
import { checkPrivileges } from './svc.js';

/** How long the hints wait for their forwards before printing those that are up. */
const HINT_WAIT_MS = 30_000;

/** Prints the hints once every hinted service present is Active (or after HINT_WAIT_MS). */
const printHintsWhenUp = (daemon: RunningDaemon, io: CliIo, byIP: boolean): void => {
  const { state } = daemon.composed;
  let done = false;
  const ready = (s: StateSnapshot): boolean => {
    const present = DEMO_HINT_SERVICES.filter((n) => s.forwards.some((f) => f.serviceName === n));
    return present.length > 0 && demoHints(s.forwards, byIP).length === present.length;
  };
  const print = (s: StateSnapshot): void => {
    if (done) return;
    done = true;
    unsubscribe();
    clearTimeout(timer);
    if (!s.shuttingDown) io.stdout.write(demoHintText(demoHints(s.forwards, byIP), byIP));
  };
  const unsubscribe = state.subscribe((s) => {
    if (ready(s)) print(s);
  });
  const timer = setTimeout(() => print(state.getSnapshot()), HINT_WAIT_MS);
  timer.unref();
  if (ready(state.getSnapshot())) print(state.getSnapshot());
};

export const runDemo = async (
  config: DaemonConfig,
  io: CliIo,
  argv: readonly string[] = ['demo'],
  announce?: () => void,
): Promise<number> => {
  const warning = checkPrivileges(config, argv);
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-demo-'));
  const sim = await createSimCluster({ dir });
  const stopSim = async (): Promise<void> => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    return await runDaemon({ ...config, kubeconfigPath: sim.kubeconfigPath, contexts: [], api: true }, io, {
      ...(warning ? { warnings: [warning] } : {}),
      onChecked: () => {
        announce?.();
        io.stdout.write(
          `Simulated cluster running at ${sim.apiUrl} (kubeconfig ${sim.kubeconfigPath}, context ${sim.contextName}).\n` +
            `Its pods speak HTTP (api-gateway), PostgreSQL (postgres) and Redis (redis); commands to try follow once they are forwarded.\n\n`,
        );
      },
      onStarted: (daemon) => {
        if (!config.tui) printHintsWhenUp(daemon, io, config.hostsPathExplicit);
      },
      afterStop: stopSim,
    });
  } catch (err) {
    await stopSim();
    throw err;
  }
};
