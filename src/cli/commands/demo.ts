// `kubefwd demo`: starts the simulated cluster with its sample scenario and forwards it (namespace
// shop unless -n/-A say otherwise), so a newcomer sees the whole product without a cluster. Once
// the forwards are up it prints commands to try, each answered by the pod (demo-hints.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimCluster } from '../../sim/index.js';
import type { DaemonConfig } from '../../daemon/config.js';
import { runDaemon, type RunningDaemon } from '../../daemon/index.js';
import { DEMO_DIR_PREFIX, DEMO_OWNER_FILE, removeStaleDemoDirs } from '../../daemon/leftovers.js';
import type { StateSnapshot } from '../../state/index.js';
import { DEMO_HINT_SERVICES, demoHintText, demoHints } from '../demo-hints.js';
import type { CliIo } from '../io.js';
import { checkPrivileges, type PrivilegeChoice } from './svc.js';

/** How long the hints wait for their forwards before printing those that are up. */
const HINT_WAIT_MS = 30_000;

/** Prints the hints once every hinted service present is Active (or after HINT_WAIT_MS). */
const printHintsWhenUp = (daemon: RunningDaemon, io: CliIo, byIP: boolean, kubeconfig: string): void => {
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
    if (!s.shuttingDown) io.stdout.write(demoHintText(demoHints(s.forwards, byIP), byIP, kubeconfig));
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
  privilege: PrivilegeChoice = {},
): Promise<number> => {
  const warning = await checkPrivileges(config, argv);
  const notices = await removeStaleDemoDirs(tmpdir());
  const dir = await mkdtemp(join(tmpdir(), DEMO_DIR_PREFIX));
  // The owner's pid, so the next demo removes this directory if this process is killed.
  await writeFile(join(dir, DEMO_OWNER_FILE), `${process.pid}\n`);
  const sim = await createSimCluster({ dir });
  let stopped: Promise<void> | undefined;
  const stopSim = (): Promise<void> =>
    (stopped ??= (async () => {
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    })());
  try {
    return await runDaemon({ ...config, kubeconfigPath: sim.kubeconfigPath, contexts: [], api: true }, io, {
      ...(warning ? { warnings: [warning] } : {}),
      notices: [...notices, ...(privilege.notice ? [privilege.notice] : [])],
      ...(privilege.machine ? { machine: privilege.machine } : {}),
      onChecked: () => {
        announce?.();
        // The hinted services live in shop: promise commands only when it is forwarded.
        const hinted = config.allNamespaces || config.namespaces.includes('shop');
        io.stdout.write(
          `Simulated cluster running at ${sim.apiUrl} (kubeconfig ${sim.kubeconfigPath}, context ${sim.contextName}).\n` +
            (hinted
              ? `Its pods speak HTTP (api-gateway), PostgreSQL (postgres) and Redis (redis); commands to try follow once they are forwarded.\n\n`
              : '\n'),
        );
      },
      onStarted: (daemon) => {
        if (!config.tui) printHintsWhenUp(daemon, io, config.hostsPathExplicit, sim.kubeconfigPath);
      },
      afterStop: stopSim,
    });
  } finally {
    // Also after a forced stop (second Ctrl-C), which returns without the graceful afterStop.
    await stopSim();
  }
};
