// Diagnostics and analysis shapes (kubefwd's /api/v1/diagnostics and /analyze): quick status, full
// analysis with classified issues and recommended actions, per-service/forward diagnosis, network
// status. The classifier that fills them is domain/diagnosis.ts.
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
  'api_busy',
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
    /** As health says healthy / degraded / unhealthy (one rule: the analysis's issues). */
    status: z.enum(['ok', 'issues', 'error']),
    /** Names the services with issues, each once, by its worst: in error, connections failing, waiting. */
    message: z.string(),
    /**
     * Forwards with an issue the analysis lists that is not a wait: in Error, re-dialling after a
     * failure, or Active with connections failing (kubefwd counted only forwards in Error).
     */
    errorCount: z.number().int(),
    /** Forwards Waiting for a pod or a retry. errorCount + waitingCount = the analysis's forward issues. */
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
  /** Forward issues: where the forward is, its status, why it waits and when it retries. */
  serviceName: z.string().optional(),
  namespace: z.string().optional(),
  context: z.string().optional(),
  status: z.string().optional(),
  reason: z.string().optional(),
  nextRetryAt: z.string().optional(),
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

/** The daemon process's memory, for "does kubefwd grow?" (Node's process.memoryUsage and V8's gc). */
export const ProcessStats = z
  .object({
    pid: z.number().int(),
    rssBytes: z.number(),
    /** V8's heap: in use now (live and not yet collected), and committed. */
    heapUsedBytes: z.number(),
    heapTotalBytes: z.number(),
    /** Memory outside the V8 heap held by JavaScript objects; arrayBuffersBytes is the buffers' part. */
    externalBytes: z.number(),
    arrayBuffersBytes: z.number(),
    /** The heap in use right after the last full collection: the live heap, what a leak grows. */
    liveHeapBytes: z.number().optional(),
    fullCollections: z.number().int(),
  })
  .meta({ id: 'ProcessStats' });
export type ProcessStats = z.infer<typeof ProcessStats>;

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
    /** Absent where the API runs outside a daemon (tests). */
    process: ProcessStats.optional(),
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
