// createEngine: the forwarding engine behind the Controller. Namespace watches (informers) feed
// service entries; each forward name gets a stable IP, hostnames in our hosts-file block, and
// listeners that survive pod changes and reconnects. Everything that happens is an EngineEvent.
import { ensureNamespaceExists, getServiceOrWhyNot } from './namespace-check.js';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { EngineEvent, EngineEventListener } from './events.js';
import type { Engine } from './controller.js';
import { createHostsWriter, type HostsWriter } from './hosts-writer.js';
import { createIpAllocator, type IpAllocator } from './ip-allocation.js';
import { createEngineIndexes, type EngineIndexes } from './engine-indexes.js';
import { namespaceKey, type NamespaceRecord, type ServiceRecord, type ForwardRecord } from './model.js';
import { NamespaceWatch } from './namespace-watch.js';
import type { EngineDeps, EngineOptions } from './options.js';
import { systemClock, type Clock, type ClusterGateway, type Logger } from './gateways.js';
import { isServiceKey } from '../domain/keys.js';
import type { PortMappings } from '../domain/port-mappings.js';
import { NO_RESERVATIONS } from '../domain/reservations.js';
import { validateFieldSelector, validateLabelSelector } from '../domain/selectors.js';
import { createSessionPool, type SessionPool } from './session-pool.js';
import { patternMatches, type ServicePattern } from '../domain/service-patterns.js';
import type { TargetContext } from './forward-target.js';
import type { ServiceEntry } from './service-entry.js';
import {
  unmatchedExcludes,
  unmatchedMappings,
  unmatchedReservations,
  type ListedNamespace,
} from './unmatched-names.js';

/** The engine plus what the daemon, tests and bench may want beyond the Controller. */
export interface EngineRuntime extends Engine {
  /** Writes pending hosts-file changes now. */
  flushHosts(): Promise<void>;
  /** Every forward as the engine sees it now. */
  forwards(): ForwardRecord[];
  /** Hosts-file writes so far (bench: writes per start). */
  hostsWrites(): number;
  /** Resolves when every namespace added so far has finished its initial sync and registration. */
  whenSynced(): Promise<void>;
  /** Warnings for reservations and --exclude patterns that name nothing in the watched namespaces. */
  unmatchedNames(): string[];
  /**
   * The connections may be dead without knowing it (`reason`: the machine slept, the network
   * changed): every port-forward connection is proved with a PING (a dead one ends and its
   * forwards re-dial) and every watch starts again. Requests while one runs make one more after
   * it (the network may have changed again since its PINGs went out). `timeoutMs`: how long each
   * has to answer (default 5 s). Never rejects.
   */
  checkConnections(reason: string, timeoutMs?: number): Promise<ConnectionCheck>;
}

export interface ConnectionCheck {
  /** Port-forward connections proved, and how many of them were dead. */
  checked: number;
  dead: number;
  /** Watches started again. */
  watches: number;
}

/** How long a connection has to answer a check's PING by default (a VPN adds a few hundred ms). */
const CHECK_TIMEOUT_MS = 5_000;

const DEFAULTS = {
  timeoutMs: 300_000,
  retryIntervalMs: 10_000,
  resyncIntervalMs: 300_000,
  hostsBatchMs: 50,
  connectWaitMs: 30_000,
  syncTimeoutMs: 30_000,
};

/** What every engine operation shares, built once by createCore. */
interface EngineCore {
  readonly deps: EngineDeps;
  readonly options: EngineOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: EngineEvent) => void;
  readonly listeners: Set<EngineEventListener>;
  readonly allocator: IpAllocator;
  readonly mappings: PortMappings;
  readonly excludes: readonly ServicePattern[];
  /** Checked by the caller: the first add of each skips the engine's own check (see EngineOptions). */
  readonly preflighted: Set<string>;
  readonly hosts: HostsWriter;
  readonly pool: SessionPool;
  readonly watches: Map<string, NamespaceWatch>;
  readonly indexes: EngineIndexes;
  /** Services removed by hand while their namespace is watched: not re-added until addService. */
  readonly removedByHand: Set<string>;
  shuttingDown: Promise<void> | undefined;
  resyncTimer: { cancel(): void } | undefined;
  /** The connection check under way (checkConnections), and the one that follows it. */
  checking: Promise<ConnectionCheck> | undefined;
  checkQueued: Promise<ConnectionCheck> | undefined;
}

const createCore = (deps: EngineDeps): EngineCore => {
  const options = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const listeners = new Set<EngineEventListener>();
  const emit = (event: EngineEvent): void => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.error(`engine event listener failed on ${event.type}: ${errorMessage(err)}`);
      }
    }
  };
  const reservations = options.reservations ?? NO_RESERVATIONS;
  const hosts = createHostsWriter({
    hosts: deps.hosts,
    clock,
    logger,
    emit,
    blockId: options.hostsBlockId ?? 'kubefwd',
    batchMs: options.hostsBatchMs ?? DEFAULTS.hostsBatchMs,
    purgeStale: options.purgeStaleIps ?? false,
    isStaleBlock: options.isStaleBlock,
    maxHostsPerLine: options.maxHostsPerLine ?? (process.platform === 'win32' ? 9 : undefined),
    fixed: options.apiHostEntry
      ? { ip: options.apiHostEntry.ip, hostnames: [options.apiHostEntry.hostname] }
      : undefined,
  });
  if (options.domain) logger.info(`Adding custom domain ${options.domain} to all forwarded entries`);
  return {
    deps,
    options,
    clock,
    logger,
    emit,
    listeners,
    allocator: createIpAllocator({
      baseIP: options.ipBase ?? reservations.baseIP,
      reservations: reservations.reservations,
      ...(options.forbiddenIPs ? { forbidden: options.forbiddenIPs } : {}),
    }),
    mappings: options.mappings ?? new Map<number, number>(),
    excludes: options.excludes ?? [],
    preflighted: new Set((options.preflighted ?? []).map((t) => namespaceKey(t.namespace, t.context))),
    hosts,
    pool: createSessionPool(),
    watches: new Map(),
    indexes: createEngineIndexes(),
    removedByHand: new Set(),
    shuttingDown: undefined,
    resyncTimer: undefined,
    checking: undefined,
    checkQueued: undefined,
  };
};

const targetContext =
  (core: EngineCore, cluster: ClusterGateway) =>
  (requestReconcile: () => void): TargetContext => {
    const { deps, options } = core;
    return {
      cluster,
      listener: deps.listener,
      traffic: deps.traffic,
      pool: core.pool,
      clock: core.clock,
      logger: core.logger,
      emit: core.emit,
      autoReconnect: options.autoReconnect ?? false,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retryIntervalMs: options.retryIntervalMs ?? DEFAULTS.retryIntervalMs,
      connectWaitMs: options.connectWaitMs ?? DEFAULTS.connectWaitMs,
      backoff: options.backoff ?? {},
      requestReconcile,
    };
  };

const ensureRunning = (core: EngineCore): void => {
  if (core.shuttingDown) throw new KubefwdError('NOT_READY', 'kubefwd is shutting down');
};

const resolveContext = (
  core: EngineCore,
  context: string | undefined,
): { context: string; cluster: ClusterGateway } => {
  const name = context && context !== '' ? context : core.deps.clusters.currentContext();
  const cluster = core.deps.clusters.cluster(name);
  // Indexes follow the order of the calls (the command line's order), not of their awaits.
  core.indexes.cluster(name);
  return { context: name, cluster };
};

const startWatch = (
  core: EngineCore,
  cluster: ClusterGateway,
  namespace: string,
  mode: 'all' | 'some',
  selectors: { labelSelector?: string; fieldSelector?: string },
): NamespaceWatch => {
  const { clock, logger, emit } = core;
  const context = cluster.context;
  const watch = new NamespaceWatch(
    {
      cluster,
      namespace,
      clusterIndex: core.indexes.cluster(context),
      namespaceIndex: core.indexes.namespace(context, namespace),
      logger,
      emit,
      now: () => clock.now(),
      allowed: (name) =>
        !core.removedByHand.has(`${context}/${namespace}/${name}`) &&
        !core.excludes.some((p) => patternMatches(p, context, namespace, name)),
      watchHealthChanged: () =>
        emit({ type: 'NamespaceUpdated', at: clock.now(), namespace: namespaceRecord(watch) }),
      entryDeps: () => ({
        allocator: core.allocator,
        hosts: core.hosts,
        loopback: core.deps.loopback,
        logger,
        emit,
        now: () => clock.now(),
        domain: core.options.domain,
        mappings: core.mappings,
        targetContext: targetContext(core, cluster),
      }),
    },
    mode,
    selectors,
  );
  core.watches.set(namespaceKey(namespace, context), watch);
  watch.start();
  return watch;
};

const namespaceRecord = (w: NamespaceWatch): NamespaceRecord => {
  const failing = w.watchError();
  return {
    key: namespaceKey(w.deps.namespace, w.deps.cluster.context),
    namespace: w.deps.namespace,
    context: w.deps.cluster.context,
    running: true,
    startedAt: w.startedAt,
    ...(w.selectors.labelSelector ? { labelSelector: w.selectors.labelSelector } : {}),
    ...(w.selectors.fieldSelector ? { fieldSelector: w.selectors.fieldSelector } : {}),
    ...(failing
      ? { watchError: failing.message, watchErrorSince: new Date(failing.since).toISOString() }
      : {}),
  };
};

const waitBounded = async (core: EngineCore, p: Promise<void>): Promise<void> => {
  const ms = core.options.syncTimeoutMs ?? DEFAULTS.syncTimeoutMs;
  let timer: { cancel(): void } | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = core.clock.setTimeout(resolve, ms)))]);
  timer?.cancel();
};

type Found = { watch: NamespaceWatch; entry: ServiceEntry };

const allEntries = (core: EngineCore): Found[] =>
  [...core.watches.values()].flatMap((watch) =>
    [...watch.entries.values()].map((entry) => ({ watch, entry })),
  );

/** A service key (`svc.ns.ctx`, or a headless per-pod key) → its entry. */
const requireEntry = (core: EngineCore, key: string): Found => {
  if (!isServiceKey(key))
    throw new KubefwdError(
      'INVALID_KEY',
      `"${key}" is not a service key (expected service.namespace.context)`,
      {
        field: 'key',
      },
    );
  const found = allEntries(core).find(
    ({ entry }) => entry.registryKey === key || entry.targets().some((t) => t.id.key === key),
  );
  if (!found)
    throw new KubefwdError('SERVICE_NOT_FOUND', `service ${key} is not forwarded`, { field: 'key' });
  return found;
};

/** The namespace exists and the user may forward from it — unless the caller checked it already. */
const preflight = async (core: EngineCore, cluster: ClusterGateway, namespace: string): Promise<void> => {
  if (core.preflighted.delete(namespaceKey(namespace, cluster.context))) return;
  await ensureNamespaceExists(cluster, namespace, core.logger);
  const missing = await cluster.checkAccess(namespace);
  if (missing.length > 0)
    throw new KubefwdError(
      'PERMISSION_DENIED',
      `missing RBAC permission in namespace ${namespace} (context ${cluster.context}): ${missing.join(', ')}`,
      { field: 'namespace' },
    );
};

/** The periodic full reconcile of every service (a safety net beside the watches). */
const scheduleResync = (core: EngineCore): void => {
  const ms = core.options.resyncIntervalMs ?? DEFAULTS.resyncIntervalMs;
  if (ms <= 0 || core.shuttingDown) return;
  core.resyncTimer = core.clock.setTimeout(() => {
    for (const w of core.watches.values())
      w.resync()
        .then(() => Promise.all([...w.entries.values()].map((e) => e.reconcile())))
        .catch((err: unknown) =>
          core.logger.error(`periodic resync of ${w.label} failed: ${errorMessage(err)}`),
        );
    scheduleResync(core);
  }, ms);
};

const describeSelectors = (s: { labelSelector?: string; fieldSelector?: string }): string =>
  s.labelSelector || s.fieldSelector
    ? `with ${[
        s.labelSelector && `selector ${s.labelSelector}`,
        s.fieldSelector && `field selector ${s.fieldSelector}`,
      ]
        .filter(Boolean)
        .join(' and ')}`
    : 'without a selector';

const namespaceControl = (core: EngineCore): Pick<Engine, 'addNamespace' | 'removeNamespace'> => ({
  async addNamespace(req) {
    ensureRunning(core);
    if (!req.namespace)
      throw new KubefwdError('INVALID_INPUT', 'namespace is required', { field: 'namespace' });
    // A selector that does not parse would have the watch retry for ever behind a success answer.
    if (req.labelSelector) validateLabelSelector(req.labelSelector, 'labelSelector');
    if (req.fieldSelector) validateFieldSelector(req.fieldSelector, 'fieldSelector');
    const { context, cluster } = resolveContext(core, req.context);
    const key = namespaceKey(req.namespace, context);
    const existing = core.watches.get(key);
    // Asking for the whole namespace undoes earlier removals by hand in it (they hold only while
    // the namespace stays watched, as it was): on a watched namespace that is all it does.
    const selectors: { labelSelector?: string; fieldSelector?: string } = {};
    const label = req.labelSelector ?? core.options.selectors?.labelSelector;
    const field = req.fieldSelector ?? core.options.selectors?.fieldSelector;
    if (label) selectors.labelSelector = label;
    if (field) selectors.fieldSelector = field;
    // Forwarded already with other selectors: saying yes would leave them as they are.
    if (
      existing?.mode === 'all' &&
      (existing.selectors.labelSelector !== selectors.labelSelector ||
        existing.selectors.fieldSelector !== selectors.fieldSelector)
    )
      throw new KubefwdError(
        'ALREADY_EXISTS',
        `namespace ${req.namespace} in context ${context} is forwarded already, ${describeSelectors(existing.selectors)}`,
        {
          field: 'namespace',
          hint: `Remove the namespace first to forward it ${describeSelectors(selectors)}.`,
        },
      );
    const prefix = `${context}/${req.namespace}/`;
    const undone = [...core.removedByHand].filter((r) => r.startsWith(prefix));
    for (const removed of undone) core.removedByHand.delete(removed);
    if (existing?.mode === 'all') {
      if (undone.length === 0)
        throw new KubefwdError(
          'ALREADY_EXISTS',
          `already watching namespace ${req.namespace} in context ${context}`,
          { field: 'namespace' },
        );
      core.logger.info(
        `Forwarding again in namespace ${req.namespace}: ${undone.map((r) => r.slice(prefix.length)).join(', ')}`,
      );
      await existing.resync();
      return namespaceRecord(existing);
    }
    await preflight(core, cluster, req.namespace);
    // The namespace's index (which decides its short hostnames) is taken once it is known to
    // exist: a refused one must not push the next namespace out of the short names.
    core.indexes.namespace(context, req.namespace);
    let watch: NamespaceWatch;
    if (existing) {
      existing.mode = 'all';
      existing.selectors = selectors;
      existing.startServices();
      watch = existing;
    } else watch = startWatch(core, cluster, req.namespace, 'all', selectors);
    const record = namespaceRecord(watch);
    core.logger.info(`Watching services in namespace ${req.namespace} (context ${context})`);
    core.emit({ type: 'NamespaceAdded', at: core.clock.now(), namespace: record });
    await waitBounded(core, watch.ready);
    return record;
  },

  async removeNamespace(namespace, context) {
    const ctx = context && context !== '' ? context : core.deps.clusters.currentContext();
    const key = namespaceKey(namespace, ctx);
    const watch = core.watches.get(key);
    if (!watch)
      throw new KubefwdError(
        'NAMESPACE_NOT_FOUND',
        `nothing of namespace ${namespace} is forwarded in context ${ctx}`,
        {
          field: 'namespace',
        },
      );
    // Services added one by one go too: "stop forwarding shop" means all of shop.
    core.watches.delete(key);
    await watch.stop();
    if (watch.mode === 'all') {
      core.emit({ type: 'NamespaceRemoved', at: core.clock.now(), key, namespace, context: ctx });
      core.logger.info(`Stopped watching namespace ${namespace} (context ${ctx})`);
    } else core.logger.info(`Stopped forwarding the services of namespace ${namespace} (context ${ctx})`);
  },
});

const serviceControl = (
  core: EngineCore,
): Pick<
  Engine,
  'addService' | 'removeService' | 'reconnectService' | 'reconnectErrored' | 'syncService'
> => ({
  async addService(req) {
    ensureRunning(core);
    if (!req.namespace || !req.serviceName)
      throw new KubefwdError('INVALID_INPUT', 'namespace and serviceName are required', {
        field: 'serviceName',
      });
    const { context, cluster } = resolveContext(core, req.context);
    const key = namespaceKey(req.namespace, context);
    let watch = core.watches.get(key);
    const registered = watch?.entries.get(req.serviceName);
    if (registered && registered.targets().length > 0)
      throw new KubefwdError('ALREADY_EXISTS', `service ${registered.registryKey} is already forwarded`, {
        field: 'serviceName',
      });
    const svc = await getServiceOrWhyNot(cluster, req.namespace, req.serviceName, core.logger);
    if (!watch) {
      await preflight(core, cluster, req.namespace);
      watch = core.watches.get(key) ?? startWatch(core, cluster, req.namespace, 'some', {});
    }
    core.indexes.namespace(context, req.namespace);
    core.removedByHand.delete(`${context}/${req.namespace}/${req.serviceName}`);
    await waitBounded(core, watch.ready);
    const entry = await watch.addByName(svc);
    const plan = entry.plan();
    if (plan.kind === 'skip') {
      await watch.removeByName(req.serviceName);
      throw new KubefwdError(plan.code, `service ${entry.registryKey} cannot be forwarded: ${plan.reason}`, {
        field: 'serviceName',
      });
    }
    const main = entry.targets()[0];
    if (!main) throw new KubefwdError('IP_EXHAUSTED', `service ${entry.registryKey} got no address`);
    return main.serviceRecord();
  },

  async removeService(key) {
    const { watch, entry } = requireEntry(core, key);
    // A headless service's pod entry (`kafka-0.kafka…`) follows the service's pods: removing it
    // alone would last only until the next pod event or resync brings it back, so it is refused
    // with the key that does remove it (kubefwd removed the whole service and still said "removed").
    if (key !== entry.registryKey)
      throw new KubefwdError(
        'INVALID_KEY',
        `${key} is one pod's entry of headless service ${entry.name}; its entries follow the pods and cannot be removed one by one`,
        {
          field: 'key',
          hint: `Remove the whole service (all its pods) with its key ${entry.registryKey}.`,
        },
      );
    core.removedByHand.add(`${watch.deps.cluster.context}/${watch.deps.namespace}/${entry.name}`);
    await watch.removeByName(entry.name);
    if (watch.mode === 'some' && watch.names.size === 0) {
      core.watches.delete(namespaceKey(watch.deps.namespace, watch.deps.cluster.context));
      await watch.stop();
    }
  },

  async reconnectService(key) {
    const { entry } = requireEntry(core, key);
    // A headless service's pod (`kafka-0.kafka…`, a row of its own) is reconnected alone; the
    // service's key reconnects all of it.
    const targets = entry.targets();
    const own = targets.filter((t) => t.id.key === key && key !== entry.registryKey);
    for (const t of own.length > 0 ? own : targets) t.reconnect('manual');
    await entry.reconcile();
  },

  async reconnectErrored(opts) {
    // The keys are those of the rows reconnected (GET /services' keys: a headless service's pods
    // each), not of the Kubernetes services: a skipped service (ExternalName, UDP only) has no
    // forward to reconnect and is not listed.
    const keys: string[] = [];
    for (const { entry } of allEntries(core)) {
      const chosen = entry
        .targets()
        .filter((t) => opts?.force || t.currentStatus === 'Error' || t.currentStatus === 'Waiting');
      if (chosen.length === 0) continue;
      for (const t of chosen) {
        keys.push(t.id.key);
        t.reconnect('manual');
      }
      void entry.reconcile();
    }
    return Promise.resolve(keys);
  },

  async syncService(key, force) {
    const { entry } = requireEntry(core, key);
    if (force) for (const t of entry.targets()) if (t.currentStatus !== 'Active') t.reconnect('sync');
    await entry.reconcile();
  },
});

const NOTHING_CHECKED: ConnectionCheck = { checked: 0, dead: 0, watches: 0 };

const checkConnections = (core: EngineCore, reason: string, timeoutMs: number): Promise<ConnectionCheck> => {
  if (core.checkQueued) return core.checkQueued;
  if (core.checking) {
    const next = (): Promise<ConnectionCheck> => {
      core.checkQueued = undefined;
      return checkConnections(core, reason, timeoutMs);
    };
    const queued = core.checking.then(next, next);
    core.checkQueued = queued;
    return queued;
  }
  const run = async (): Promise<ConnectionCheck> => {
    // Stopping: the connections are being closed anyway.
    if (core.shuttingDown) return NOTHING_CHECKED;
    let watches = 0;
    for (const w of core.watches.values()) watches += w.restartWatches();
    const sessions = core.pool.size();
    if (sessions === 0 && watches === 0) return NOTHING_CHECKED;
    core.logger.info(
      `${reason}: proving ${sessions} port-forward connection${sessions === 1 ? '' : 's'} (one per pod) and watching the cluster again`,
    );
    const { checked, dead } = await core.pool.checkAll(timeoutMs);
    if (dead > 0)
      core.logger.warn(
        `${dead} of ${checked} port-forward connection${checked === 1 ? '' : 's'} ${dead === 1 ? 'was' : 'were'} dead after ${reason}; ${dead === 1 ? 'its' : 'their'} forwards reconnect`,
      );
    else if (checked > 0) core.logger.info(`every port-forward connection answered (${checked})`);
    return { checked, dead, watches };
  };
  // A check that failed is said, never thrown: the next one must still run.
  const running = run()
    .catch((err: unknown) => {
      core.logger.error(`checking the connections after ${reason} failed: ${errorMessage(err)}`);
      return NOTHING_CHECKED;
    })
    .finally(() => {
      if (core.checking === running) core.checking = undefined;
    });
  core.checking = running;
  return running;
};

/** Stops every watch (bounded), closes the sessions, removes our hosts block. Idempotent. */
const shutdownOf =
  (core: EngineCore): (() => Promise<void>) =>
  () => {
    core.shuttingDown ??= (async () => {
      core.emit({ type: 'ShutdownStarted', at: core.clock.now() });
      core.resyncTimer?.cancel();
      const all = [...core.watches.values()];
      core.watches.clear();
      const stopping = Promise.all(
        all.map((w) => w.stop().catch((err: unknown) => core.logger.error(errorMessage(err)))),
      );
      // A stuck step must not keep the hosts block in place: bounded, then named in the log.
      let bound: { cancel(): void } | undefined;
      const timedOut = await Promise.race([
        stopping.then(() => false),
        new Promise<boolean>((resolve) => (bound = core.clock.setTimeout(() => resolve(true), 3000))),
      ]);
      bound?.cancel();
      if (timedOut)
        core.logger.warn(
          `stopping forwards of ${all.map((w) => w.label).join(', ')} takes longer than 3s; removing hosts entries anyway`,
        );
      core.pool.closeAll();
      await core.hosts.close();
      core.emit({ type: 'ShutdownComplete', at: core.clock.now() });
    })();
    return core.shuttingDown;
  };

export const createEngine = (deps: EngineDeps): EngineRuntime => {
  const core = createCore(deps);
  scheduleResync(core);
  return {
    ...namespaceControl(core),
    ...serviceControl(core),
    contexts: () => ({ contexts: deps.clusters.contexts(), current: deps.clusters.currentContext() }),
    cluster: (context) => resolveContext(core, context).cluster,
    namespaces: () => [...core.watches.values()].filter((w) => w.mode === 'all').map(namespaceRecord),
    services: (): ServiceRecord[] =>
      allEntries(core).flatMap(({ entry }) => entry.targets().map((t) => t.serviceRecord())),
    forwards: () =>
      allEntries(core).flatMap(({ entry }) => entry.targets().flatMap((t) => t.forwardRecords())),
    subscribe(listener) {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
    flushHosts: () => core.hosts.flush(),
    hostsWrites: () => core.hosts.writes,
    whenSynced: async () => {
      await Promise.all([...core.watches.values()].map((w) => w.ready));
    },
    shutdown: shutdownOf(core),
    checkConnections: (reason, timeoutMs = CHECK_TIMEOUT_MS) =>
      core.shuttingDown ? Promise.resolve(NOTHING_CHECKED) : checkConnections(core, reason, timeoutMs),
    unmatchedNames: () => {
      const listed: ListedNamespace[] = [];
      for (const w of core.watches.values()) {
        const l = w.mode === 'all' ? w.listed() : undefined;
        const { context, namespace, clusterIndex, namespaceIndex } = w.scope;
        if (l) listed.push({ context, namespace, clusterIndex, namespaceIndex, ...l });
      }
      return [
        ...unmatchedReservations(core.options.reservations?.reservations ?? [], listed),
        ...unmatchedExcludes(core.excludes, listed),
        ...unmatchedMappings(core.mappings, listed),
      ];
    },
  };
};
