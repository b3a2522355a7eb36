// Engine events → the SSE vocabulary of contract/api-events (kubefwd's names: a forward is a
// "Pod" there). Pure.
import type { ApiEvent, ApiEventData, ApiEventType, LogEntry } from '../../contract/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { ForwardRecord, ServiceRecord } from '../../engine/model.js';
import type { ForwardTraffic } from '../../engine/traffic/recorder.js';
import { trafficTotals } from '../../domain/traffic-totals.js';

const serviceData = (s: ServiceRecord): ApiEventData => ({
  serviceKey: s.key,
  service: s.serviceName,
  namespace: s.namespace,
  context: s.context,
  registryKey: s.registryKey,
  localIP: s.localIP,
  hostnames: s.hostnames,
});

const forwardData = (f: ForwardRecord): ApiEventData => ({
  serviceKey: f.serviceKey,
  service: f.serviceName,
  namespace: f.namespace,
  context: f.context,
  registryKey: f.registryKey,
  forwardKey: f.key,
  podName: f.podName,
  ...(f.containerName ? { containerName: f.containerName } : {}),
  localIP: f.localIP,
  localPort: f.localPort,
  podPort: f.podPort,
  hostnames: f.hostnames,
  status: f.status,
  reconnects: f.reconnects,
  ...(f.error ? { error: f.error } : {}),
  ...(f.errorCode ? { errorCode: f.errorCode } : {}),
  ...(f.reason ? { reason: f.reason } : {}),
  ...(f.nextRetryAt ? { nextRetryAt: f.nextRetryAt } : {}),
});

/** The SSE event for an engine event (undefined for none). `id` is filled by the caller. */
export const toApiEvent = (ev: EngineEvent): Omit<ApiEvent, 'id'> | undefined => {
  const at = new Date(ev.at).toISOString();
  const make = (type: ApiEventType, data: ApiEventData) => ({ type, timestamp: at, data });
  switch (ev.type) {
    case 'ServiceAdded':
      return make('ServiceAdded', serviceData(ev.service));
    case 'ServiceUpdated':
      return make('ServiceUpdated', serviceData(ev.service));
    case 'ServiceRemoved':
      return make('ServiceRemoved', {
        serviceKey: ev.serviceKey,
        service: ev.serviceName,
        namespace: ev.namespace,
        context: ev.context,
        registryKey: ev.registryKey,
      });
    case 'ServiceSkipped':
      return make('ServiceSkipped', { registryKey: ev.registryKey, reason: ev.reason });
    case 'ForwardAdded':
      return make('PodAdded', forwardData(ev.forward));
    case 'ForwardUpdated':
      return make('PodStatusChanged', { ...forwardData(ev.forward), previousStatus: ev.previousStatus });
    case 'ForwardRemoved':
      return make('PodRemoved', {
        serviceKey: ev.serviceKey,
        service: ev.serviceName,
        namespace: ev.namespace,
        context: ev.context,
        forwardKey: ev.key,
        podName: ev.podName,
      });
    case 'NamespaceAdded':
      return make('NamespaceAdded', { namespace: ev.namespace.namespace, context: ev.namespace.context });
    case 'NamespaceRemoved':
      return make('NamespaceRemoved', { namespace: ev.namespace, context: ev.context });
    case 'NamespaceUpdated': {
      const { namespace, context, watchError, watchErrorSince } = ev.namespace;
      return make('NamespaceUpdated', {
        namespace,
        context,
        ...(watchError !== undefined ? { watchError } : {}),
        ...(watchErrorSince !== undefined ? { watchErrorSince } : {}),
      });
    }
    case 'Reconnect':
      return make('ReconnectAttempt', {
        serviceKey: ev.serviceKey,
        trigger: ev.trigger,
        attempt: ev.attempt,
        success: ev.success,
        durationMs: ev.durationMs,
        ...(ev.error ? { error: ev.error } : {}),
      });
    case 'PodChanged':
      return make('PodChanged', {
        podName: ev.podName,
        namespace: ev.namespace,
        context: ev.context,
        change: ev.change,
        serviceKeys: ev.serviceKeys,
      });
    case 'HostsWritten':
      return make('HostsWritten', { path: ev.path, entries: ev.entries });
    case 'ShutdownStarted':
      return make('ShutdownStarted', {});
    case 'ShutdownComplete':
      return make('ShutdownComplete', {});
    default:
      return undefined;
  }
};

/**
 * A failure is announced by the ticks of the next two seconds: ticks are about a second apart, so a
 * failure between two of them is never missed (announcing it twice is harmless).
 */
export const FAILURE_ANNOUNCE_MS = 2000;

export const isMoving = (f: Pick<ForwardTraffic, 'rateIn' | 'rateOut'>): boolean =>
  f.rateIn > 0 || f.rateOut > 0;

/**
 * One BandwidthUpdate per sample tick, listing forwards that moved bytes, that moved at the last
 * tick (`wasMoving`: their rates drop to 0 here — without that a page or TUI patched by these
 * events showed the last rate for as long as the forward stayed quiet), or whose connections just
 * failed (undefined when none did). Totals count the moving ones.
 */
export const bandwidthEvent = (
  at: number,
  forwards: readonly ForwardTraffic[],
  wasMoving: ReadonlySet<string> = new Set(),
): Omit<ApiEvent, 'id'> | undefined => {
  const listed = forwards.filter(
    (f) =>
      isMoving(f) ||
      wasMoving.has(f.key) ||
      (f.lastFailure !== undefined && at - f.lastFailure.at < FAILURE_ANNOUNCE_MS),
  );
  if (listed.length === 0) return undefined;
  return {
    type: 'BandwidthUpdate',
    timestamp: new Date(at).toISOString(),
    data: {
      ...trafficTotals(listed.filter(isMoving)),
      forwards: listed.map((f) => ({
        key: f.key,
        serviceKey: f.serviceKey,
        bytesIn: f.bytesIn,
        bytesOut: f.bytesOut,
        rateIn: f.rateIn,
        rateOut: f.rateOut,
        ...(f.lastFailure
          ? {
              failedConnections: f.failedConnections,
              lastConnectionError: f.lastFailure.reason,
              lastConnectionErrorAt: new Date(f.lastFailure.at).toISOString(),
              ...(f.lastAnswerAt !== undefined
                ? { lastAnsweredAt: new Date(f.lastAnswerAt).toISOString() }
                : {}),
            }
          : {}),
      })),
    },
  };
};

/** The SSE event for a line of the daemon's log (`id` is filled by the caller). */
export const logEvent = (entry: LogEntry): Omit<ApiEvent, 'id'> => ({
  type: 'LogMessage',
  timestamp: entry.timestamp,
  data: { level: entry.level, message: entry.message },
});
