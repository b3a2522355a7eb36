// createEngine: the forwarding engine behind the Controller. Namespace watches (informers) feed
// service entries; each forward name gets a stable IP, hostnames in our hosts-file block, and
// listeners that survive pod changes and reconnects. Everything that happens is an EngineEvent.
import { ensureNamespaceExists } from './namespace-check.js';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { EngineEvent, EngineEventListener } from './events.js';
import type { Engine } from './controller.js';
import { createHostsWriter, type HostsWriter } from './hosts-writer.js';
import { createIpAllocator, type IpAllocator } from './ip-allocation.js';
import { namespaceKey, type NamespaceRecord, type ServiceRecord, type ForwardRecord } from './model.js';
import { NamespaceWatch } from './namespace-watch.js';
import type { EngineDeps } from './options.js';
import { systemClock, type ClusterGateway } from './gateways.js';
import { isServiceKey } from '../domain/keys.js';
import { NO_RESERVATIONS } from '../domain/reservations.js';
import { createSessionPool } from './session-pool.js';
import { patternMatches } from '../domain/service-patterns.js';
import type { TargetContext } from './forward-target.js';
import type { ServiceEntry } from './service-entry.js';

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
}

const DEFAULTS = {
  timeoutMs: 300_000,
  retryIntervalMs: 10_000,
  resyncIntervalMs: 300_000,
  hostsBatchMs: 50,
  connectWaitMs: 30_000,
  syncTimeoutMs: 30_000,
};

export const createEngine = (deps: EngineDeps): EngineRuntime => {
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

  const mappings = options.mappings ?? new Map<number, number>();
  const reservations = options.reservations ?? NO_RESERVATIONS;
  const allocator: IpAllocator = createIpAllocator({
    baseIP: options.ipBase ?? reservations.baseIP,
    reservations: reservations.reservations,
    ...(options.forbiddenIPs ? { forbidden: options.forbiddenIPs } : {}),
  });
  const excludes = options.excludes ?? [];
  /** Checked by the caller: the first add of each skips the engine's own check (see EngineOptions). */
  const preflighted = new Set((options.preflighted ?? []).map((t) => namespaceKey(t.namespace, t.context)));

  const hosts: HostsWriter = createHostsWriter({
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

  const pool = createSessionPool();
  const watches = new Map<string, NamespaceWatch>();
  const clusterIndexes = new Map<string, number>();
  const namespaceIndexes = new Map<string, Map<string, number>>();
  /** Services removed by hand while their namespace is watched: not re-added until addService. */
  const removedByHand = new Set<string>();
  let shuttingDown: Promise<void> | undefined;

  const clusterIndex = (context: string): number => {
    let i = clusterIndexes.get(context);
    if (i === undefined) {
      i = clusterIndexes.size;
      clusterIndexes.set(context, i);
    }
    return i;
  };
  const namespaceIndex = (context: string, namespace: string): number => {
    let m = namespaceIndexes.get(context);
    if (!m) {
      m = new Map();
      namespaceIndexes.set(context, m);
    }
    let i = m.get(namespace);
    if (i === undefined) {
      i = m.size;
      m.set(namespace, i);
    }
    return i;
  };

  const targetContext =
    (cluster: ClusterGateway) =>
    (requestReconcile: () => void): TargetContext => ({
      cluster,
      listener: deps.listener,
      traffic: deps.traffic,
      pool,
      clock,
      logger,
      emit,
      autoReconnect: options.autoReconnect ?? false,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retryIntervalMs: options.retryIntervalMs ?? DEFAULTS.retryIntervalMs,
      connectWaitMs: options.connectWaitMs ?? DEFAULTS.connectWaitMs,
      backoff: options.backoff ?? {},
      requestReconcile,
    });

  const ensureRunning = (): void => {
    if (shuttingDown) throw new KubefwdError('NOT_READY', 'kubefwd is shutting down');
  };

  const resolveContext = (context: string | undefined): { context: string; cluster: ClusterGateway } => {
    const name = context && context !== '' ? context : deps.clusters.currentContext();
    const cluster = deps.clusters.cluster(name);
    // Indexes follow the order of the calls (the command line's order), not of their awaits.
    clusterIndex(name);
    return { context: name, cluster };
  };

  const newWatch = (
    cluster: ClusterGateway,
    namespace: string,
    mode: 'all' | 'some',
    selectors: { labelSelector?: string; fieldSelector?: string },
  ): NamespaceWatch => {
    const context = cluster.context;
    const watch = new NamespaceWatch(
      {
        cluster,
        namespace,
        clusterIndex: clusterIndex(context),
        namespaceIndex: namespaceIndex(context, namespace),
        logger,
        emit,
        now: () => clock.now(),
        allowed: (name) =>
          !removedByHand.has(`${context}/${namespace}/${name}`) &&
          !excludes.some((p) => patternMatches(p, context, namespace, name)),
        entryDeps: () => ({
          allocator,
          hosts,
          loopback: deps.loopback,
          logger,
          emit,
          now: () => clock.now(),
          domain: options.domain,
          mappings,
          targetContext: targetContext(cluster),
        }),
      },
      mode,
      selectors,
    );
    watches.set(namespaceKey(namespace, context), watch);
    watch.start();
    return watch;
  };

  const namespaceRecord = (w: NamespaceWatch): NamespaceRecord => ({
    key: namespaceKey(w.deps.namespace, w.deps.cluster.context),
    namespace: w.deps.namespace,
    context: w.deps.cluster.context,
    running: true,
    startedAt: w.startedAt,
    ...(w.selectors.labelSelector ? { labelSelector: w.selectors.labelSelector } : {}),
    ...(w.selectors.fieldSelector ? { fieldSelector: w.selectors.fieldSelector } : {}),
  });

  const waitBounded = async (p: Promise<void>): Promise<void> => {
    const ms = options.syncTimeoutMs ?? DEFAULTS.syncTimeoutMs;
    let timer: { cancel(): void } | undefined;
    await Promise.race([p, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)))]);
    timer?.cancel();
  };

  const allEntries = (): { watch: NamespaceWatch; entry: ServiceEntry }[] =>
    [...watches.values()].flatMap((watch) => [...watch.entries.values()].map((entry) => ({ watch, entry })));

  /** A service key (`svc.ns.ctx`, or a headless per-pod key) → its entry. */
  const findEntry = (key: string): { watch: NamespaceWatch; entry: ServiceEntry } | undefined =>
    allEntries().find(
      ({ entry }) => entry.registryKey === key || entry.targets().some((t) => t.id.key === key),
    );

  const requireEntry = (key: string): { watch: NamespaceWatch; entry: ServiceEntry } => {
    if (!isServiceKey(key))
      throw new KubefwdError(
        'INVALID_KEY',
        `"${key}" is not a service key (expected service.namespace.context)`,
        { field: 'key' },
      );
    const found = findEntry(key);
    if (!found)
      throw new KubefwdError('SERVICE_NOT_FOUND', `service ${key} is not forwarded`, { field: 'key' });
    return found;
  };

  const preflight = async (cluster: ClusterGateway, namespace: string): Promise<void> => {
    if (preflighted.delete(namespaceKey(namespace, cluster.context))) return;
    await ensureNamespaceExists(cluster, namespace, logger);
    const missing = await cluster.checkAccess(namespace);
    if (missing.length > 0)
      throw new KubefwdError(
        'PERMISSION_DENIED',
        `missing RBAC permission in namespace ${namespace} (context ${cluster.context}): ${missing.join(', ')}`,
        { field: 'namespace' },
      );
  };

  let resyncTimer: { cancel(): void } | undefined;
  const scheduleResync = (): void => {
    const ms = options.resyncIntervalMs ?? DEFAULTS.resyncIntervalMs;
    if (ms <= 0 || shuttingDown) return;
    resyncTimer = clock.setTimeout(() => {
      for (const w of watches.values())
        w.resync()
          .then(() => Promise.all([...w.entries.values()].map((e) => e.reconcile())))
          .catch((err: unknown) =>
            logger.error(`periodic resync of ${w.label} failed: ${errorMessage(err)}`),
          );
      scheduleResync();
    }, ms);
  };
  scheduleResync();

  const engine: EngineRuntime = {
    async addNamespace(req) {
      ensureRunning();
      if (!req.namespace)
        throw new KubefwdError('INVALID_INPUT', 'namespace is required', { field: 'namespace' });
      const { context, cluster } = resolveContext(req.context);
      const key = namespaceKey(req.namespace, context);
      const existing = watches.get(key);
      if (existing?.mode === 'all')
        throw new KubefwdError(
          'ALREADY_EXISTS',
          `already watching namespace ${req.namespace} in context ${context}`,
          {
            field: 'namespace',
          },
        );
      await preflight(cluster, req.namespace);
      // The namespace's index (which decides its short hostnames) is taken once it is known to
      // exist: a refused one must not push the next namespace out of the short names.
      namespaceIndex(context, req.namespace);
      const selectors: { labelSelector?: string; fieldSelector?: string } = {};
      const label = req.labelSelector ?? options.selectors?.labelSelector;
      const field = req.fieldSelector ?? options.selectors?.fieldSelector;
      if (label) selectors.labelSelector = label;
      if (field) selectors.fieldSelector = field;
      let watch: NamespaceWatch;
      if (existing) {
        existing.mode = 'all';
        existing.selectors = selectors;
        existing.startServices();
        watch = existing;
      } else watch = newWatch(cluster, req.namespace, 'all', selectors);
      const record = namespaceRecord(watch);
      logger.info(`Watching services in namespace ${req.namespace} (context ${context})`);
      emit({ type: 'NamespaceAdded', at: clock.now(), namespace: record });
      await waitBounded(watch.ready);
      return record;
    },

    async removeNamespace(namespace, context) {
      const ctx = context && context !== '' ? context : deps.clusters.currentContext();
      const key = namespaceKey(namespace, ctx);
      const watch = watches.get(key);
      if (!watch || watch.mode !== 'all')
        throw new KubefwdError(
          'NAMESPACE_NOT_FOUND',
          `no watcher found for namespace ${namespace} in context ${ctx}`,
          {
            field: 'namespace',
          },
        );
      watches.delete(key);
      await watch.stop();
      emit({ type: 'NamespaceRemoved', at: clock.now(), key, namespace, context: ctx });
      logger.info(`Stopped watching namespace ${namespace} (context ${ctx})`);
    },

    async addService(req) {
      ensureRunning();
      if (!req.namespace || !req.serviceName)
        throw new KubefwdError('INVALID_INPUT', 'namespace and serviceName are required', {
          field: 'serviceName',
        });
      const { context, cluster } = resolveContext(req.context);
      const key = namespaceKey(req.namespace, context);
      let watch = watches.get(key);
      const registered = watch?.entries.get(req.serviceName);
      if (registered && registered.targets().length > 0)
        throw new KubefwdError('ALREADY_EXISTS', `service ${registered.registryKey} is already forwarded`, {
          field: 'serviceName',
        });
      const svc = await cluster.getService(req.namespace, req.serviceName);
      if (!watch) {
        await preflight(cluster, req.namespace);
        watch = watches.get(key) ?? newWatch(cluster, req.namespace, 'some', {});
      }
      namespaceIndex(context, req.namespace);
      removedByHand.delete(`${context}/${req.namespace}/${req.serviceName}`);
      await waitBounded(watch.ready);
      const entry = await watch.addByName(svc);
      const plan = entry.plan();
      if (plan.kind === 'skip') {
        await watch.removeByName(req.serviceName);
        throw new KubefwdError(
          plan.code,
          `service ${entry.registryKey} cannot be forwarded: ${plan.reason}`,
          {
            field: 'serviceName',
          },
        );
      }
      const main = entry.targets()[0];
      if (!main) throw new KubefwdError('IP_EXHAUSTED', `service ${entry.registryKey} got no address`);
      return main.serviceRecord();
    },

    async removeService(key) {
      const { watch, entry } = requireEntry(key);
      removedByHand.add(`${watch.deps.cluster.context}/${watch.deps.namespace}/${entry.name}`);
      await watch.removeByName(entry.name);
      if (watch.mode === 'some' && watch.names.size === 0) {
        watches.delete(namespaceKey(watch.deps.namespace, watch.deps.cluster.context));
        await watch.stop();
      }
    },

    async reconnectService(key) {
      const { entry } = requireEntry(key);
      for (const t of entry.targets()) t.reconnect('manual');
      await entry.reconcile();
    },

    async reconnectErrored(opts) {
      const keys: string[] = [];
      for (const { entry } of allEntries()) {
        const targets = entry.targets();
        const bad = targets.some((t) => t.currentStatus === 'Error' || t.currentStatus === 'Waiting');
        if (!opts?.force && !bad) continue;
        keys.push(entry.registryKey);
        for (const t of targets) t.reconnect('manual');
        void entry.reconcile();
      }
      return Promise.resolve(keys);
    },

    async syncService(key, force) {
      const { entry } = requireEntry(key);
      if (force) for (const t of entry.targets()) if (t.currentStatus !== 'Active') t.reconnect('sync');
      await entry.reconcile();
    },

    contexts() {
      return { contexts: deps.clusters.contexts(), current: deps.clusters.currentContext() };
    },

    cluster(context) {
      return resolveContext(context).cluster;
    },

    namespaces() {
      return [...watches.values()].filter((w) => w.mode === 'all').map(namespaceRecord);
    },

    services(): ServiceRecord[] {
      return allEntries().flatMap(({ entry }) => entry.targets().map((t) => t.serviceRecord()));
    },

    forwards() {
      return allEntries().flatMap(({ entry }) => entry.targets().flatMap((t) => t.forwardRecords()));
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    flushHosts: () => hosts.flush(),
    hostsWrites: () => hosts.writes,
    whenSynced: async () => {
      await Promise.all([...watches.values()].map((w) => w.ready));
    },

    shutdown() {
      shuttingDown ??= (async () => {
        emit({ type: 'ShutdownStarted', at: clock.now() });
        resyncTimer?.cancel();
        const all = [...watches.values()];
        watches.clear();
        const stopping = Promise.all(
          all.map((w) => w.stop().catch((err: unknown) => logger.error(errorMessage(err)))),
        );
        // A stuck step must not keep the hosts block in place: bounded, then named in the log.
        let bound: { cancel(): void } | undefined;
        const timedOut = await Promise.race([
          stopping.then(() => false),
          new Promise<boolean>((resolve) => (bound = clock.setTimeout(() => resolve(true), 3000))),
        ]);
        bound?.cancel();
        if (timedOut)
          logger.warn(
            `stopping forwards of ${all.map((w) => w.label).join(', ')} takes longer than 3s; removing hosts entries anyway`,
          );
        pool.closeAll();
        await hosts.close();
        emit({ type: 'ShutdownComplete', at: clock.now() });
      })();
      return shuttingDown;
    },
  };

  return engine;
};
