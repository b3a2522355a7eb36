// The one state store (ARCHITECTURE decision 7): reduces engine events into records, merges the
// traffic figures (always — not only when a TUI runs), and hands out immutable snapshots. It also
// keeps the history and the daemon log, and re-publishes engine events (for SSE) after applying
// them. Snapshots are built lazily (a burst of events costs one build) and subscribers are told
// once per burst.
import type { NamespaceView, ServiceView, Summary, ForwardView } from '../contract/state.js';
import type { EngineEvent, EngineEventListener } from '../engine/events.js';
import type { ForwardRecord, NamespaceRecord, ServiceRecord } from '../engine/model.js';
import { systemClock, type Clock } from '../engine/gateways.js';
import type { ForwardTraffic, TrafficSource } from '../engine/traffic/recorder.js';
import { createHistory, DEFAULT_HISTORY_LIMITS, type History, type HistoryLimits } from './history.js';
import { createLogBuffer, type LogBuffer } from './logs.js';
import { sortForwards } from './selectors.js';
import { forwardView, namespaceView, serviceView, summaryOf } from './views.js';
import { parseServiceKey } from '../domain/keys.js';

/** Whether a forward's view still shows these traffic figures (no figures: all zero, never active). */
const sameTraffic = (v: ForwardView, t: ForwardTraffic | undefined): boolean =>
  v.bytesIn === (t?.bytesIn ?? 0) &&
  v.bytesOut === (t?.bytesOut ?? 0) &&
  v.connections === (t?.connections ?? 0) &&
  v.activeConnections === (t?.activeConnections ?? 0) &&
  (v.failedConnections ?? 0) === (t?.failedConnections ?? 0) &&
  v.rateIn === (t?.rateIn ?? 0) &&
  v.rateOut === (t?.rateOut ?? 0) &&
  v.avgRateIn === (t?.avgRateIn ?? 0) &&
  v.avgRateOut === (t?.avgRateOut ?? 0) &&
  v.lastActive === (t?.lastActivity === undefined ? undefined : new Date(t.lastActivity).toISOString());

/**
 * The record with activeSince, which the engine does not keep: the time of the event that made it
 * Active, carried while it stays Active, dropped when it leaves (startedAt is when the port began,
 * so a forward that waits for a pod it never reached looked connected since then).
 */
const withActiveSince = (f: ForwardRecord, before: ForwardRecord | undefined, at: number): ForwardRecord => {
  if (f.status !== 'Active') {
    if (f.activeSince === undefined) return f;
    const { activeSince: _gone, ...rest } = f;
    return rest;
  }
  if (f.activeSince !== undefined) return f;
  const since =
    before?.status === 'Active' && before.activeSince !== undefined
      ? before.activeSince
      : new Date(at).toISOString();
  return { ...f, activeSince: since };
};

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export interface SkippedService {
  registryKey: string;
  reason: string;
  at: string;
}

export interface StateSnapshot {
  /** Increases with every change (events and traffic ticks). */
  readonly version: number;
  /** When it was built (epoch ms). */
  readonly at: number;
  /** Sorted by key; each carries its forwards. */
  readonly services: readonly ServiceView[];
  /** Sorted by hostname, then local port (kubefwd's default). */
  readonly forwards: readonly ForwardView[];
  readonly namespaces: readonly NamespaceView[];
  readonly summary: Summary;
  /** Cluster services kubefwd will not forward, and why. */
  readonly skipped: readonly SkippedService[];
  readonly shuttingDown: boolean;
}

export interface StateStore {
  getSnapshot(): StateSnapshot;
  /** Called (asynchronously, once per burst of changes) with the new snapshot. */
  subscribe(listener: (snapshot: StateSnapshot) => void): () => void;
  service(key: string): ServiceView | undefined;
  forward(key: string): ForwardView | undefined;
  /** The engine's record of a service (IP, hostnames, ports), when known. */
  serviceRecord(key: string): ServiceRecord | undefined;
  namespaceRecords(): NamespaceRecord[];
  /** Engine events, re-published after the store has applied them (SSE, TUI event feed). */
  onEngineEvent(listener: EngineEventListener): () => void;
  readonly history: History;
  readonly logs: LogBuffer;
  readonly traffic: TrafficSource | undefined;
  close(): void;
}

export interface StateStoreOptions {
  /** Subscribes to the engine's events (engine.subscribe); returns the unsubscribe. */
  subscribe: (listener: EngineEventListener) => () => void;
  traffic?: TrafficSource;
  clock?: Clock;
  logCapacity?: number;
  historyLimits?: HistoryLimits;
}

// One closure on purpose: the reducer and the subscribers share the snapshot; the reducer is one switch.
export const createStateStore = (options: StateStoreOptions): StateStore => {
  const clock = options.clock ?? systemClock;
  const traffic = options.traffic;
  const history = createHistory(options.historyLimits ?? DEFAULT_HISTORY_LIMITS);
  const logs = createLogBuffer(clock, options.logCapacity ?? 1000);
  const services = new Map<string, ServiceRecord>();
  const forwards = new Map<string, ForwardRecord>();
  const namespaces = new Map<string, NamespaceRecord>();
  const skipped = new Map<string, SkippedService>();
  const listeners = new Set<(s: StateSnapshot) => void>();
  const eventListeners = new Set<EngineEventListener>();
  let shuttingDown = false;
  let version = 0;
  let snapshot: StateSnapshot | undefined;
  let notifyQueued = false;
  let closed = false;

  // Views of what did not change since the last build are that build's objects: a client polling
  // during a start of 2,000 services rebuilt every view each time, most of the daemon's garbage
  // then (issue 18), and unchanged views keep their identity for whoever renders them.
  let lastForwardViews = new Map<string, { record: ForwardRecord; view: ForwardView }>();
  let lastServiceViews = new Map<string, { record: ServiceRecord | undefined; view: ServiceView }>();
  const viewOf = (f: ForwardRecord): ForwardView => {
    const t = traffic?.forward(f.key);
    const last = lastForwardViews.get(f.key);
    if (last?.record === f && sameTraffic(last.view, t)) return last.view;
    return forwardView(f, t);
  };
  const serviceViewOf = (
    key: string,
    record: ServiceRecord | undefined,
    fwds: ForwardView[],
  ): ServiceView => {
    const last = lastServiceViews.get(key);
    if (last !== undefined && last.record === record && sameItems(last.view.forwards ?? [], fwds))
      return last.view;
    return serviceView(key, record, fwds);
  };

  const build = (): StateSnapshot => {
    const forwardCache = new Map<string, { record: ForwardRecord; view: ForwardView }>();
    const fwdViews = [...forwards.values()].map((f) => {
      const view = viewOf(f);
      forwardCache.set(f.key, { record: f, view });
      return view;
    });
    lastForwardViews = forwardCache;
    const byService = new Map<string, ForwardView[]>();
    for (const f of fwdViews) {
      const list = byService.get(f.serviceKey);
      if (list) list.push(f);
      else byService.set(f.serviceKey, [f]);
    }
    const keys = new Set<string>([...services.keys(), ...byService.keys()]);
    const serviceCache = new Map<string, { record: ServiceRecord | undefined; view: ServiceView }>();
    const svcViews = [...keys].sort().map((k) => {
      const record = services.get(k);
      const view = serviceViewOf(k, record, sortForwards(byService.get(k) ?? []));
      serviceCache.set(k, { record, view });
      return view;
    });
    lastServiceViews = serviceCache;
    const sortedForwards = sortForwards(fwdViews);
    const nsViews = [...namespaces.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((ns) => namespaceView(ns, svcViews));
    return Object.freeze({
      version,
      at: clock.now(),
      services: Object.freeze(svcViews),
      forwards: Object.freeze(sortedForwards),
      namespaces: Object.freeze(nsViews),
      summary: Object.freeze(summaryOf(svcViews, sortedForwards)),
      skipped: Object.freeze([...skipped.values()]),
      shuttingDown,
    });
  };

  const getSnapshot = (): StateSnapshot => {
    if (!snapshot || snapshot.version !== version) snapshot = build();
    return snapshot;
  };

  const changed = (): void => {
    version++;
    if (notifyQueued || listeners.size === 0) return;
    notifyQueued = true;
    queueMicrotask(() => {
      notifyQueued = false;
      if (closed) return;
      const s = getSnapshot();
      for (const l of listeners) {
        try {
          l(s);
        } catch {
          // One bad subscriber must not starve the others.
        }
      }
    });
  };

  const removeWhere = <V>(map: Map<string, V>, pred: (v: V) => boolean): void => {
    for (const [k, v] of map) if (pred(v)) map.delete(k);
  };

  const apply = (ev: EngineEvent): void => {
    switch (ev.type) {
      case 'ServiceAdded':
      case 'ServiceUpdated':
        services.set(ev.service.key, ev.service);
        skipped.delete(ev.service.registryKey);
        break;
      case 'ServiceRemoved':
        services.delete(ev.serviceKey);
        removeWhere(forwards, (f) => f.serviceKey === ev.serviceKey);
        break;
      case 'ServiceSkipped':
        skipped.set(ev.registryKey, {
          registryKey: ev.registryKey,
          reason: ev.reason,
          at: new Date(ev.at).toISOString(),
        });
        break;
      case 'ForwardAdded':
      case 'ForwardUpdated':
        forwards.set(ev.forward.key, withActiveSince(ev.forward, forwards.get(ev.forward.key), ev.at));
        break;
      case 'ForwardRemoved':
        forwards.delete(ev.key);
        break;
      case 'NamespaceAdded':
        namespaces.set(ev.namespace.key, ev.namespace);
        break;
      case 'NamespaceUpdated':
        if (namespaces.has(ev.namespace.key)) namespaces.set(ev.namespace.key, ev.namespace);
        break;
      case 'NamespaceRemoved':
        namespaces.delete(ev.key);
        removeWhere(services, (s) => s.namespace === ev.namespace && s.context === ev.context);
        removeWhere(forwards, (f) => f.namespace === ev.namespace && f.context === ev.context);
        removeWhere(skipped, (s) => {
          const k = parseServiceKey(s.registryKey);
          return k?.namespace === ev.namespace && k.context === ev.context;
        });
        break;
      case 'ShutdownStarted':
        shuttingDown = true;
        break;
      default:
        break;
    }
    changed();
  };

  const onEvent = (ev: EngineEvent): void => {
    if (closed) return;
    try {
      apply(ev);
      history.record(ev);
    } catch (err) {
      logs.append('error', `state store could not apply ${ev.type}: ${String(err)}`);
    }
    for (const l of eventListeners) {
      try {
        l(ev);
      } catch {
        // Listeners (SSE writers) must not break the store.
      }
    }
  };

  const unsubscribeEngine = options.subscribe(onEvent);
  // A tick changes the snapshot only if some figure moved; idle ticks cost one sum, not a rebuild.
  let lastTraffic = '';
  const unsubscribeTraffic = traffic?.onSample(() => {
    if (forwards.size === 0) return;
    const t = traffic.totals();
    const sig = `${t.bytesIn}/${t.bytesOut}/${t.rateIn}/${t.rateOut}/${t.connections}/${t.activeConnections}/${t.failedConnections}`;
    if (sig === lastTraffic) return;
    lastTraffic = sig;
    // Failing connections show only in the traffic figures: the history notes when a run starts and
    // ends. A look at every forward, so only while some forward has failed connections at all.
    if (t.failedConnections > 0) {
      const at = clock.now();
      for (const f of forwards.values()) history.observeConnections(f, traffic.forward(f.key), at);
    }
    changed();
  });

  return {
    getSnapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    service: (key) => getSnapshot().services.find((s) => s.key === key),
    forward: (key) => getSnapshot().forwards.find((f) => f.key === key),
    serviceRecord: (key) => services.get(key),
    namespaceRecords: () => [...namespaces.values()],
    onEngineEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    history,
    logs,
    traffic,
    close() {
      if (closed) return;
      closed = true;
      unsubscribeEngine();
      unsubscribeTraffic?.();
      listeners.clear();
      eventListeners.clear();
    },
  };
};
