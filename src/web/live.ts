// The page's copy of the daemon's forwards, kept current by SSE events (no polling): a reducer
// over the API's event vocabulary, pure and tested, plus per-forward rate samples for sparklines.
// Changed forwards get new objects and untouched ones keep theirs, so rows re-render only when
// their own data moved.
import type { ApiEvent } from '../contract/api-events.js';
import type { ForwardView } from '../contract/state.js';
import { failingConnectionsText } from '../domain/diagnosis.js';
import { serviceNameOf } from '../domain/keys.js';

/** Samples kept per forward (one a second: the last minute). */
export const SPARK_POINTS = 60;

export interface Live {
  forwards: Map<string, ForwardView>;
  /** In+out bytes/s per forward, oldest first. */
  spark: Map<string, readonly number[]>;
}

export const emptyLive = (): Live => ({ forwards: new Map(), spark: new Map() });

export const loadForwards = (live: Live, forwards: readonly ForwardView[]): void => {
  live.forwards = new Map(forwards.map((f) => [f.key, f]));
  for (const key of live.spark.keys()) if (!live.forwards.has(key)) live.spark.delete(key);
};

const fromEvent = (d: ApiEvent['data'], at: string): ForwardView | undefined => {
  if (!d.forwardKey || !d.serviceKey || !d.namespace || !d.context) return undefined;
  return {
    key: d.forwardKey,
    serviceKey: d.serviceKey,
    registryKey: d.registryKey ?? d.serviceKey,
    serviceName: d.service ?? serviceNameOf(d.serviceKey, d.namespace, d.context) ?? d.serviceKey,
    namespace: d.namespace,
    context: d.context,
    headless: false,
    podName: d.podName ?? '',
    ...(d.containerName ? { containerName: d.containerName } : {}),
    localIP: d.localIP ?? '',
    localPort: d.localPort ?? '',
    podPort: d.podPort ?? '',
    hostnames: d.hostnames ?? [],
    status: (d.status as ForwardView['status'] | undefined) ?? 'Pending',
    startedAt: at,
    reconnects: d.reconnects ?? 0,
    connections: 0,
    activeConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    rateIn: 0,
    rateOut: 0,
    avgRateIn: 0,
    avgRateOut: 0,
  };
};

const pushSample = (live: Live, key: string, value: number): void => {
  const old = live.spark.get(key) ?? [];
  const next = old.length >= SPARK_POINTS ? old.slice(1) : old.slice();
  next.push(value);
  live.spark.set(key, next);
};

/**
 * Applies one event; returns what the page must do: 'changed' (re-render), 'none', or 'reload'
 * (the event names something this copy cannot derive — a namespace came or went — so the lists
 * are fetched again).
 */
export const applyEvent = (live: Live, ev: ApiEvent): 'changed' | 'none' | 'reload' => {
  const d = ev.data;
  switch (ev.type) {
    case 'PodAdded': {
      const f = fromEvent(d, ev.timestamp);
      if (!f) return 'none';
      const old = live.forwards.get(f.key);
      live.forwards.set(f.key, old ? { ...old, ...pick(f, d) } : f);
      return 'changed';
    }
    case 'PodStatusChanged': {
      const key = d.forwardKey;
      const old = key ? live.forwards.get(key) : undefined;
      if (!old) {
        const f = fromEvent(d, ev.timestamp);
        if (!f) return 'none';
        live.forwards.set(f.key, f);
        return 'changed';
      }
      live.forwards.set(old.key, { ...old, ...pick(old, d) });
      return 'changed';
    }
    case 'PodRemoved':
      if (!d.forwardKey || !live.forwards.delete(d.forwardKey)) return 'none';
      live.spark.delete(d.forwardKey);
      return 'changed';
    case 'ServiceRemoved': {
      let changed = false;
      for (const [k, f] of live.forwards)
        if (f.serviceKey === d.serviceKey) {
          live.forwards.delete(k);
          live.spark.delete(k);
          changed = true;
        }
      return changed ? 'changed' : 'none';
    }
    case 'BandwidthUpdate': {
      const moving = new Map((d.forwards ?? []).map((t) => [t.key, t]));
      for (const [k, f] of live.forwards) {
        const t = moving.get(k);
        if (t) {
          live.forwards.set(k, {
            ...f,
            bytesIn: t.bytesIn,
            bytesOut: t.bytesOut,
            rateIn: t.rateIn,
            rateOut: t.rateOut,
            ...(t.lastConnectionError !== undefined
              ? {
                  failedConnections: t.failedConnections,
                  lastConnectionError: t.lastConnectionError,
                  lastConnectionErrorAt: t.lastConnectionErrorAt,
                  lastAnsweredAt: t.lastAnsweredAt,
                }
              : {}),
          });
          pushSample(live, k, t.rateIn + t.rateOut);
        } else if (f.rateIn !== 0 || f.rateOut !== 0) {
          live.forwards.set(k, { ...f, rateIn: 0, rateOut: 0 });
          pushSample(live, k, 0);
        } else if (live.spark.has(k)) pushSample(live, k, 0);
      }
      return 'changed';
    }
    case 'NamespaceAdded':
    case 'NamespaceRemoved':
    case 'NamespaceUpdated':
      return 'reload';
    default:
      return 'none';
  }
};

/**
 * Forwards whose connections stopped counting as failing (the last failure is a minute old) get a
 * new object, so their rows re-render without the problem; returns whether any did. The page calls
 * this every few seconds: no event marks the moment.
 */
export const expireFailures = (live: Live, now: number, since: number): boolean => {
  let changed = false;
  for (const [k, f] of live.forwards)
    if (failingConnectionsText(f, since) !== undefined && failingConnectionsText(f, now) === undefined) {
      live.forwards.set(k, { ...f });
      changed = true;
    }
  return changed;
};

/** The fields a status event carries; error details absent from it are cleared (the problem is over). */
const pick = (old: ForwardView, d: ApiEvent['data']): Partial<ForwardView> => {
  const out: Partial<ForwardView> = {
    error: d.error,
    errorCode: d.errorCode,
    reason: d.reason,
    nextRetryAt: d.nextRetryAt,
  };
  if (d.status) out.status = d.status as ForwardView['status'];
  if (d.podName !== undefined && d.podName !== old.podName) {
    out.podName = d.podName;
    out.containerName = d.containerName;
  }
  if (d.localIP) out.localIP = d.localIP;
  if (d.hostnames) out.hostnames = d.hostnames;
  if (d.reconnects !== undefined) out.reconnects = d.reconnects;
  return out;
};
