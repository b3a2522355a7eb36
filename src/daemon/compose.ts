// Wires the parts: machine adapters → engine → state store → REST API (+ TUI). The API socket is
// bound before the engine starts, so a taken address fails while nothing has changed; the engine's
// first hosts write removes a stale block from a killed run together with writing ours.
import { errorMessage } from '../contract/errors.js';
import { createApiApp } from '../api/server/app.js';
import { BANNER_LINK_TTL_MS, createDashboardSessions } from '../api/server/dashboard-session.js';
import { resolveApiKey } from '../api/server/discovery-file.js';
import { readDiscoveryFile, removeDiscoveryFile, writeDiscoveryFile } from '../os/discovery-file.js';
import { processAlive } from '../os/process-alive.js';
import type { DiscoveryFile } from '../contract/api.js';
import { loadTui } from '../tui/load.js';
import { createEngine, type EngineRuntime } from '../engine/index.js';
import { removeBlocks } from '../engine/hosts-block.js';
import type { Engine } from '../engine/controller.js';
import type { EngineOptions } from '../engine/options.js';
import type { TrafficRecorderHandle } from '../engine/traffic/index.js';
import type { ClusterProvider } from '../engine/gateways.js';
import { createTrafficRecorder } from '../engine/traffic/index.js';
import { createResourceMonitor, readFileLimit } from '../os/fd-limits.js';
import { createListeners } from '../os/listener.js';
import { createLoopback } from '../os/loopback.js';
import { watchMachine, type MachineWatch, type MachineWatchOptions } from '../os/machine-watch.js';
import type { HostsFile } from '../os/hosts-file.js';
import type { InvokingUser } from '../os/privilege.js';
import type { Machine } from './helper-client.js';
import { createStateStore, type StateStore } from '../state/index.js';
import { apiLimitsFor, listenApi, listenApiOrFallback, type ApiListener } from './api-listener.js';
import { dashboardAssetsDir } from './dashboard-assets.js';
import { API_HOSTNAME, API_IP, API_PORT, announcedApiUrl, type DaemonConfig } from './config.js';
import type { DaemonLogger } from './logger.js';
import type { HeapTuning } from './heap-tuning.js';
import { readProcessStats } from './process-stats.js';
import type { Plan } from './preflight.js';
import { isStaleBlockId, ownBlockId } from './stale-blocks.js';
import { startWatchdog } from './watchdog.js';

export interface ComposeInput {
  config: DaemonConfig;
  logger: DaemonLogger;
  clusters: ClusterProvider;
  hosts: HostsFile;
  user: InvokingUser;
  plan: Plan | undefined;
  /** Runs first when the daemon stops (tests: a slow shutdown). */
  beforeShutdown?: (() => Promise<void>) | undefined;
  /** The privileged helper, when this process runs as the user beside one (aliases, low ports). */
  machine?: Machine | undefined;
  /** The heap tuning (its live-heap reading goes to /api/v1/diagnostics). */
  heap?: HeapTuning | undefined;
  /** Overrides of the sleep and network-change watch (tests: a shorter pause). */
  machineWatch?: Pick<MachineWatchOptions, 'pauseMs' | 'tickMs'> | undefined;
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

/** `p`, or `fallback` after `ms` (the timer is cleared when `p` settles first). */
const within = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

/** How long a graceful stop may take before the hosts block is removed directly (kubefwd waits ≤3 s per step). */
const SHUTDOWN_DEADLINE_MS = 5_000;
const WATCHDOG_MS = 10_000;

/** What the engine is told: parsed flags, our block id, and the namespaces the plan checked. */
const engineOptions = (
  config: DaemonConfig,
  plan: Plan | undefined,
  blockId: string,
  apiHostEntry: boolean,
): EngineOptions => ({
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
  ...(apiHostEntry ? { apiHostEntry: { ip: API_IP, hostname: API_HOSTNAME } } : {}),
});

/** The REST API app on the bound listener; returns the URL users are told. */
const mountApi = (
  api: ApiListener,
  parts: {
    config: DaemonConfig;
    logger: DaemonLogger;
    state: StateStore;
    engine: Engine;
    traffic: TrafficRecorderHandle;
    key: string;
    wellKnown: boolean;
    sessions: ReturnType<typeof createDashboardSessions>;
    resources: ReturnType<typeof createResourceMonitor>;
    heap: HeapTuning | undefined;
    /** Event streams open at once (apiLimitsFor). */
    maxStreams: number;
  },
): string => {
  const { config } = parts;
  const apiUrl = announcedApiUrl({
    wellKnown: parts.wellKnown,
    hostsPathExplicit: config.hostsPathExplicit,
    listenUrl: api.url,
  });
  const assetsDir = dashboardAssetsDir();
  const app = createApiApp({
    state: parts.state,
    controller: parts.engine,
    traffic: parts.traffic,
    version: config.version,
    startedAt: Date.now(),
    key: parts.key,
    allowedHosts: () => [
      API_HOSTNAME,
      'localhost',
      '127.0.0.1',
      '[::1]',
      api.host,
      `${api.host}:${api.port}`,
    ],
    options: {
      namespaces: config.namespaces,
      contexts: config.contexts,
      tuiEnabled: config.tui,
      // hostsPathExplicit: a --hosts-path other than the system's (where the names do not resolve).
      hostsFile: { path: config.hostsPath, system: !config.hostsPathExplicit },
    },
    log: parts.logger,
    dashboard: {
      sessions: parts.sessions,
      ...(assetsDir !== undefined ? { assetsDir } : {}),
      baseUrl: () => apiUrl,
    },
    resources: () => parts.resources.snapshot(),
    processStats: () => readProcessStats(parts.heap),
    sse: { maxStreams: parts.maxStreams },
  });
  api.attach((req) => app.fetch(req));
  return apiUrl;
};

/** The daemon's own user, under sudo the invoking one: whose ~/.kubefwd holds the discovery file. */
export const fileOwner = (user: InvokingUser) =>
  user.uid !== undefined ? { uid: user.uid, gid: user.gid ?? user.uid } : undefined;

/**
 * Writes the discovery file (so `kubefwd mcp` and `kubefwd tui` find us) and says where the API is.
 * Returns the entry of a still-running kubefwd it replaced, to be written back when this one stops.
 */
const announceApi = async (
  api: ApiListener,
  a: {
    config: DaemonConfig;
    logger: DaemonLogger;
    user: InvokingUser;
    key: string;
    fromEnv: boolean;
    apiUrl: string;
    wellKnown: boolean;
    sessions: ReturnType<typeof createDashboardSessions>;
  },
): Promise<DiscoveryFile | undefined> => {
  const { logger, user, key, apiUrl } = a;
  const earlier = await readDiscoveryFile(user.home, fileOwner(user));
  const replaced = earlier && earlier.pid !== process.pid && processAlive(earlier.pid) ? earlier : undefined;
  await writeDiscoveryFile({
    home: user.home,
    ...(user.uid !== undefined ? { uid: user.uid } : {}),
    ...(user.gid !== undefined ? { gid: user.gid } : {}),
    url: api.url,
    key,
    pid: process.pid,
  });
  // The well-known name only where it resolves: not with --hosts-path (see announcedApiUrl).
  const named = a.wellKnown && !a.config.hostsPathExplicit;
  logger.info(`API server running at ${api.url}/${named ? ` (http://${API_HOSTNAME}/)` : ''}`);
  if (replaced)
    logger.info(
      `Another kubefwd (pid ${replaced.pid}, API ${replaced.url}) is running: \`kubefwd mcp\`, \`tui\` and \`open\` reach this one until it stops, then that one again`,
    );
  logger.info(`API: ${apiUrl}/api  Docs: ${apiUrl}/docs`);
  logger.terminalOnly(
    `Dashboard: ${apiUrl}/login?token=${a.sessions.mintToken(BANNER_LINK_TTL_MS).token} (one-time link, ${BANNER_LINK_TTL_MS / 60_000} min; \`kubefwd open\` makes a new one)`,
  );
  logger.info(
    a.fromEnv
      ? 'API key: using KUBEFWD_API_KEY from environment'
      : `API key (generated): ${key.slice(0, 4)}… (full key in ${user.home}/.kubefwd/api.json; set KUBEFWD_API_KEY to pin your own)`,
  );
  if (a.config.idle) {
    logger.info(
      'Idle mode: Add namespaces via POST /api/v1/namespaces or services via POST /api/v1/services',
    );
    logger.info('Press [Ctrl-C] to stop.');
  }
  return replaced;
};

/** Namespaces and single services from the command line, in order. */
const addPlanned = async (engine: Engine, plan: Plan | undefined, config: DaemonConfig): Promise<void> => {
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
};

/** --tui: the terminal belongs to the TUI; log lines still reach its log panel and the API. */
const startTui = async (parts: {
  config: DaemonConfig;
  logger: DaemonLogger;
  state: StateStore;
  engine: Engine;
  traffic: TrafficRecorderHandle;
}): Promise<{ ended: Promise<void>; stop(): void }> => {
  const { config, logger } = parts;
  const { runTui, createLocalBackend } = await loadTui();
  logger.setQuiet(true);
  const backend = createLocalBackend({
    state: parts.state,
    controller: parts.engine,
    traffic: parts.traffic,
    ...(config.hostsPathExplicit ? { namesOnlyIn: config.hostsPath } : {}),
  });
  const stopTui = new AbortController();
  const ended = runTui(backend, {
    version: config.version,
    ...(config.theme ? { theme: config.theme } : {}),
    signal: stopTui.signal,
  })
    .catch((err: unknown) => logger.error(`TUI failed: ${errorMessage(err)}`))
    .finally(() => {
      backend.close();
      logger.setQuiet(false);
    });
  return { ended, stop: () => stopTui.abort() };
};

/**
 * The stop, in the order that keeps the user's machine clean: hosts block first, then the engine
 * (bounded; the block is removed again if it hangs), the API, the discovery file, the rest. A
 * watchdog ends a stop that cannot finish.
 */
const stopInOrder = async (p: {
  beforeShutdown: (() => Promise<void>) | undefined;
  removeOurBlock: () => Promise<void>;
  hostsPath: string;
  logger: DaemonLogger;
  engine: Engine;
  api: ApiListener | undefined;
  /** Undefined until the discovery file is written; then the entry it replaced, if any. */
  discovery: () => { replaced: DiscoveryFile | undefined } | undefined;
  user: InvokingUser;
  loopback: { release(ip: string): Promise<void> };
  detachSink: () => void;
  sampler: NodeJS.Timeout;
  machineWatch: MachineWatch;
  state: StateStore;
  traffic: TrafficRecorderHandle;
}): Promise<void> => {
  const api = p.api;
  p.machineWatch.stop();
  await p.beforeShutdown?.();
  // The hosts block goes first, through our own port: whatever happens next, the user's
  // hosts file is clean. The watchdog ends a shutdown that cannot finish.
  await p
    .removeOurBlock()
    .catch((err: unknown) => p.logger.error(`Cannot clean ${p.hostsPath}: ${errorMessage(err)}`));
  const watchdog = startWatchdog(
    WATCHDOG_MS,
    `kubefwd: shutdown did not finish within ${WATCHDOG_MS / 1000}s; hosts entries were removed, exiting now`,
  );
  // Bounded: whatever hangs in the engine, the hosts block goes and the process ends.
  const stopped = await within(
    p.engine.shutdown().then(
      () => true,
      (err: unknown) => {
        p.logger.error(`Shutdown of forwards failed: ${errorMessage(err)}`);
        return false;
      },
    ),
    SHUTDOWN_DEADLINE_MS,
    false,
  );
  if (!stopped) {
    p.logger.warn(
      `Forwards did not stop cleanly within ${SHUTDOWN_DEADLINE_MS / 1000}s; removing the hosts entries directly`,
    );
    await p
      .removeOurBlock()
      .catch((err: unknown) => p.logger.error(`Cannot clean ${p.hostsPath}: ${errorMessage(err)}`));
  }
  p.logger.debug('Forwards stopped; closing the API');
  await api?.close();
  p.logger.debug('API closed');
  const discovery = p.discovery();
  if (discovery) {
    // The kubefwd this one took the file from may have stopped meanwhile.
    const { replaced } = discovery;
    await removeDiscoveryFile(
      p.user.home,
      process.pid,
      fileOwner(p.user),
      replaced && processAlive(replaced.pid) ? replaced : undefined,
    );
  }
  if (api && api.host !== '127.0.0.1') await p.loopback.release(api.host).catch(() => undefined);
  p.detachSink();
  clearInterval(p.sampler);
  p.state.close();
  p.traffic.close();
  await watchdog.cancel();
};

// The order of the parts is the point (API bound before the engine, hosts block first at stop),
// and the shutdown closure must see every part: one function, each step a call.
export const compose = async (input: ComposeInput): Promise<Composed> => {
  const { config, logger, clusters, hosts, user, plan } = input;

  // File descriptors: the limit said once at start, accept failures and refused API connections
  // counted and logged, the open count sampled so running low is said before it bites.
  const resources = createResourceMonitor({ warn: (m) => logger.warn(m) });
  const limit = readFileLimit();
  if (limit)
    logger.debug(`Open-file limit ${limit.soft} (hard ${limit.hard}); each forwarded connection uses two`);
  const apiLimits = apiLimitsFor(limit?.soft);

  // The API: kubefwd.internal (127.2.27.1:80) when root, else a loopback port.
  const apiEnabled = config.api || config.tui || config.apiListen !== undefined;
  let wellKnown = config.apiListen === undefined && config.root;
  const machine = input.machine;
  const privileged = machine ? { privileged: machine.listen } : {};
  const loopback = machine?.loopback ?? createLoopback();
  let api: ApiListener | undefined;
  if (apiEnabled) {
    const host = config.apiListen?.host ?? (wellKnown ? API_IP : '127.0.0.1');
    const port = config.apiListen?.port ?? (wellKnown ? API_PORT : 0);
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') await loopback.ensure(host);
    ({ api, wellKnown } = await listenApiOrFallback(
      (h, p) =>
        listenApi(h, p, {
          onRefused: (why) => resources.apiConnectionRefused(why),
          limits: { total: apiLimits.total },
          ...privileged,
        }),
      { host, port, wellKnown },
      (m) => logger.warn(m),
    ));
  }

  const blockId = ownBlockId();
  const traffic = createTrafficRecorder();
  let engine: EngineRuntime;
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
      options: engineOptions(config, plan, blockId, api !== undefined && wellKnown),
    });
  } catch (err) {
    await api?.close();
    traffic.close();
    throw err;
  }
  const state = createStateStore({ subscribe: (l) => engine.subscribe(l), traffic });
  const detachSink = logger.addSink((level, message, fields) => state.logs.append(level, message, fields));

  const { key, source: keySource } = resolveApiKey(config.env);
  const sessions = createDashboardSessions({ now: () => Date.now() });
  const apiUrl = api
    ? mountApi(api, {
        config,
        logger,
        state,
        engine,
        traffic,
        key,
        wellKnown,
        sessions,
        resources,
        heap: input.heap,
        maxStreams: apiLimits.streams,
      })
    : undefined;
  let discovery: { replaced: DiscoveryFile | undefined } | undefined;

  const sampler = setInterval(() => resources.sample(), 2_000);
  sampler.unref();
  // A sleep, a stop or a new network may have killed connections silently: prove them now. After
  // a sleep the Wi-Fi and DHCP may need seconds more, and the PINGs' TCP retransmissions with
  // them: a connection the NAT kept gets 15 s to answer, not 5, rather than be cut for nothing.
  const machineWatch = watchMachine({
    onChange: ({ reason, slept }) => void engine.checkConnections(reason, slept ? 15_000 : undefined),
    ...input.machineWatch,
  });
  const removeOurBlock = (): Promise<void> =>
    hosts.update((content) => removeBlocks(content, (id) => id === blockId));
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= stopInOrder({
      beforeShutdown: input.beforeShutdown,
      removeOurBlock,
      hostsPath: hosts.path,
      logger,
      engine,
      api,
      discovery: () => discovery,
      user,
      loopback,
      detachSink,
      sampler,
      machineWatch,
      state,
      traffic,
    }));

  try {
    // The API is already serving: announce it first, so `kubefwd mcp` and `kubefwd tui` find this
    // daemon while a large namespace is still being set up.
    if (api && apiUrl !== undefined) {
      const replaced = await announceApi(api, {
        config,
        logger,
        user,
        key,
        fromEnv: keySource === 'env',
        apiUrl,
        wellKnown,
        sessions,
      });
      discovery = { replaced };
    }
    await addPlanned(engine, plan, config);
    // After the start-up sync, when the lists are complete: a typo in -r/-z/--exclude is silent otherwise.
    if (plan) for (const w of engine.unmatchedNames()) logger.warn(w);
  } catch (err) {
    await shutdown();
    throw err;
  }

  const tui = config.tui ? await startTui({ config, logger, state, engine, traffic }) : undefined;
  return {
    apiUrl,
    engine,
    state,
    ended: tui?.ended ?? new Promise<void>(() => undefined),
    shutdown: tui
      ? async () => {
          tui.stop();
          await tui.ended;
          await shutdown();
        }
      : shutdown,
    forceCleanup: removeOurBlock,
  };
};
