// Diagnostics and analysis shapes (research inventory §6): quick status, full analysis with
// classified issues and recommended actions, per-service/forward diagnosis, network status.
// kubefwd's field names; fields it left empty (reconnect/sync state) are filled for real here.
import { z } from 'zod';

/**
 * What went wrong, in a word a person (or a model) can act on. kubefwd's lower-case vocabulary
 * (`connection_refused`, `timeout`, `pod_not_found`, `broken_pipe`, `unknown`) plus more classes.
 */
export const ErrorType = z.enum([
  'connection_refused',
  'timeout',
  'pod_not_found',
  'no_pods',
  'broken_pipe',
  'permission_denied',
  'auth_failed',
  'tls_error',
  'api_unreachable',
  'port_in_use',
  'stream_error',
  'unsupported_service',
  'unknown',
]);
export type ErrorType = z.infer<typeof ErrorType>;

export const Severity = z.enum(['critical', 'high', 'medium', 'low']);
export type Severity = z.infer<typeof Severity>;

export const HealthLevel = z.enum(['healthy', 'degraded', 'unhealthy']);
export type HealthLevel = z.infer<typeof HealthLevel>;

export const QuickStatus = z
  .object({
    status: z.enum(['ok', 'issues', 'error']),
    message: z.string(),
    errorCount: z.number().int(),
    /** Forwards Waiting for a pod or a retry. */
    waitingCount: z.number().int(),
    uptime: z.string().optional(),
  })
  .meta({ id: 'QuickStatus' });
export type QuickStatus = z.infer<typeof QuickStatus>;

export const Issue = z.object({
  severity: Severity,
  component: z.enum(['service', 'forward', 'network', 'cluster']),
  serviceKey: z.string().optional(),
  forwardKey: z.string().optional(),
  podName: z.string().optional(),
  message: z.string(),
  errorType: ErrorType,
  /** contract/errors code, when the engine gave one. */
  errorCode: z.string().optional(),
  /** What to do about it, in words. */
  suggestion: z.string(),
});
export type Issue = z.infer<typeof Issue>;

export const Recommendation = z.object({
  priority: z.enum(['high', 'medium', 'low']),
  category: z.enum(['reliability', 'configuration', 'performance', 'permissions', 'connectivity']),
  message: z.string(),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const SuggestedAction = z.object({
  /** MCP tool-like verb: reconnect, reconnect_all, sync, check_logs, ... */
  action: z.string(),
  target: z.string(),
  reason: z.string(),
  /** REST path relative to `/api`, e.g. `/v1/services/<key>/reconnect`. */
  endpoint: z.string(),
  method: z.enum(['GET', 'POST', 'DELETE']),
});
export type SuggestedAction = z.infer<typeof SuggestedAction>;

export const AnalysisStats = z.object({
  totalServices: z.number().int(),
  activeServices: z.number().int(),
  erroredServices: z.number().int(),
  waitingServices: z.number().int(),
  totalForwards: z.number().int(),
  activeForwards: z.number().int(),
  totalBytesIn: z.number(),
  totalBytesOut: z.number(),
  uptime: z.string(),
});

export const AnalysisResponse = z
  .object({
    status: HealthLevel,
    summary: z.string(),
    timestamp: z.string(),
    issues: z.array(Issue),
    recommendations: z.array(Recommendation),
    suggestedActions: z.array(SuggestedAction),
    stats: AnalysisStats,
  })
  .meta({ id: 'AnalysisResponse' });
export type AnalysisResponse = z.infer<typeof AnalysisResponse>;

export const ErrorDetail = z
  .object({
    timestamp: z.string(),
    component: z.enum(['connection', 'k8s', 'hosts', 'network']),
    serviceKey: z.string(),
    forwardKey: z.string().optional(),
    podName: z.string().optional(),
    message: z.string(),
    errorType: ErrorType,
    errorCode: z.string().optional(),
    recoverable: z.boolean(),
  })
  .meta({ id: 'ErrorDetail' });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const NetworkStatus = z
  .object({
    loopbackInterface: z.string(),
    ipsAllocated: z.number().int(),
    ipRange: z.string(),
    portsInUse: z.array(z.string()),
    hostnames: z.array(z.string()),
  })
  .meta({ id: 'NetworkStatus' });
export type NetworkStatus = z.infer<typeof NetworkStatus>;

export const DiagnosticSummary = z
  .object({
    status: HealthLevel,
    timestamp: z.string(),
    uptime: z.string(),
    version: z.string(),
    services: z.object({
      total: z.number().int(),
      active: z.number().int(),
      error: z.number().int(),
      partial: z.number().int(),
      pending: z.number().int(),
      waiting: z.number().int(),
    }),
    network: NetworkStatus,
    errors: z.array(ErrorDetail),
    recommendations: z.array(z.string()),
  })
  .meta({ id: 'DiagnosticSummary' });
export type DiagnosticSummary = z.infer<typeof DiagnosticSummary>;

export const ConnectionState = z.enum(['pending', 'connecting', 'connected', 'waiting', 'error', 'stopping']);

export const ForwardDiagnostic = z
  .object({
    key: z.string(),
    serviceKey: z.string(),
    podName: z.string(),
    containerName: z.string().optional(),
    status: z.string(),
    error: z.string().optional(),
    errorType: ErrorType.optional(),
    reason: z.string().optional(),
    nextRetryAt: z.string().optional(),
    localIP: z.string(),
    localPort: z.string(),
    podPort: z.string(),
    hostnames: z.array(z.string()),
    connectedAt: z.string(),
    uptime: z.string(),
    lastActive: z.string().optional(),
    idleDuration: z.string().optional(),
    reconnects: z.number().int(),
    connection: z.object({
      state: ConnectionState,
      bytesIn: z.number(),
      bytesOut: z.number(),
      connections: z.number().int(),
      activeConnections: z.number().int(),
      lastActivity: z.string().optional(),
      idleDuration: z.string().optional(),
    }),
    bytesIn: z.number(),
    bytesOut: z.number(),
    rateIn: z.number(),
    rateOut: z.number(),
  })
  .meta({ id: 'ForwardDiagnostic' });
export type ForwardDiagnostic = z.infer<typeof ForwardDiagnostic>;

export const ServiceDiagnostic = z
  .object({
    key: z.string(),
    serviceName: z.string(),
    namespace: z.string(),
    context: z.string(),
    status: z.string(),
    headless: z.boolean(),
    activeCount: z.number().int(),
    errorCount: z.number().int(),
    reconnectState: z.object({
      autoReconnectEnabled: z.boolean(),
      attemptCount: z.number().int(),
      lastAttempt: z.string().optional(),
      lastSuccess: z.boolean().optional(),
      nextAttempt: z.string().optional(),
      isReconnecting: z.boolean(),
    }),
    syncState: z.object({
      lastSyncedAt: z.string().optional(),
      podCount: z.number().int(),
      readyPods: z.number().int(),
    }),
    forwards: z.array(ForwardDiagnostic),
    errorHistory: z.array(ErrorDetail),
    recommendations: z.array(z.string()),
  })
  .meta({ id: 'ServiceDiagnostic' });
export type ServiceDiagnostic = z.infer<typeof ServiceDiagnostic>;

export interface ErrorClass {
  errorType: ErrorType;
  severity: Severity;
  /** What a person (or a model) should do next. */
  suggestion: string;
}

const CLASS_BY_CODE: Record<string, ErrorType> = {
  CONNECTION_REFUSED: 'connection_refused',
  TIMEOUT: 'timeout',
  POD_NOT_FOUND: 'pod_not_found',
  NO_PODS: 'no_pods',
  PERMISSION_DENIED: 'permission_denied',
  AUTH_FAILED: 'auth_failed',
  TLS_ERROR: 'tls_error',
  API_UNREACHABLE: 'api_unreachable',
  PORT_IN_USE: 'port_in_use',
  STREAM_ERROR: 'stream_error',
  UNSUPPORTED_SERVICE: 'unsupported_service',
  NO_SELECTOR: 'unsupported_service',
};

/** Ordered message patterns (first match wins), for errors that came without a code. */
const CLASS_BY_TEXT: [RegExp, ErrorType][] = [
  [/connection refused|econnrefused/i, 'connection_refused'],
  [/x509|certificate|tls|ssl/i, 'tls_error'],
  [/forbidden|permission denied|rbac|cannot (get|list|watch|create)/i, 'permission_denied'],
  [/unauthori[sz]ed|401|credentials|token (has )?expired/i, 'auth_failed'],
  [/timed? ?out|timeout|etimedout|deadline exceeded/i, 'timeout'],
  [/pods? .*not found|not found.*pod|pod .*(gone|deleted|terminat)/i, 'pod_not_found'],
  [/no (ready )?pods?|no endpoints/i, 'no_pods'],
  [/eaddrinuse|address already in use|port .*in use/i, 'port_in_use'],
  [/broken pipe|epipe|econnreset|connection reset/i, 'broken_pipe'],
  [
    /enotfound|ehostunreach|enetunreach|getaddrinfo|unable to connect to the server|api server|no route to host/i,
    'api_unreachable',
  ],
  [/not found/i, 'pod_not_found'],
  [/stream|goaway|spdy|websocket/i, 'stream_error'],
];

const CLASS_INFO: Record<ErrorType, { severity: Severity; suggestion: string }> = {
  connection_refused: {
    severity: 'high',
    suggestion:
      'The pod is not listening on that port yet (starting, crashed or wrong port). Check readiness and pod logs, then reconnect the service.',
  },
  timeout: {
    severity: 'high',
    suggestion:
      'The connection timed out. Check network policies, pod health and cluster load, then reconnect.',
  },
  pod_not_found: {
    severity: 'critical',
    suggestion:
      'The pod is gone. Sync the service (force) so kubefwd picks its replacement; check the deployment if none appears.',
  },
  no_pods: {
    severity: 'high',
    suggestion:
      'No ready pod backs the service. Check the workload (pods, events); kubefwd retries on its own.',
  },
  broken_pipe: {
    severity: 'high',
    suggestion:
      'The connection to the pod was cut. kubefwd reconnects on its own; reconnect the service if it persists.',
  },
  permission_denied: {
    severity: 'critical',
    suggestion:
      'Your Kubernetes user lacks an RBAC permission (pods/portforward, list services or pods). Ask a cluster admin or use another context.',
  },
  auth_failed: {
    severity: 'critical',
    suggestion:
      'The cluster rejected the credentials. Refresh them (log in again / exec plugin) and reconnect.',
  },
  tls_error: {
    severity: 'critical',
    suggestion:
      'The cluster certificate was not accepted. Check certificate-authority and tls-server-name in the kubeconfig.',
  },
  api_unreachable: {
    severity: 'critical',
    suggestion: 'The Kubernetes API server cannot be reached. Check VPN/proxy and `kubectl cluster-info`.',
  },
  port_in_use: {
    severity: 'high',
    suggestion: 'Another program holds that local address:port. Stop it or map the port elsewhere with -m.',
  },
  stream_error: {
    severity: 'medium',
    suggestion:
      'The port-forward stream failed. kubefwd reconnects on its own; reconnect the service if it persists.',
  },
  unsupported_service: {
    severity: 'low',
    suggestion: 'The service cannot be port-forwarded (ExternalName, UDP only, or no selector).',
  },
  unknown: { severity: 'high', suggestion: 'Check the pod status and logs, then reconnect the service.' },
};

/** Classifies an error by its contract/errors code when known, else by its message text. */
export const classifyError = (message: string | undefined, code?: string): ErrorClass => {
  const byCode = code ? CLASS_BY_CODE[code] : undefined;
  const text = message ?? '';
  const errorType = byCode ?? CLASS_BY_TEXT.find(([re]) => re.test(text))?.[1] ?? 'unknown';
  return { errorType, ...CLASS_INFO[errorType] };
};
