// History, recorded from engine events (kubefwd had the store but never wrote to it): events
// (1000), errors (500, resolved when the forward recovers or goes away) and reconnection attempts
// (200), each newest-first on read, with bounded retention. An error is a forward in Error, one
// Waiting with an error, one that lost the pod it served (Waiting for another), and the start of
// a run of failing connections through an Active forward (from the traffic figures).
import {
  type ErrorRecord,
  type HistoryEvent,
  type HistoryEventType,
  type HistoryStats,
  type ReconnectRecord,
} from '../contract/api.js';
import type { EngineEvent } from '../engine/events.js';
import type { ForwardRecord } from '../engine/model.js';
import type { ForwardTraffic } from '../engine/traffic/recorder.js';
import { classifyError } from '../domain/diagnosis.js';
import { parseServiceKey } from '../domain/keys.js';

export interface HistoryLimits {
  maxEvents: number;
  maxErrors: number;
  maxReconnects: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxEvents: 1000, maxErrors: 500, maxReconnects: 200 };

export interface History {
  record(event: EngineEvent): void;
  /**
   * A forward's connection figures (the store calls this after traffic samples): the first failed
   * connection of a run through an Active forward is an error, resolved when a connection gets the
   * pod's answer again — one record per run, not one per connection.
   */
  observeConnections(
    forward: Pick<ForwardRecord, 'key' | 'serviceKey' | 'podName' | 'localPort' | 'status'>,
    traffic: Pick<ForwardTraffic, 'lastFailure' | 'lastAnswerAt'> | undefined,
    at: number,
  ): void;
  /** Newest first. */
  events(query?: { count?: number; type?: HistoryEventType; serviceKey?: string }): HistoryEvent[];
  errors(query?: { count?: number; serviceKey?: string; unresolvedOnly?: boolean }): ErrorRecord[];
  reconnections(query?: { count?: number; serviceKey?: string }): ReconnectRecord[];
  stats(): HistoryStats;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Appends, dropping the oldest beyond `max` (in batches: amortised O(1)). */
const pushBounded = <T>(list: T[], item: T, max: number): T[] => {
  list.push(item);
  return list.length > max + Math.max(16, max >> 3) ? list.slice(list.length - max) : list;
};

const newestFirst = <T>(
  list: T[],
  max: number,
  filter: (t: T) => boolean,
  count: number | undefined,
): T[] => {
  const out: T[] = [];
  const limit = count ?? max;
  const start = Math.max(0, list.length - max);
  for (let i = list.length - 1; i >= start && out.length < limit; i--) {
    const item = list[i]!;
    if (filter(item)) out.push(item);
  }
  return out;
};

// One closure on purpose: the recorder and its queries share the ring buffers.
export const createHistory = (limits: HistoryLimits = DEFAULT_HISTORY_LIMITS): History => {
  let events: HistoryEvent[] = [];
  let errors: ErrorRecord[] = [];
  let reconnects: ReconnectRecord[] = [];
  let nextId = 1;
  let totalEvents = 0;
  let totalErrors = 0;
  let totalReconnects = 0;
  /** Namespaces whose list/watch fails now: the history notes when it starts and stops, not each retry. */
  const failingNamespaces = new Set<string>();
  /**
   * Per service port (its forwards come and go with the pod: the key names it): the pod it served
   * and since when, while it does. A forward that goes Waiting after serving lost its pod — an
   * outage, recorded once, and resolved when the port is Active again (not when its pod-less
   * record goes, which is only the moment a new pod was picked). Dropped with the service.
   */
  const slots = new Map<string, { serviceKey: string; served?: { pod: string; since: number } }>();
  /** Errors that end when their service port is Active again (their slot), not with their record. */
  const slotOf = new WeakMap<ErrorRecord, string>();
  /** Forwards in a run of failing connections: the run's open record. */
  const failingRuns = new Map<string, ErrorRecord>();
  const slotKey = (f: Pick<ForwardRecord, 'serviceKey' | 'localPort'>): string =>
    `${f.serviceKey}:${f.localPort}`;

  const addEvent = (
    at: number,
    type: HistoryEventType,
    message: string,
    extra: Partial<HistoryEvent> = {},
  ): void => {
    totalEvents++;
    events = pushBounded(
      events,
      { id: nextId++, type, timestamp: iso(at), message, ...extra },
      limits.maxEvents,
    );
  };

  const resolveErrors = (at: number, match: (e: ErrorRecord) => boolean): void => {
    for (const e of errors) {
      if (!e.resolved && match(e)) {
        e.resolved = true;
        e.resolvedAt = iso(at);
      }
    }
  };

  /** Records an error (or finds the open one it repeats) and returns it. */
  const addError = (
    at: number,
    rec: Omit<ErrorRecord, 'id' | 'timestamp' | 'resolved' | 'errorType'>,
  ): ErrorRecord => {
    // One open record per forward and message: a forward retrying with the same error is one problem.
    const open = errors.find(
      (e) =>
        !e.resolved &&
        e.forwardKey === rec.forwardKey &&
        e.serviceKey === rec.serviceKey &&
        e.message === rec.message,
    );
    if (open) return open;
    totalErrors++;
    const added: ErrorRecord = {
      id: nextId++,
      timestamp: iso(at),
      resolved: false,
      errorType: classifyError(rec.message, rec.errorCode).errorType,
      ...rec,
    };
    errors = pushBounded(errors, added, limits.maxErrors);
    return added;
  };

  /** The forward serves: its port's earlier outage is over. */
  const servedBy = (at: number, f: ForwardRecord): void => {
    const slot = slotKey(f);
    slots.set(slot, { serviceKey: f.serviceKey, served: { pod: f.podName, since: at } });
    resolveErrors(at, (e) => e.forwardKey === f.key || slotOf.get(e) === slot);
  };

  /**
   * A forward Waiting: its error when it has one; and when its port served a pod until now, the
   * loss of that pod (scaled to zero, deleted, not ready), said once per outage with the reason.
   */
  const waiting = (at: number, f: ForwardRecord): void => {
    const slot = slots.get(slotKey(f));
    const lost = slot?.served?.pod;
    if (slot) delete slot.served;
    const base = { serviceKey: f.serviceKey, forwardKey: f.key, podName: f.podName || lost || '' };
    const code = f.errorCode ? { errorCode: f.errorCode } : {};
    if (f.error) addError(at, { ...base, message: f.error, ...code });
    else if (lost !== undefined && f.reason) {
      const rec = addError(at, { ...base, message: `lost pod ${lost || '?'}: ${f.reason}`, ...code });
      slotOf.set(rec, slotKey(f));
    }
  };

  /** Forgets the ports and connection runs of services gone (both maps stay bounded by what runs). */
  const dropSlots = (match: (serviceKey: string) => boolean): void => {
    for (const [k, v] of slots) if (match(v.serviceKey)) slots.delete(k);
    for (const [k, v] of failingRuns) if (match(v.serviceKey)) failingRuns.delete(k);
  };

  // One switch over every engine event type; each case is a few lines.
  const record = (ev: EngineEvent): void => {
    switch (ev.type) {
      case 'ServiceAdded':
        addEvent(ev.at, 'ServiceAdded', `service ${ev.service.key} added (${ev.service.localIP})`, {
          serviceKey: ev.service.key,
          data: { localIP: ev.service.localIP, hostnames: ev.service.hostnames },
        });
        break;
      case 'ServiceRemoved':
        addEvent(ev.at, 'ServiceRemoved', `service ${ev.serviceKey} removed`, { serviceKey: ev.serviceKey });
        resolveErrors(ev.at, (e) => e.serviceKey === ev.serviceKey);
        dropSlots((k) => k === ev.serviceKey);
        break;
      case 'ServiceSkipped':
        addEvent(ev.at, 'ServiceSkipped', `service ${ev.registryKey} skipped: ${ev.reason}`, {
          serviceKey: ev.registryKey,
          data: { reason: ev.reason },
        });
        break;
      case 'ForwardAdded': {
        const f = ev.forward;
        addEvent(
          ev.at,
          'ForwardStarted',
          `forward ${f.localIP}:${f.localPort} → ${f.podName || '(no pod)'}:${f.podPort} (${f.status})`,
          {
            serviceKey: f.serviceKey,
            forwardKey: f.key,
            podName: f.podName,
            data: { status: f.status },
          },
        );
        if (f.status === 'Error' && f.error)
          addError(ev.at, {
            serviceKey: f.serviceKey,
            forwardKey: f.key,
            podName: f.podName,
            message: f.error,
            ...(f.errorCode ? { errorCode: f.errorCode } : {}),
          });
        // A pod-less forward comes in the place of one that served (its pod went).
        else if (f.status === 'Waiting') waiting(ev.at, f);
        else if (f.status === 'Active') servedBy(ev.at, f);
        break;
      }
      case 'ForwardUpdated': {
        const f = ev.forward;
        const base = { serviceKey: f.serviceKey, forwardKey: f.key, podName: f.podName };
        if (f.status === ev.previousStatus) break; // pod/hostname changes are not history
        if (f.status === 'Error') {
          addEvent(
            ev.at,
            'ForwardError',
            `forward ${f.key} failed: ${f.error ?? f.reason ?? 'unknown error'}`,
            {
              ...base,
              data: { error: f.error, errorCode: f.errorCode, nextRetryAt: f.nextRetryAt },
            },
          );
          addError(ev.at, {
            ...base,
            message: f.error ?? f.reason ?? 'unknown error',
            ...(f.errorCode ? { errorCode: f.errorCode } : {}),
          });
        } else if (f.status === 'Waiting') {
          addEvent(
            ev.at,
            'ForwardWaiting',
            `forward ${f.key} waiting: ${f.reason ?? f.error ?? 'no ready pod'}`,
            {
              ...base,
              data: { reason: f.reason, error: f.error, nextRetryAt: f.nextRetryAt },
            },
          );
          waiting(ev.at, f);
        } else {
          addEvent(ev.at, 'PodStatusChanged', `forward ${f.key}: ${ev.previousStatus} → ${f.status}`, {
            ...base,
            data: { from: ev.previousStatus, to: f.status },
          });
          if (f.status === 'Active') servedBy(ev.at, f);
        }
        break;
      }
      case 'ForwardRemoved':
        addEvent(ev.at, 'ForwardStopped', `forward ${ev.key} stopped`, {
          serviceKey: ev.serviceKey,
          forwardKey: ev.key,
        });
        // A lost pod's record stays open until its port serves again (or its service goes).
        resolveErrors(ev.at, (e) => e.forwardKey === ev.key && !slotOf.has(e));
        failingRuns.delete(ev.key);
        break;
      case 'NamespaceAdded':
        addEvent(
          ev.at,
          'NamespaceAdded',
          `namespace ${ev.namespace.namespace} (context ${ev.namespace.context}) watched`,
          {
            data: { namespace: ev.namespace.namespace, context: ev.namespace.context },
          },
        );
        break;
      case 'NamespaceUpdated': {
        const n = ev.namespace;
        const data = { namespace: n.namespace, context: n.context };
        if (n.watchError !== undefined && !failingNamespaces.has(n.key)) {
          failingNamespaces.add(n.key);
          addEvent(
            ev.at,
            'NamespaceWatchFailing',
            `namespace ${n.namespace} (context ${n.context}): kubefwd cannot follow its changes: ${n.watchError}`,
            { data: { ...data, error: n.watchError } },
          );
        } else if (n.watchError === undefined && failingNamespaces.delete(n.key))
          addEvent(
            ev.at,
            'NamespaceWatchRecovered',
            `namespace ${n.namespace} (context ${n.context}): kubefwd follows its changes again`,
            { data },
          );
        break;
      }
      case 'NamespaceRemoved': {
        failingNamespaces.delete(ev.key);
        const inNamespace = (serviceKey: string): boolean => {
          const k = parseServiceKey(serviceKey);
          return k?.namespace === ev.namespace && k.context === ev.context;
        };
        resolveErrors(ev.at, (e) => inNamespace(e.serviceKey));
        dropSlots(inNamespace);
        addEvent(ev.at, 'NamespaceRemoved', `namespace ${ev.namespace} (context ${ev.context}) removed`, {
          data: { namespace: ev.namespace, context: ev.context },
        });
        break;
      }
      case 'Reconnect': {
        totalReconnects++;
        reconnects = pushBounded(
          reconnects,
          {
            id: nextId++,
            timestamp: iso(ev.at),
            serviceKey: ev.serviceKey,
            trigger: ev.trigger,
            attemptCount: ev.attempt,
            success: ev.success,
            duration: Math.round(ev.durationMs * 1e6),
            durationMs: ev.durationMs,
            ...(ev.error ? { error: ev.error } : {}),
          },
          limits.maxReconnects,
        );
        if (ev.trigger === 'sync')
          addEvent(ev.at, 'SyncTriggered', `sync of ${ev.serviceKey}`, { serviceKey: ev.serviceKey });
        addEvent(
          ev.at,
          ev.success ? 'ReconnectSuccess' : 'ReconnectFailed',
          `reconnect of ${ev.serviceKey} (${ev.trigger}, attempt ${ev.attempt}) ${ev.success ? 'succeeded' : `failed: ${ev.error ?? 'unknown error'}`}`,
          {
            serviceKey: ev.serviceKey,
            data: { trigger: ev.trigger, attempt: ev.attempt, durationMs: ev.durationMs },
          },
        );
        break;
      }
      case 'PodChanged':
        for (const serviceKey of ev.serviceKeys.length > 0 ? ev.serviceKeys : [undefined]) {
          addEvent(ev.at, 'PodStatusChanged', `pod ${ev.namespace}/${ev.podName} ${ev.change}`, {
            ...(serviceKey ? { serviceKey } : {}),
            podName: ev.podName,
            data: { change: ev.change, context: ev.context, namespace: ev.namespace },
          });
        }
        break;
      default:
        break;
    }
  };

  const observeConnections: History['observeConnections'] = (f, t, at) => {
    const failure = t?.lastFailure;
    // Failing: the last connection failed and none got the pod's answer since.
    const failing = failure !== undefined && !(t?.lastAnswerAt !== undefined && t.lastAnswerAt > failure.at);
    const run = failingRuns.get(f.key);
    if (run !== undefined && !failing) {
      failingRuns.delete(f.key);
      if (!run.resolved) {
        run.resolved = true;
        run.resolvedAt = iso(t?.lastAnswerAt ?? at);
      }
      return;
    }
    if (run !== undefined || !failing || f.status !== 'Active') return;
    // A failure from before this pod served (connections refused while it waited) is not this run's.
    const served = slots.get(slotKey(f))?.served;
    if (served !== undefined && failure.at < served.since) return;
    failingRuns.set(
      f.key,
      addError(failure.at, {
        serviceKey: f.serviceKey,
        forwardKey: f.key,
        podName: f.podName,
        message: `connections to pod ${f.podName || '?'} fail: ${failure.reason}`,
        errorCode: classifyError(failure.reason).code,
      }),
    );
  };

  return {
    record,
    observeConnections,
    events(q = {}) {
      return newestFirst(
        events,
        limits.maxEvents,
        (e) =>
          (q.type === undefined || e.type === q.type) &&
          (q.serviceKey === undefined || e.serviceKey === q.serviceKey),
        q.count,
      );
    },
    errors(q = {}) {
      return newestFirst(
        errors,
        limits.maxErrors,
        (e) =>
          (q.serviceKey === undefined || e.serviceKey === q.serviceKey) && (!q.unresolvedOnly || !e.resolved),
        q.count,
      ).map((e) => ({ ...e })); // records are resolved in place later; callers get a stable copy
    },
    reconnections(q = {}) {
      return newestFirst(
        reconnects,
        limits.maxReconnects,
        (r) => q.serviceKey === undefined || r.serviceKey === q.serviceKey,
        q.count,
      );
    },
    stats() {
      return {
        totalEvents,
        totalErrors,
        totalReconnects,
        maxEvents: limits.maxEvents,
        maxErrors: limits.maxErrors,
        maxReconnects: limits.maxReconnects,
      };
    },
  };
};
