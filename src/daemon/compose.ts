// Wires the parts: machine adapters → engine → state store → REST API (+ TUI). The API socket is
// bound before the engine starts, so a taken address fails while nothing has changed; the engine's
// first hosts write removes a stale block from a killed run together with writing ours.
import { KubefwdError, errorMessage } from '../contract/errors.js';
import { createApiApp } from '../api/server/app.js';
import { BANNER_LINK_TTL_MS, createDashboardSessions } from '../api/server/dashboard-session.js';
import { resolveApiKey } from '../api/server/discovery-file.js';
import { removeDiscoveryFile, writeDiscoveryFile } from '../os/discovery-file.js';
import { loadTui } from '../tui/load.js';
import { createEngine } from '../engine/index.js';
import { findBlocks, removeBlocks, splitLines } from '../engine/hosts-block.js';
import type { Engine } from '../engine/controller.js';
import type { ClusterProvider } from '../engine/gateways.js';
import { createTrafficRecorder } from '../engine/traffic/index.js';
import { createResourceMonitor, readFileLimit } from '../os/fd-limits.js';
import { createListeners } from '../os/listener.js';
import { createLoopback } from '../os/loopback.js';
import type { HostsFile } from '../os/hosts-file.js';
import type { InvokingUser } from '../os/privilege.js';
import type { Machine } from './helper-client.js';
import { createStateStore, type StateStore } from '../state/index.js';
import { listenApi, type ApiListener } from './api-listener.js';
import { dashboardAssetsDir } from './dashboard-assets.js';
import { API_HOSTNAME, API_IP, API_PORT, type DaemonConfig } from './config.js';
import type { DaemonLogger } from './logger.js';
import type { Plan } from './preflight.js';
import { isLiveBlockId, isStaleBlockId, ownBlockId } from './stale-blocks.js';
import { startWatchdog } from './watchdog.js';

export interface ComposeInput {
  config: DaemonConfig;
  logger: DaemonLogger;
  clusters: ClusterProvider;
  hosts: HostsFile;
  user: InvokingUser;
  plan: Plan | undefined;
  /** The privileged helper, when this process runs as the user beside one (aliases, low ports). */
  machine?: Machine | undefined;
}

export interface Composed {
  apiUrl: string | undefined;
  engine: Engine;
  state: StateStore;
  /** Resolves when the daemon should stop on its own (the TUI quit). */
  ended: Promise<void>;
  shutdown(): Promise<void>;
  forceCleanup(): Promise<void>;
}

/** Refuses to share a hosts file with a running kubefwd (its block would be ours to clobber). */
const checkNoLiveBlock = async (hosts: HostsFile): Promise<void> => {
  const live = findBlocks(splitLines(await hosts.read())).filter((b) => isLiveBlockId(b.id, process.pid));
  const other = live[0];
  if (other)
    throw new KubefwdError('HOSTS_FILE_LOCKED', `another kubefwd (${other.id}) is managing ${hosts.path}`, {
      field: '--hosts-path',
      hint: 'Stop that kubefwd first, or give this one its own hosts file with --hosts-path.',
    });
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or `fallback` after `ms` (the timer is cleared when `p` settles first). */
const within = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

/** How long a graceful stop may take before the hosts block is removed directly (kubefwd waits ≤3 s per step). */
const SHUTDOWN_DEADLINE_MS = 5_000;
const WATCHDOG_MS = 10_000;

export const compose = async (input: ComposeInput): Promise<Composed> => {
  const { config, logger, clusters, hosts, user, plan } = input;
  await checkNoLiveBlock(hosts);

  // File descriptors: the limit said once at start, accept failures and refused API connections
  // counted and logged, the open count sampled so running low is said before it bites.
  const resources = createResourceMonitor({ warn: (m) => logger.warn(m) });
  const limit = readFileLimit();
  if (limit)
    logger.debug(`Open-file limit ${limit.soft} (hard ${limit.hard}); each forwarded connection uses two`);

  // The API: kubefwd.internal (127.2.27.1:80) when root, else a loopback port.
  const apiEnabled = config.api || config.tui || config.apiListen !== undefined;
  const wellKnown = config.apiListen === undefined && config.root;
  const machine = input.machine;
  const privileged = machine ? { privileged: machine.listen } : {};
  const loopback = machine?.loopback ?? createLoopback();
  let api: ApiListener | undefined;
  if (apiEnabled) {
    const host = config.apiListen?.host ?? (wellKnown ? API_IP : '127.0.0.1');
    const port = config.apiListen?.port ?? (wellKnown ? API_PORT : 0);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') await loopback.ensure(host);
    api = await listenApi(host, port, {
      onRefused: (why) => resources.apiConnectionRefused(why),
      ...privileged,
    });
  }

  const blockId = ownBlockId();
  const traffic = createTrafficRecorder();
  let engine: Engine;
  try {
    engine = createEngine({
      clusters,
      hosts,
      listener: createListeners({
        onAcceptError: (where, err) => resources.acceptFailed(where, err),
        ...privileged,
      }),
      loopback,
      traffic,
      logger,
      options: {
        domain: config.domain,
        mappings: config.mappings,
        reservations: config.reservations,
        timeoutMs: config.timeoutSeconds * 1000,
        autoReconnect: config.autoReconnect,
        retryIntervalMs: config.retryIntervalMs,
        resyncIntervalMs: config.resyncIntervalMs,
        hostsBlockId: blockId,
        // Only blocks of dead kubefwd processes are stale (a live one made us refuse above).
        isStaleBlock: (id: string) => isStaleBlockId(id, process.pid),
        purgeStaleIps: config.purgeStaleIps,
        selectors: {
          ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
          ...(config.fieldSelector ? { fieldSelector: config.fieldSelector } : {}),
        },
        excludes: config.excludes,
        // planTargets checked these namespaces' existence and access: the engine need not ask again.
        preflighted: [...(plan?.namespaces ?? []), ...(plan?.services ?? [])],
        ...(api && wellKnown ? { apiHostEntry: { ip: API_IP, hostname: API_HOSTNAME } } : {}),
      },
    });
  } catch (err) {
    await api?.close();
    traffic.close();
    throw err;
  }
  const state = createStateStore({ subscribe: (l) => engine.subscribe(l), traffic });
  const detachSink = logger.addSink((level, message, fields) => state.logs.append(level, message, fields));

  const { key, source: keySource } = resolveApiKey(config.env);
  const fromEnv = keySource === 'env';
  let apiUrl: string | undefined;
  let discoveryWritten = false;
  const dashboardSessions = createDashboardSessions({ now: () => Date.now() });
  if (api) {
    const listener = api;
    const assetsDir = dashboardAssetsDir();
    const app = createApiApp({
      state,
      controller: engine,
      traffic,
      version: config.version,
      startedAt: Date.now(),
      key,
      allowedHosts: () => [
        API_HOSTNAME,
        'localhost',
        '127.0.0.1',
        '[::1]',
        listener.host,
        `${listener.host}:${listener.port}`,
      ],
      options: {
        namespaces: config.namespaces,
        contexts: config.contexts,
        tuiEnabled: config.tui,
      },
      log: logger,
      dashboard: {
        sessions: dashboardSessions,
        ...(assetsDir !== undefined ? { assetsDir } : {}),
        baseUrl: () => apiUrl,
      },
      resources: () => resources.snapshot(),
    });
    api.attach((req) => app.fetch(req));
    apiUrl = wellKnown ? `http://${API_HOSTNAME}` : api.url;
  }

  const sampler = setInterval(() => resources.sample(), 2_000);
  sampler.unref();
  const removeOurBlock = (): Promise<void> =>
    hosts.update((content) => removeBlocks(content, (id) => id === blockId));
  const shutdownOnce = { p: undefined as Promise<void> | undefined };
  const shutdown = (): Promise<void> =>
    (shutdownOnce.p ??= (async () => {
      const slow = Number(config.env.KUBEFWD_TEST_SLOW_SHUTDOWN_MS ?? 0);
      if (slow > 0) await sleep(slow);
      // The hosts block goes first, through our own port: whatever happens next, the user's
      // hosts file is clean. The watchdog ends a shutdown that cannot finish.
      await removeOurBlock().catch((err: unknown) =>
        logger.error(`Cannot clean ${hosts.path}: ${errorMessage(err)}`),
      );
      const watchdog = startWatchdog(
        WATCHDOG_MS,
        `kubefwd: shutdown did not finish within ${WATCHDOG_MS / 1000}s; hosts entries were removed, exiting now`,
      );
      // Bounded: whatever hangs in the engine, the hosts block goes and the process ends.
      const stopped = await within(
        engine.shutdown().then(
          () => true,
          (err: unknown) => {
            logger.error(`Shutdown of forwards failed: ${errorMessage(err)}`);
            return false;
          },
        ),
        SHUTDOWN_DEADLINE_MS,
        false,
      );
      if (!stopped) {
        logger.warn(
          `Forwards did not stop cleanly within ${SHUTDOWN_DEADLINE_MS / 1000}s; removing the hosts entries directly`,
        );
        await removeOurBlock().catch((err: unknown) =>
          logger.error(`Cannot clean ${hosts.path}: ${errorMessage(err)}`),
        );
      }
      logger.debug('Forwards stopped; closing the API');
      await api?.close();
      logger.debug('API closed');
      if (discoveryWritten)
        await removeDiscoveryFile(
          user.home,
          process.pid,
          user.uid !== undefined ? { uid: user.uid, gid: user.gid ?? user.uid } : undefined,
        );
      if (api && api.host !== '127.0.0.1') await loopback.release(api.host).catch(() => undefined);
      detachSink();
      clearInterval(sampler);
      state.close();
      traffic.close();
      await watchdog.cancel();
    })());

  try {
    // The API is already serving: announce it first, so `kubefwd mcp` and `kubefwd tui` find this
    // daemon while a large namespace is still being set up.
    if (api) {
      await writeDiscoveryFile({
        home: user.home,
        ...(user.uid !== undefined ? { uid: user.uid } : {}),
        ...(user.gid !== undefined ? { gid: user.gid } : {}),
        url: api.url,
        key,
        pid: process.pid,
      });
      discoveryWritten = true;
      logger.info(`API server running at ${api.url}/${wellKnown ? ` (http://${API_HOSTNAME}/)` : ''}`);
      logger.info(`API: ${apiUrl}/api  Docs: ${apiUrl}/docs`);
      logger.info(
        `Dashboard: ${apiUrl}/login?token=${dashboardSessions.mintToken(BANNER_LINK_TTL_MS).token} (one-time link, ${BANNER_LINK_TTL_MS / 60_000} min; \`kubefwd open\` makes a new one)`,
      );
      logger.info(
        fromEnv
          ? 'API key: using KUBEFWD_API_KEY from environment'
          : `API key (generated): ${key.slice(0, 4)}… (full key in ${user.home}/.kubefwd/api.json; set KUBEFWD_API_KEY to pin your own)`,
      );
      if (config.idle) {
        logger.info(
          'Idle mode: Add namespaces via POST /api/v1/namespaces or services via POST /api/v1/services',
        );
        logger.info('Press [Ctrl-C] to stop.');
      }
    }

    // Namespaces and single services from the command line.
    for (const t of plan?.namespaces ?? []) {
      await engine.addNamespace({
        namespace: t.namespace,
        context: t.context,
        ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
        ...(config.fieldSelector ? { fieldSelector: config.fieldSelector } : {}),
      });
    }
    for (const s of plan?.services ?? [])
      await engine.addService({ namespace: s.namespace, serviceName: s.name, context: s.context });
  } catch (err) {
    await shutdown();
    throw err;
  }

  // --tui: the terminal belongs to the TUI; log lines still reach its log panel and the API.
  let ended: Promise<void> = new Promise<void>(() => undefined);
  if (config.tui) {
    const { runTui, createLocalBackend } = await loadTui();
    logger.setQuiet(true);
    const backend = createLocalBackend({ state, controller: engine, traffic });
    const stopTui = new AbortController();
    ended = runTui(backend, {
      version: config.version,
      ...(config.theme ? { theme: config.theme } : {}),
      signal: stopTui.signal,
    })
      .catch((err: unknown) => logger.error(`TUI failed: ${errorMessage(err)}`))
      .finally(() => {
        backend.close();
        logger.setQuiet(false);
      });
    const baseShutdown = shutdown;
    return {
      apiUrl,
      engine,
      state,
      ended,
      shutdown: async () => {
        stopTui.abort();
        await ended;
        await baseShutdown();
      },
      forceCleanup: removeOurBlock,
    };
  }

  return {
    apiUrl,
    engine,
    state,
    ended,
    shutdown,
    forceCleanup: removeOurBlock,
  };
};
