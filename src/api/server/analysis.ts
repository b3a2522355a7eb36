// Diagnostics and analysis (kubefwd's /api/v1/diagnostics and /analyze), computed from a state snapshot and the history:
// quick status, full analysis (classified issues, recommendations, actions to take), per-service
// and per-forward diagnosis, network status. Pure; kubefwd's rules where it had them, with errors
// that stay visible (errored forwards are kept) and a classifier that knows more than 4 words.
import {
  type AnalysisResponse,
  type DiagnosticSummary,
  type ErrorDetail,
  type ForwardDiagnostic,
  type HealthLevel,
  type NetworkStatus,
  type ProcessStats,
  type QuickStatus,
  type Recommendation,
  type ServiceDiagnostic,
  type SuggestedAction,
} from '../../contract/api.js';
import type { Issue } from '../../contract/api-diagnostics.js';
import type { ForwardView, ServiceView } from '../../contract/state.js';
import { classifyError, isClusterSide, isTroubled } from '../../domain/diagnosis.js';
import type { History } from '../../state/history.js';
import type { StateSnapshot } from '../../state/store.js';
import { formatDuration, formatUptime } from './duration.js';
import { countIssues, issuesOf, type IssueCounts } from './issues.js';

export interface AnalysisInput {
  snapshot: StateSnapshot;
  history: History;
  now: number;
  uptimeMs: number;
  version: string;
  process?: ProcessStats | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const enc = encodeURIComponent;

const troubled = isTroubled;

/**
 * From the issues (issuesOf, the analysis's list): healthy when there is none; unhealthy when more
 * services have errors (a forward in error or re-dialling after one, or connections failing) than
 * are active; else degraded — a service waiting for a pod, a namespace not followed.
 */
const healthFrom = (c: IssueCounts, activeServices: number): HealthLevel => {
  const errored = c.inError.length + c.failing.length;
  if (errored === 0 && c.waiting.length === 0 && c.unfollowed === 0) return 'healthy';
  return errored > activeServices ? 'unhealthy' : 'degraded';
};

export const healthOf = (s: StateSnapshot, now: number): HealthLevel =>
  healthFrom(countIssues(issuesOf(s, now)), s.summary.activeServices);

/** A few keys, then "…". */
const some = (keys: readonly string[]): string =>
  `${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;

/**
 * ok / issues / error as health says healthy / degraded / unhealthy, counting what the analysis
 * lists: errorCount the forwards with an issue that is not a wait (Error, a re-dial after a failure,
 * an Active forward whose connections fail), waitingCount those Waiting; the message names the
 * services those forwards belong to, each once.
 */
export const quickStatus = (i: AnalysisInput): QuickStatus => {
  const s = i.snapshot;
  const c = countIssues(issuesOf(s, i.now));
  const base = {
    errorCount: c.errorForwards,
    waitingCount: c.waitingForwards,
    uptime: formatUptime(i.uptimeMs),
  };
  const status = forwardsStatus(s.summary, c);
  // A namespace kubefwd cannot follow: whatever its forwards say, they go stale.
  const unfollowed = s.namespaces.filter((n) => n.watchError !== undefined);
  if (unfollowed.length === 0) return { ...status, ...base };
  const text = `namespace ${unfollowed.map((n) => `${n.namespace} (${n.watchError})`).join(', ')} not followed: the analysis says why`;
  return status.status === 'ok'
    ? { status: 'issues', message: text, ...base }
    : { ...status, message: `${status.message}; ${text}`, ...base };
};

const forwardsStatus = (
  summary: StateSnapshot['summary'],
  c: IssueCounts,
): Pick<QuickStatus, 'status' | 'message'> => {
  const withIssues = c.inError.length + c.failing.length + c.waiting.length;
  if (withIssues > 0) {
    const problems = [
      ...(c.inError.length > 0 ? [`${c.inError.length} in error (${some(c.inError)})`] : []),
      ...(c.failing.length > 0 ? [`connections to ${c.failing.length} fail (${some(c.failing)})`] : []),
      ...(c.waiting.length > 0
        ? [`${c.waiting.length} waiting for a pod or a retry (${some(c.waiting)})`]
        : []),
    ];
    return {
      status: healthFrom(c, summary.activeServices) === 'unhealthy' ? 'error' : 'issues',
      message: `${withIssues} of ${summary.totalServices} services have issues: ${problems.join('; ')}; the analysis says why`,
    };
  }
  if (summary.totalServices === 0) return { status: 'ok', message: 'No services currently forwarded' };
  if (summary.activeServices === 0)
    return { status: 'issues', message: `${summary.totalServices} services forwarded, none active yet` };
  return {
    status: 'ok',
    message:
      summary.activeServices === summary.totalServices
        ? `All ${summary.activeServices} services healthy, ${summary.activeForwards} active forwards`
        : `${summary.activeServices} of ${summary.totalServices} services active (the others starting), ${summary.activeForwards} active forwards`,
  };
};

/** The codes of a forward Waiting because no pod backs it (a wait without a code is one too). */
const POD_WAIT_CODES: ReadonlySet<string> = new Set(['NO_PODS', 'ENDPOINTS_STALE']);

const waitsForPod = (x: Issue): boolean =>
  x.status === 'Waiting' && (x.errorCode === undefined || POD_WAIT_CODES.has(x.errorCode));

// Long as a list of rules: each recommendation is an independent check.
export const analyze = (i: AnalysisInput): AnalysisResponse => {
  const s = i.snapshot;
  const issues = issuesOf(s, i.now);
  const c = countIssues(issues);
  const inError = new Set(c.inError);
  const waiting = new Set(c.waiting);
  // Reconnecting helps a forward in error; a pod that refuses connections needs its logs (below).
  const erroredServices = s.services.filter((x) => inError.has(x.key));
  // Waiting for a pod, not for the API server (API_BUSY) or a re-dial after a lost session
  // (STREAM_ERROR): their pod is there, and "no ready pod" would send the user to healthy workloads.
  const podless = new Set(issues.filter(waitsForPod).map((x) => x.serviceKey));
  const waitingServices = s.services.filter((x) => waiting.has(x.key) && podless.has(x.key));
  const types = new Set(issues.map((x) => x.errorType));
  const recommendations: Recommendation[] = [];
  if (erroredServices.length > 3)
    recommendations.push({
      priority: 'high',
      category: 'reliability',
      message: `Multiple services (${erroredServices.length}) have errors. Consider using reconnect_all to attempt bulk recovery.`,
    });
  if (types.has('pod_not_found'))
    recommendations.push({
      priority: 'high',
      category: 'reliability',
      message: 'Some pods are missing. Use sync to rediscover pods or check if deployments are healthy.',
    });
  if (types.has('permission_denied') || types.has('auth_failed'))
    recommendations.push({
      priority: 'high',
      category: 'permissions',
      message:
        'The cluster refused kubefwd (RBAC or credentials). Check the context’s user and its permissions for pods/portforward.',
    });
  if (types.has('api_unreachable') || types.has('tls_error'))
    recommendations.push({
      priority: 'high',
      category: 'connectivity',
      message:
        'The Kubernetes API is unreachable or its certificate was refused. Check VPN/proxy and the kubeconfig.',
    });
  if (types.has('api_busy'))
    recommendations.push({
      priority: 'medium',
      category: 'connectivity',
      message:
        'The Kubernetes API server is overloaded and asks kubefwd to wait (429); kubefwd retries when it asked. If it lasts, ask the cluster administrators (API Priority and Fairness).',
    });
  if (types.has('connection_refused'))
    recommendations.push({
      priority: 'medium',
      category: 'reliability',
      message:
        'Connection refused errors indicate pods may not be ready. Check readiness probes and pod logs.',
    });
  if (types.has('timeout'))
    recommendations.push({
      priority: 'medium',
      category: 'configuration',
      message: 'Timeout errors may indicate network policies blocking traffic. Review network policies.',
    });
  if (types.has('no_pods') || waitingServices.length > 0)
    recommendations.push({
      priority: 'medium',
      category: 'reliability',
      message: `${Math.max(waitingServices.length, 1)} service(s) have no ready pod. Check their workloads (pods, events); kubefwd retries on its own.`,
    });
  if (types.has('port_in_use'))
    recommendations.push({
      priority: 'medium',
      category: 'configuration',
      message: 'A local port is taken by another program. Stop it or remap the port with -m.',
    });
  if (s.summary.totalBytesIn === 0 && s.summary.totalBytesOut === 0 && s.summary.activeForwards > 0)
    recommendations.push({
      priority: 'low',
      category: 'performance',
      message: 'No traffic detected. Verify applications are sending requests through forwarded services.',
    });

  const suggestedActions: SuggestedAction[] = [];
  if (erroredServices.length > 5)
    suggestedActions.push({
      action: 'reconnect_all',
      target: 'all',
      reason: `Bulk reconnect ${erroredServices.length} errored services`,
      endpoint: '/v1/services/reconnect',
      method: 'POST',
    });
  else
    for (const svc of erroredServices)
      suggestedActions.push({
        action: 'reconnect',
        target: svc.key,
        reason: 'Service has errors, attempt reconnection',
        endpoint: `/v1/services/${enc(svc.key)}/reconnect`,
        method: 'POST',
      });
  const gone = issues.find((x) => x.errorType === 'pod_not_found' && x.serviceKey);
  if (gone?.serviceKey)
    suggestedActions.push({
      action: 'sync',
      target: gone.serviceKey,
      reason: 'Pod not found, sync to rediscover pods',
      endpoint: `/v1/services/${enc(gone.serviceKey)}/sync?force=true`,
      method: 'POST',
    });
  // No pod at all: nothing to reconnect to; the pods of the service (and their events) say why.
  for (const svc of waitingServices.slice(0, 3))
    suggestedActions.push({
      action: 'check_pods',
      target: `${svc.namespace}/${svc.serviceName}`,
      reason: 'No ready pod backs the service; see which pods exist and whether they start',
      endpoint: `/v1/kubernetes/pods/${enc(svc.namespace)}?serviceName=${enc(svc.serviceName)}&context=${enc(svc.context)}`,
      method: 'GET',
    });
  const refused = issues.find((x) => x.errorType === 'connection_refused' && x.podName);
  if (refused?.podName) {
    const f = s.forwards.find((x) => x.key === refused.forwardKey);
    if (f)
      suggestedActions.push({
        action: 'check_logs',
        target: `${f.namespace}/${f.podName}`,
        reason: 'The pod refused the connection; its logs usually say why',
        endpoint: `/v1/kubernetes/pods/${enc(f.namespace)}/${enc(f.podName)}/logs?context=${enc(f.context)}`,
        method: 'GET',
      });
  }

  const parts: string[] = [];
  if (s.summary.activeServices > 0) parts.push(`${s.summary.activeServices} active services`);
  if (c.inError.length > 0) parts.push(`${c.inError.length} services with errors`);
  if (c.failing.length > 0) parts.push(`connections to ${c.failing.length} services fail`);
  if (c.waiting.length > 0) parts.push(`${c.waiting.length} waiting for a pod or a retry`);
  return {
    status: healthFrom(c, s.summary.activeServices),
    summary: parts.length > 0 ? parts.join(', ') : 'No services currently forwarded',
    timestamp: iso(i.now),
    issues,
    recommendations,
    suggestedActions: suggestedActions.slice(0, 10),
    stats: {
      totalServices: s.summary.totalServices,
      activeServices: s.summary.activeServices,
      erroredServices: c.inError.length + c.failing.length,
      waitingServices: c.waiting.length,
      totalForwards: s.summary.totalForwards,
      activeForwards: s.summary.activeForwards,
      totalBytesIn: s.summary.totalBytesIn,
      totalBytesOut: s.summary.totalBytesOut,
      uptime: formatUptime(i.uptimeMs),
    },
  };
};

export const errorDetails = (s: StateSnapshot, now: number): ErrorDetail[] =>
  s.forwards.filter(troubled).map((f) => {
    const message = f.error ?? f.reason ?? `forward is ${f.status}`;
    const c = classifyError(message, f.errorCode);
    return {
      timestamp: iso(now),
      component: isClusterSide(c.errorType) ? 'k8s' : 'connection',
      serviceKey: f.serviceKey,
      forwardKey: f.key,
      ...(f.podName ? { podName: f.podName } : {}),
      message,
      errorType: c.errorType,
      ...(f.errorCode ? { errorCode: f.errorCode } : {}),
      recoverable: c.errorType !== 'unsupported_service',
    };
  });

export const networkStatus = (s: StateSnapshot, platform: string = process.platform): NetworkStatus => {
  const ips = new Set(s.forwards.map((f) => f.localIP).filter(Boolean));
  return {
    loopbackInterface: platform === 'darwin' ? 'lo0' : 'lo',
    ipsAllocated: ips.size,
    ipRange: '127.0.0.0/8',
    portsInUse: [...new Set(s.forwards.map((f) => `${f.localIP}:${f.localPort}`))].sort(),
    hostnames: [...new Set(s.forwards.flatMap((f) => f.hostnames))].sort(),
  };
};

export const diagnosticSummary = (i: AnalysisInput): DiagnosticSummary => {
  const s = i.snapshot;
  const count = (st: ServiceView['status']) => s.services.filter((x) => x.status === st).length;
  const counts = {
    total: s.services.length,
    active: count('active'),
    error: count('error'),
    partial: count('partial'),
    pending: count('pending'),
    waiting: count('waiting'),
  };
  const recommendations: string[] = [];
  if (counts.error > 0) recommendations.push(`Reconnect ${counts.error} services in error state`);
  if (counts.partial > 0)
    recommendations.push(`Investigate ${counts.partial} services with partial availability`);
  if (counts.waiting > 0)
    recommendations.push(`Check the workloads of ${counts.waiting} services waiting for a ready pod`);
  return {
    status: healthOf(s, i.now),
    timestamp: iso(i.now),
    uptime: formatDuration(i.uptimeMs),
    version: i.version,
    services: counts,
    network: networkStatus(s),
    errors: errorDetails(s, i.now).slice(0, 10),
    recommendations,
    ...(i.process ? { process: i.process } : {}),
  };
};

const connState = (f: ForwardView): ForwardDiagnostic['connection']['state'] =>
  (
    ({
      Pending: 'pending',
      Connecting: 'connecting',
      Active: 'connected',
      Waiting: 'waiting',
      Error: 'error',
      Stopping: 'stopping',
    }) as const
  )[f.status];

export const forwardDiagnostic = (f: ForwardView, now: number): ForwardDiagnostic => {
  // Connected since it last became Active (kubefwd's field name); not connected, no uptime. The
  // port's start (startedAt) counted a forward waiting for a new pod as connected for minutes.
  const started = f.status === 'Active' && f.activeSince ? Date.parse(f.activeSince) : Number.NaN;
  const last = f.lastActive ? Date.parse(f.lastActive) : undefined;
  const idle = last !== undefined ? formatDuration(now - last) : undefined;
  const text = f.error ?? f.reason;
  return {
    key: f.key,
    serviceKey: f.serviceKey,
    podName: f.podName,
    ...(f.containerName ? { containerName: f.containerName } : {}),
    status: f.status,
    ...(f.error ? { error: f.error } : {}),
    ...(troubled(f) && text ? { errorType: classifyError(text, f.errorCode).errorType } : {}),
    ...(f.reason ? { reason: f.reason } : {}),
    ...(f.nextRetryAt ? { nextRetryAt: f.nextRetryAt } : {}),
    localIP: f.localIP,
    localPort: f.localPort,
    podPort: f.podPort,
    hostnames: f.hostnames,
    connectedAt: f.activeSince ?? f.startedAt,
    uptime: Number.isFinite(started) ? formatDuration(now - started) : '0s',
    ...(f.lastActive ? { lastActive: f.lastActive } : {}),
    ...(idle ? { idleDuration: idle } : {}),
    reconnects: f.reconnects,
    connection: {
      state: connState(f),
      bytesIn: f.bytesIn,
      bytesOut: f.bytesOut,
      connections: f.connections,
      activeConnections: f.activeConnections,
      ...(f.lastActive ? { lastActivity: f.lastActive } : {}),
      ...(idle ? { idleDuration: idle } : {}),
    },
    bytesIn: f.bytesIn,
    bytesOut: f.bytesOut,
    rateIn: f.rateIn,
    rateOut: f.rateOut,
  };
};

export const serviceDiagnostic = (svc: ServiceView, i: AnalysisInput): ServiceDiagnostic => {
  const forwards = svc.forwards ?? [];
  const reconnects = i.history.reconnections({ serviceKey: svc.key, count: 200 });
  const lastSync = i.history.events({ type: 'SyncTriggered', serviceKey: svc.key, count: 1 })[0];
  const latest = reconnects[0];
  const nextRetry = forwards
    .map((f) => f.nextRetryAt)
    .filter((x): x is string => x !== undefined)
    .sort()[0];
  const errorHistory: ErrorDetail[] = i.history.errors({ serviceKey: svc.key, count: 20 }).map((e) => ({
    timestamp: e.timestamp,
    component: 'connection',
    serviceKey: e.serviceKey,
    ...(e.forwardKey ? { forwardKey: e.forwardKey } : {}),
    ...(e.podName ? { podName: e.podName } : {}),
    message: e.message,
    errorType: classifyError(e.message, e.errorCode).errorType,
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    recoverable: true,
  }));
  const recommendations = forwards
    .filter(troubled)
    .map((f) => classifyError(f.error ?? f.reason, f.errorCode).suggestion);
  const pods = new Set(forwards.map((f) => f.podName).filter(Boolean));
  const readyPods = new Set(forwards.filter((f) => f.status === 'Active').map((f) => f.podName));
  return {
    key: svc.key,
    serviceName: svc.serviceName,
    namespace: svc.namespace,
    context: svc.context,
    status: svc.status,
    headless: svc.headless,
    activeCount: svc.activeCount,
    errorCount: svc.errorCount,
    reconnectState: {
      autoReconnectEnabled: true,
      attemptCount: reconnects.length,
      ...(latest ? { lastAttempt: latest.timestamp, lastSuccess: latest.success } : {}),
      ...(nextRetry ? { nextAttempt: nextRetry } : {}),
      isReconnecting: forwards.some((f) => f.status === 'Connecting'),
    },
    syncState: {
      ...(lastSync ? { lastSyncedAt: lastSync.timestamp } : {}),
      podCount: pods.size,
      readyPods: readyPods.size,
    },
    forwards: forwards.map((f) => forwardDiagnostic(f, i.now)),
    errorHistory,
    recommendations: [...new Set(recommendations)],
  };
};
