// Start-up order matters: every check that can fail on user input runs before anything on the
// machine changes (hosts file, listeners, discovery file). Then the engine starts (it removes a
// stale block from a killed run before writing its own), then the API, then the namespaces.
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { ClusterProvider } from '../engine/gateways.js';
import { createClusterProvider } from '../kube/index.js';
import { backupFileName, backupHostsFile } from '../os/hosts-backup.js';
import { readDiscoveryFile } from '../os/discovery-file.js';
import { createHostsFile } from '../os/hosts-file.js';
import { invokingUser } from '../os/privilege.js';
import { removeBlocks } from '../engine/hosts-block.js';
import { compose, fileOwner, type Composed } from './compose.js';
import { removeStaleDiscoveryFile } from './leftovers.js';
import { checkNoLiveBlock, ownBlockId } from './stale-blocks.js';
import { defaultHostsPath, idleNamespaceHint, type DaemonConfig } from './config.js';
import { createLogger, type DaemonLogger } from './logger.js';
import type { Machine } from './helper-client.js';
import { planTargets, type Plan } from './preflight.js';
import { tuneHeapForForwarding } from './heap-tuning.js';

/** How long start-up waits for the API server before saying so. */
const SLOW_START_MS = 3000;

export interface DaemonIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

export interface RunDaemonOptions {
  /** Lines to log as warnings at start (e.g. not running as root). */
  warnings?: string[];
  /** Lines to log as information at start (e.g. what a killed run left and was removed). */
  notices?: string[];
  /** A ready ClusterProvider (demo: the simulated cluster); default: from the kubeconfig. */
  clusters?: ClusterProvider;
  /** Where signals come from (tests); default the process. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Extra cleanup after the daemon stopped (demo: stop the simulated cluster). */
  afterStop?: () => Promise<void>;
  /** The logger to use (runDaemon makes it first, so signals during start-up are logged). */
  logger?: DaemonLogger;
  /** Once every input is checked (kubeconfig, contexts, access), before anything changes: the CLI
   * prints its banner here, so an error in the inputs is not preceded by it. */
  onChecked?: () => void;
  /**
   * Start-up given up before the checks ended (a signal): what runs for them stops — an exec
   * credential plugin would otherwise outlive kubefwd (a terminal's Ctrl-C reaches it, `kill` does not).
   */
  abandon?: AbortSignal;
  /** The privileged helper this process runs beside (hosts block, aliases, low ports go through it). */
  machine?: Machine;
  /** Once the daemon runs (demo: print the hints when their forwards are up). */
  onStarted?: (daemon: RunningDaemon) => void;
  /** Crash tests: pause between writing the new hosts content and replacing the file. */
  hostsWriteDelayMs?: number;
  /** Runs first when the daemon stops (tests: a slow shutdown). */
  beforeShutdown?: () => Promise<void>;
  /** Sets V8 flags (heap-tuning.ts); default v8.setFlagsFromString. */
  setV8Flags?: (flags: string) => void;
  /** Tests: how long a pause must be before the connections are proved (default 10 s). */
  pauseCheckMs?: number;
}

export interface RunningDaemon {
  readonly logger: DaemonLogger;
  readonly composed: Composed;
  readonly plan: Plan | undefined;
  /** Graceful: forwards stopped, hosts block removed, API closed, discovery file removed. */
  stop(): Promise<void>;
  /** Fast: remove the hosts block only (second signal). */
  forceCleanup(): Promise<void>;
}

/**
 * kubectl works in the context's namespace without -n; kubefwd waits instead (as kubefwd does): the
 * command that forwards it, for whoever expected the former. Undefined without a usable context.
 */
const contextNamespaceHint = (config: DaemonConfig, clusters: ClusterProvider): string | undefined => {
  try {
    const context = config.contexts[0] ?? clusters.currentContext();
    const ns = clusters.cluster(context).defaultNamespace;
    return idleNamespaceHint(config, context, ns);
  } catch {
    return undefined;
  }
};

// The start-up order is the point: every check before any change, each step a few lines.
export const startDaemon = async (
  config: DaemonConfig,
  io: DaemonIo,
  options: RunDaemonOptions = {},
): Promise<RunningDaemon> => {
  const logger = createLogger({
    verbose: config.verbose,
    json: config.jsonLogs,
    stdout: io.stdout,
    stderr: io.stderr,
  });
  const user = invokingUser(config.env);

  // 1. Inputs that need no cluster: the hosts file must exist and be writable.
  const hosts =
    options.machine?.hosts ??
    createHostsFile({
      path: config.hostsPath,
      ...(options.hostsWriteDelayMs !== undefined ? { writeDelayMs: options.hostsWriteDelayMs } : {}),
    });
  await hosts.checkWritable();
  await checkNoLiveBlock(
    hosts,
    async (pid) => (await readDiscoveryFile(user.home, fileOwner(user)))?.pid === pid,
  );

  // 2. The kubeconfig, contexts, API server and RBAC.
  const clusters =
    options.clusters ??
    createClusterProvider({
      ...(config.kubeconfigPath !== undefined ? { kubeconfigPath: config.kubeconfigPath } : {}),
      env: config.env,
      transport: config.transport,
      logger,
    });
  const abandoned = (): void => clusters.close();
  options.abandon?.addEventListener('abort', abandoned, { once: true });
  let plan: Plan | undefined;
  // A server that accepts and never answers (a VPN still coming up) kept start-up silent for a
  // minute: after a few seconds, say what it waits for.
  const slow = setTimeout(
    () =>
      logger.info(
        `Waiting for the Kubernetes API server (context ${config.contexts.join(', ') || clusters.currentContext()}); Ctrl-C stops`,
      ),
    SLOW_START_MS,
  );
  try {
    if (!config.idle) plan = await planTargets(config, clusters, logger);
    else if (config.contexts.length > 0) for (const c of config.contexts) clusters.cluster(c);
  } catch (err) {
    clusters.close();
    throw err;
  } finally {
    clearTimeout(slow);
    options.abandon?.removeEventListener('abort', abandoned);
  }

  // 3. Now things change: backup first, then the engine and the API.
  options.onChecked?.();
  for (const w of options.warnings ?? []) logger.warn(w);
  for (const n of options.notices ?? []) logger.info(n);
  const staleDiscovery = await removeStaleDiscoveryFile(user.home);
  if (staleDiscovery !== undefined) logger.info(staleDiscovery);
  if (config.idle) {
    logger.info('Starting in idle mode - API enabled, waiting for namespaces/services via API');
    const hint = contextNamespaceHint(config, clusters);
    if (hint) logger.info(hint);
  } else if (!config.tui && !config.api) {
    logger.info('Press [Ctrl-C] to stop forwarding.');
    logger.info(`'cat ${config.hostsPath}' to see all host entries.`);
  }
  try {
    const backup = await backupHostsFile({
      hostsPath: config.hostsPath,
      home: user.home,
      name: backupFileName(config.hostsPath, defaultHostsPath()),
      refresh: config.refreshBackup,
      uid: user.uid,
      gid: user.gid,
      user: user.name,
    });
    logger.info(`HostFile management: ${backup.message}`);
  } catch (err) {
    clusters.close();
    throw err;
  }

  // Before the engine starts: its forwards may carry traffic at once.
  const heap = tuneHeapForForwarding(options.setV8Flags ? { setV8Flags: options.setV8Flags } : {});
  let composed: Composed;
  try {
    composed = await compose({
      config,
      logger,
      clusters,
      hosts,
      user,
      plan,
      heap,
      machine: options.machine,
      ...(options.beforeShutdown ? { beforeShutdown: options.beforeShutdown } : {}),
      ...(options.pauseCheckMs !== undefined ? { machineWatch: { pauseMs: options.pauseCheckMs } } : {}),
    });
  } catch (err) {
    heap.stop();
    clusters.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    logger,
    composed,
    plan,
    stop() {
      stopping ??= (async () => {
        await composed.shutdown();
        logger.debug('Closing cluster connections');
        clusters.close();
        heap.stop();
        await options.afterStop?.();
        logger.info('Clean exit');
      })();
      return stopping;
    },
    forceCleanup: () => composed.forceCleanup(),
  };
};

// Signal handling and the start-up race share the signal count; kept together so the order is visible.
/** Runs until SIGINT/SIGTERM (or the TUI quits); 0 after a graceful stop, 1 when forced or failed. */
export const runDaemon = async (
  config: DaemonConfig,
  io: DaemonIo,
  options: RunDaemonOptions = {},
): Promise<number> => {
  const signals = options.signals ?? process;
  const logger =
    options.logger ??
    createLogger({ verbose: config.verbose, json: config.jsonLogs, stdout: io.stdout, stderr: io.stderr });
  let signalCount = 0;
  let resolveSignal: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (resolveSignal = resolve));
  let daemon: RunningDaemon | undefined;
  let startAborted = false;
  // Until the inputs are checked nothing on the machine has changed: a signal ends kubefwd at once.
  let checked = false;
  const abandon = new AbortController();
  /** Removes our block straight from the hosts file (second signal). */
  const forceCleanup = (): Promise<void> =>
    daemon
      ? daemon.forceCleanup()
      : createHostsFile({ path: config.hostsPath }).update((c) =>
          removeBlocks(c, (id) => id === ownBlockId()),
        );
  const onSignal = (): void => {
    signalCount += 1;
    if (signalCount === 1) {
      if (!config.tui) logger.info('Shutting down... (press Ctrl+C again to force)');
      if (!daemon) {
        if (!checked) {
          abandon.abort();
          resolveSignal(130);
          return;
        }
        startAborted = true;
        return;
      }
      daemon.stop().then(
        () => resolveSignal(0),
        (err: unknown) => {
          logger.error(`Shutdown failed: ${errorMessage(err)}`);
          resolveSignal(1);
        },
      );
      return;
    }
    if (signalCount === 2) {
      logger.warn('Forced shutdown - cleaning up hosts file');
      forceCleanup().then(
        () => resolveSignal(1),
        (err: unknown) => {
          logger.error(`Cannot clean ${config.hostsPath}: ${errorMessage(err)}`);
          resolveSignal(1);
        },
      );
    }
  };
  // A bug that escapes every handler (an uncaught exception; an unhandled rejection becomes one) must
  // not leave the hosts block behind: it is said, the block is removed at once, and kubefwd exits 1.
  let fatal = false;
  const onFatal = (err: unknown): void => {
    logger.error(
      `kubefwd stopped on an unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : errorMessage(err)}`,
    );
    if (fatal) return;
    fatal = true;
    signalCount = 2;
    forceCleanup().then(
      () => resolveSignal(1),
      (e: unknown) => {
        logger.error(`Cannot clean ${config.hostsPath}: ${errorMessage(e)}`);
        resolveSignal(1);
      },
    );
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  signals.on('uncaughtException', onFatal);
  // The helper went away (killed, crashed): nothing privileged works any more, so stop as on a signal.
  let helperLost = false;
  let over = false;
  void options.machine?.lost.then((why) => {
    if (signalCount > 0 || over) return;
    helperLost = true;
    logger.error(`${why}; stopping (hosts entries it wrote may stay until the next kubefwd start)`);
    onSignal();
  });
  try {
    const started = startDaemon(config, io, {
      ...options,
      logger,
      abandon: abandon.signal,
      onChecked: () => {
        checked = true;
        options.onChecked?.();
      },
    });
    // When a forced stop wins the race, a later start-up failure must not surface as unhandled.
    started.catch(() => undefined);
    const first = await Promise.race([started.then((d) => ({ d })), finished.then((code) => ({ code }))]);
    if ('code' in first) return first.code; // forced during start-up
    daemon = first.d;
    if (!startAborted) options.onStarted?.(daemon);
    if (startAborted) {
      await daemon.stop();
      return signalCount > 1 ? 1 : 0;
    }
    const running = daemon;
    const code = await Promise.race([
      finished,
      running.composed.ended.then(async () => (await running.stop(), 0)),
    ]);
    return helperLost ? 1 : code;
  } catch (err) {
    if (err instanceof KubefwdError) throw err;
    throw new KubefwdError('INTERNAL', errorMessage(err), { cause: err });
  } finally {
    over = true;
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    signals.off('uncaughtException', onFatal);
  }
};
