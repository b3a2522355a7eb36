// Pure view builders: engine records + traffic figures → the contract/state views the API, SSE and
// TUI show. Service status follows kubefwd's rule (active/error/partial/pending) plus `waiting`.
import type { ForwardView, NamespaceView, ServiceStatus, ServiceView, Summary } from '../contract/state.js';
import type { ForwardRecord, NamespaceRecord, ServiceRecord } from '../engine/model.js';
import type { ForwardTraffic } from '../engine/traffic/recorder.js';
import { parseServiceKey } from '../domain/keys.js';
import { trafficTotals } from '../domain/traffic-totals.js';
import { isFailed } from '../domain/diagnosis.js';

export const forwardView = (f: ForwardRecord, t: ForwardTraffic | undefined): ForwardView => ({
  ...f,
  ...(t?.lastActivity !== undefined ? { lastActive: new Date(t.lastActivity).toISOString() } : {}),
  connections: t?.connections ?? 0,
  activeConnections: t?.activeConnections ?? 0,
  ...(t?.failedConnections ? { failedConnections: t.failedConnections } : {}),
  ...(t?.lastFailure
    ? {
        lastConnectionError: t.lastFailure.reason,
        lastConnectionErrorAt: new Date(t.lastFailure.at).toISOString(),
        ...(t.lastAnswerAt !== undefined ? { lastAnsweredAt: new Date(t.lastAnswerAt).toISOString() } : {}),
      }
    : {}),
  bytesIn: t?.bytesIn ?? 0,
  bytesOut: t?.bytesOut ?? 0,
  rateIn: t?.rateIn ?? 0,
  rateOut: t?.rateOut ?? 0,
  avgRateIn: t?.avgRateIn ?? 0,
  avgRateOut: t?.avgRateOut ?? 0,
});

/**
 * kubefwd: active>0 && err==0 → active; err>0 && active==0 → error; both → partial; else pending.
 * Ours: waiting. An error is domain/diagnosis's isFailed — Error, or Connecting with the error that
 * made it re-dial (an API server outage) — so a service agrees with quick status and health.
 */
export const serviceStatus = (forwards: readonly ForwardView[]): ServiceStatus => {
  let active = 0;
  let error = 0;
  let waiting = 0;
  for (const f of forwards) {
    if (f.status === 'Active') active++;
    else if (isFailed(f)) error++;
    else if (f.status === 'Waiting') waiting++;
  }
  if (active > 0 && error === 0) return 'active';
  if (error > 0 && active === 0) return 'error';
  if (active > 0 && error > 0) return 'partial';
  if (waiting > 0) return 'waiting';
  return 'pending';
};

export const serviceView = (
  key: string,
  record: ServiceRecord | undefined,
  forwards: readonly ForwardView[],
): ServiceView => {
  const first = forwards[0];
  const traffic = trafficTotals(forwards);
  let activeCount = 0;
  let errorCount = 0;
  for (const f of forwards) {
    if (f.status === 'Active') activeCount++;
    else if (isFailed(f)) errorCount++;
  }
  return {
    key,
    serviceName: record?.serviceName ?? first?.serviceName ?? parseServiceKey(key)?.service ?? key,
    namespace: record?.namespace ?? first?.namespace ?? '',
    context: record?.context ?? first?.context ?? '',
    headless: record?.headless ?? first?.headless ?? false,
    status: serviceStatus(forwards),
    activeCount,
    errorCount,
    totalBytesIn: traffic.bytesIn,
    totalBytesOut: traffic.bytesOut,
    rateIn: traffic.rateIn,
    rateOut: traffic.rateOut,
    forwards: [...forwards],
  };
};

export const summaryOf = (services: readonly ServiceView[], forwards: readonly ForwardView[]): Summary => {
  const traffic = trafficTotals(forwards);
  const s: Summary = {
    totalServices: services.length,
    activeServices: 0,
    totalForwards: forwards.length,
    activeForwards: 0,
    errorCount: 0,
    totalBytesIn: traffic.bytesIn,
    totalBytesOut: traffic.bytesOut,
    rateIn: traffic.rateIn,
    rateOut: traffic.rateOut,
  };
  for (const svc of services) if (svc.activeCount > 0) s.activeServices++;
  for (const f of forwards) {
    if (f.status === 'Active') s.activeForwards++;
    else if (isFailed(f)) s.errorCount++;
  }
  return s;
};

export const namespaceView = (ns: NamespaceRecord, services: readonly ServiceView[]): NamespaceView => {
  let serviceCount = 0;
  let activeCount = 0;
  let errorCount = 0;
  for (const s of services) {
    if (s.namespace !== ns.namespace || s.context !== ns.context) continue;
    serviceCount++;
    if (s.status === 'active') activeCount++;
    else if (s.status === 'error' || s.status === 'partial') errorCount++;
  }
  return {
    key: ns.key,
    namespace: ns.namespace,
    context: ns.context,
    serviceCount,
    activeCount,
    errorCount,
    running: ns.running,
    ...(ns.labelSelector ? { labelSelector: ns.labelSelector } : {}),
    ...(ns.fieldSelector ? { fieldSelector: ns.fieldSelector } : {}),
    ...(ns.watchError ? { watchError: ns.watchError, watchErrorSince: ns.watchErrorSince } : {}),
  };
};
