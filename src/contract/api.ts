// The REST API's wire shapes: the envelope, every request body and response payload, and the
// query parameters. kubefwd's routes and JSON field names, its defects
// fixed. The server validates with these and generates its OpenAPI document from them; the client
// (api/client) parses responses with them. Discovery, diagnostics and SSE shapes live in the
// api-*.ts files beside this one and are re-exported here, so `contract/api.js` is the one import.
//
// Error codes: error bodies carry the codes of contract/errors (UPPER_CASE). kubefwd's route-specific
// lower-case codes map as: invalid_request/missing_namespace/missing_params → INVALID_INPUT,
// invalid_key → INVALID_KEY, *_not_found → SERVICE/NAMESPACE/POD/FORWARD_NOT_FOUND or NOT_FOUND,
// add_*_failed → the engine's code (ALREADY_EXISTS, NO_SELECTOR, ...), list_*_failed/get_*_failed →
// the cluster's code (API_UNREACHABLE, PERMISSION_DENIED, ...), *_unavailable → NOT_READY,
// INTERNAL_ERROR → INTERNAL.
import { z } from 'zod';
import { ForwardStatus, ForwardView, NamespaceView, ServiceStatus, ServiceView, Summary } from './state.js';
import { queryBool, queryInt, queryText } from './api-query.js';

export * from './api-query.js';
export * from './api-k8s.js';
export * from './api-diagnostics.js';
export * from './api-events.js';

// ------------------------------------------------------------------ envelope

export const ApiErrorBody = z
  .object({
    code: z.string().meta({ description: 'A code of contract/errors, e.g. SERVICE_NOT_FOUND' }),
    message: z.string(),
    hint: z.string().optional(),
    field: z.string().optional(),
  })
  .meta({ id: 'ApiErrorBody' });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const ApiError = z.object({ success: z.literal(false), error: ApiErrorBody }).meta({ id: 'ApiError' });
export type ApiError = z.infer<typeof ApiError>;

export const ApiMeta = z.object({
  /** Number of items for list payloads (omitted otherwise). */
  count: z.number().int().optional(),
  /** RFC3339. */
  timestamp: z.string(),
});
export type ApiMeta = z.infer<typeof ApiMeta>;

/** `{success:true, data, meta}` around a payload schema. */
export const envelope = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), data, meta: ApiMeta.optional() });

export interface ApiSuccess<T> {
  success: true;
  data: T;
  meta?: ApiMeta;
}

// ------------------------------------------------------------------ state views (re-tagged for OpenAPI)

export const ForwardViewSchema = ForwardView.meta({ id: 'ForwardView' });
export const ServiceViewSchema = ServiceView.meta({ id: 'ServiceView' });
export const SummarySchema = Summary.meta({ id: 'Summary' });
export const NamespaceViewSchema = NamespaceView.meta({ id: 'NamespaceView' });

// ------------------------------------------------------------------ health & info

export const HealthResponse = z
  .object({
    status: z.literal('healthy'),
    version: z.string(),
    /** Go-style duration, rounded to seconds ("2h15m30s"). */
    uptime: z.string(),
    timestamp: z.string(),
    /** File descriptors and refused connections (absent where the daemon does not track them). */
    resources: z
      .object({
        acceptErrors: z.number(),
        apiConnectionsRefused: z.number(),
        nearFileLimit: z.number(),
        openFiles: z.number().optional(),
        fileLimit: z.number().optional(),
      })
      .optional(),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;

export const InfoResponse = z
  .object({
    version: z.string(),
    nodeVersion: z.string(),
    /** `<os>/<arch>`. */
    platform: z.string(),
    startTime: z.string(),
    uptime: z.string(),
    /** Namespaces and contexts given on the command line. */
    namespaces: z.array(z.string()).optional(),
    contexts: z.array(z.string()).optional(),
    tuiEnabled: z.boolean(),
    apiEnabled: z.literal(true),
    /**
     * The hosts file kubefwd writes. `system`: it is the machine's own, so the names resolve for
     * every program; else (--hosts-path) they are only in that file, and clients should use the IPs.
     */
    hostsFile: z.object({ path: z.string(), system: z.boolean() }).optional(),
  })
  .meta({ id: 'InfoResponse' });
export type InfoResponse = z.infer<typeof InfoResponse>;

// ------------------------------------------------------------------ services & forwards

export const ServicesListResponse = z
  .object({ services: z.array(ServiceViewSchema), summary: SummarySchema })
  .meta({ id: 'ServicesListResponse' });
export type ServicesListResponse = z.infer<typeof ServicesListResponse>;

export const ForwardsListResponse = z
  .object({ forwards: z.array(ForwardViewSchema), summary: SummarySchema })
  .meta({ id: 'ForwardsListResponse' });
export type ForwardsListResponse = z.infer<typeof ForwardsListResponse>;

/** `limit` (1..1000, default 100), `offset`, `status`, `namespace`, `context`, `search`. */
export const ListQuery = z.object({
  limit: queryInt(1, 1000).optional(),
  offset: queryInt(0, 1_000_000).optional(),
  status: queryText(32).optional(),
  namespace: queryText(253).optional(),
  context: queryText(253).optional(),
  search: queryText(256).optional(),
});
export interface ListOptions {
  limit?: number;
  offset?: number;
  /** Services: active|error|partial|pending|waiting; forwards: a ForwardStatus (any case). */
  status?: string;
  namespace?: string;
  context?: string;
  search?: string;
}
export const SERVICE_STATUSES = ServiceStatus.options;
export const FORWARD_STATUSES = ForwardStatus.options;

/**
 * kubefwd's fields this API does not honour. kubefwd accepted and silently ignored them, so a client
 * believed it had its address or ports: they are refused, naming the field and what to do instead.
 */
const ADD_SERVICE_REFUSED: Record<string, string> = {
  ports:
    'not supported: every TCP port of the service is forwarded (on its own port, or as mapped with -m at start); leave ports out',
  localIP:
    'not supported: kubefwd allocates the address (reserve one for the service at start with -r name:ip); leave localIP out',
};

/** kubefwd's body; `service_name` is accepted as a spelling of `serviceName` (its docs used it). */
export const AddServiceRequest = z
  .preprocess(
    (v, ctx) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const rest: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const [field, message] of Object.entries(ADD_SERVICE_REFUSED))
        if (Object.hasOwn(rest, field)) {
          ctx.addIssue({ code: 'custom', message, path: [field], input: rest[field] });
          delete rest[field];
        }
      if ('service_name' in rest && !('serviceName' in rest)) {
        const { service_name, ...others } = rest;
        return { ...others, serviceName: service_name };
      }
      return rest;
    },
    z.strictObject({
      namespace: z.string().min(1).max(253),
      serviceName: z.string().min(1).max(253),
      context: z.string().min(1).max(253).optional(),
    }),
  )
  .meta({ id: 'AddServiceRequest' });
export type AddServiceRequest = z.output<typeof AddServiceRequest>;

export const PortMapping = z.object({
  name: z.string().optional(),
  localPort: z.number().int(),
  remotePort: z.number().int(),
  targetPort: z.string().optional(),
  protocol: z.string().optional(),
});

export const AddServiceResponse = z
  .object({
    key: z.string(),
    serviceName: z.string(),
    namespace: z.string(),
    context: z.string(),
    localIP: z.string(),
    hostnames: z.array(z.string()),
    ports: z.array(PortMapping),
  })
  .meta({ id: 'AddServiceResponse' });
export type AddServiceResponse = z.infer<typeof AddServiceResponse>;

export const RemoveResponse = z
  .object({ removed: z.literal(true), key: z.string(), message: z.string().optional() })
  .meta({ id: 'RemoveResponse' });
export type RemoveResponse = z.infer<typeof RemoveResponse>;

export const ReconnectResponse = z
  .object({ triggered: z.number().int(), services: z.array(z.string()).optional() })
  .meta({ id: 'ReconnectResponse' });
export type ReconnectResponse = z.infer<typeof ReconnectResponse>;

export const SyncResponse = z
  .object({ service: z.string(), force: z.boolean() })
  .meta({ id: 'SyncResponse' });
export type SyncResponse = z.infer<typeof SyncResponse>;

export const ForceQuery = z.object({ force: queryBool.optional() });
export const CountQuery = (max: number) => z.object({ count: queryInt(1, max).optional() });

// ------------------------------------------------------------------ HTTP traffic

export const HttpLogEntry = z
  .object({
    timestamp: z.string(),
    method: z.string(),
    /** Untrusted text from the client. */
    path: z.string(),
    statusCode: z.number().int(),
    /** Go-style duration ("12.5ms"). */
    duration: z.string(),
    durationMs: z.number(),
    /** Response body size (Content-Length, or counted for chunked bodies). */
    size: z.number(),
    requestSize: z.number(),
    forwardKey: z.string().optional(),
  })
  .meta({ id: 'HttpLogEntry' });
export type HttpLogEntry = z.infer<typeof HttpLogEntry>;

export const HttpActivitySummary = z
  .object({
    totalRequests: z.number().int(),
    lastRequest: z.string().optional(),
    statusCodes: z.object({
      '2xx': z.number().int(),
      '3xx': z.number().int(),
      '4xx': z.number().int(),
      '5xx': z.number().int(),
    }),
    topPaths: z.array(z.object({ path: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'HttpActivitySummary' });
export type HttpActivitySummary = z.infer<typeof HttpActivitySummary>;

export const HttpTrafficResponse = z
  .object({
    forwardKey: z.string(),
    podName: z.string(),
    localIP: z.string(),
    localPort: z.string(),
    summary: HttpActivitySummary,
    /** Newest last. */
    logs: z.array(HttpLogEntry),
  })
  .meta({ id: 'HttpTrafficResponse' });
export type HttpTrafficResponse = z.infer<typeof HttpTrafficResponse>;

export const ServiceHttpTrafficResponse = z
  .object({ serviceKey: z.string(), summary: HttpActivitySummary, forwards: z.array(HttpTrafficResponse) })
  .meta({ id: 'ServiceHttpTrafficResponse' });
export type ServiceHttpTrafficResponse = z.infer<typeof ServiceHttpTrafficResponse>;

// ------------------------------------------------------------------ metrics

// The state summary's counts, with the rates under kubefwd's metrics names (totalRateIn/Out).
export const MetricsSummaryResponse = Summary.omit({ rateIn: true, rateOut: true })
  .extend({
    totalRateIn: z.number(),
    totalRateOut: z.number(),
    totalConnections: z.number().int(),
    activeConnections: z.number().int(),
    uptime: z.string(),
    lastUpdated: z.string(),
  })
  .meta({ id: 'MetricsSummaryResponse' });
export type MetricsSummaryResponse = z.infer<typeof MetricsSummaryResponse>;

export const MetricsSample = z.object({
  timestamp: z.string(),
  /** Cumulative bytes at that moment. */
  bytesIn: z.number(),
  bytesOut: z.number(),
  /** Bytes per second over the second before. */
  rateIn: z.number(),
  rateOut: z.number(),
});
export type MetricsSample = z.infer<typeof MetricsSample>;

export const PortForwardMetrics = z
  .object({
    key: z.string(),
    podName: z.string(),
    localIP: z.string(),
    localPort: z.string(),
    podPort: z.string(),
    bytesIn: z.number(),
    bytesOut: z.number(),
    rateIn: z.number(),
    rateOut: z.number(),
    avgRateIn: z.number(),
    avgRateOut: z.number(),
    connections: z.number().int(),
    activeConnections: z.number().int(),
    connectedAt: z.string(),
    lastActivityAt: z.string().optional(),
  })
  .meta({ id: 'PortForwardMetrics' });
export type PortForwardMetrics = z.infer<typeof PortForwardMetrics>;

export const ServiceMetricsResponse = z
  .object({
    key: z.string(),
    serviceName: z.string(),
    namespace: z.string(),
    context: z.string(),
    totalBytesIn: z.number(),
    totalBytesOut: z.number(),
    rateIn: z.number(),
    rateOut: z.number(),
    portForwards: z.array(PortForwardMetrics),
    history: z.array(MetricsSample).optional(),
  })
  .meta({ id: 'ServiceMetricsResponse' });
export type ServiceMetricsResponse = z.infer<typeof ServiceMetricsResponse>;

export const MetricsHistoryResponse = z
  .object({ key: z.string(), history: z.array(MetricsSample) })
  .meta({ id: 'MetricsHistoryResponse' });
export type MetricsHistoryResponse = z.infer<typeof MetricsHistoryResponse>;

export const PointsQuery = z.object({ points: queryInt(1, 300).optional() });

// ------------------------------------------------------------------ logs

export const LogLevelName = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevelName = z.infer<typeof LogLevelName>;

export const LogEntry = z
  .object({
    timestamp: z.string(),
    level: LogLevelName,
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof LogEntry>;

export const LogsResponse = z
  .object({ logs: z.array(LogEntry), totalCount: z.number().int() })
  .meta({ id: 'LogsResponse' });
export type LogsResponse = z.infer<typeof LogsResponse>;

/**
 * `level` is the minimum level shown (`warn` → warn and error); kubefwd's `warning`, `all` and the
 * logrus names are accepted. `search` is a case-insensitive substring of the message.
 */
export const LogsQuery = z.object({
  count: queryInt(1, 1000).optional(),
  level: z
    .enum(['debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic', 'trace', 'all', ''])
    .optional(),
  search: queryText(256).optional(),
});
export interface LogsOptions {
  count?: number;
  level?: LogLevelName | 'all';
  search?: string;
}

export const ClearLogsResponse = z
  .object({ cleared: z.literal(true), message: z.string() })
  .meta({ id: 'ClearLogsResponse' });
export type ClearLogsResponse = z.infer<typeof ClearLogsResponse>;

// ------------------------------------------------------------------ history

export const HISTORY_EVENT_TYPES = [
  'ServiceAdded',
  'ServiceRemoved',
  'ServiceSkipped',
  'ForwardStarted',
  'ForwardStopped',
  'ForwardError',
  'ForwardWaiting',
  'PodStatusChanged',
  'ReconnectStarted',
  'ReconnectSuccess',
  'ReconnectFailed',
  'SyncTriggered',
  'NamespaceAdded',
  'NamespaceRemoved',
  /** The namespace's list/watch started failing: its forwards no longer follow the cluster. */
  'NamespaceWatchFailing',
  'NamespaceWatchRecovered',
] as const;
export const HistoryEventType = z.enum(HISTORY_EVENT_TYPES);
export type HistoryEventType = z.infer<typeof HistoryEventType>;

export const HistoryEvent = z
  .object({
    id: z.number().int(),
    type: HistoryEventType,
    timestamp: z.string(),
    serviceKey: z.string().optional(),
    forwardKey: z.string().optional(),
    podName: z.string().optional(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'HistoryEvent' });
export type HistoryEvent = z.infer<typeof HistoryEvent>;

export const ErrorRecord = z
  .object({
    id: z.number().int(),
    timestamp: z.string(),
    serviceKey: z.string(),
    forwardKey: z.string().optional(),
    podName: z.string().optional(),
    /** Classified (see ErrorType). */
    errorType: z.string(),
    errorCode: z.string().optional(),
    message: z.string(),
    resolved: z.boolean(),
    resolvedAt: z.string().optional(),
  })
  .meta({ id: 'ErrorRecord' });
export type ErrorRecord = z.infer<typeof ErrorRecord>;

export const ReconnectRecord = z
  .object({
    id: z.number().int(),
    timestamp: z.string(),
    serviceKey: z.string(),
    trigger: z.enum(['auto', 'manual', 'sync', 'pod-change']),
    attemptCount: z.number().int(),
    success: z.boolean(),
    /** Nanoseconds, as kubefwd serialises it. */
    duration: z.number().int(),
    durationMs: z.number(),
    error: z.string().optional(),
  })
  .meta({ id: 'ReconnectRecord' });
export type ReconnectRecord = z.infer<typeof ReconnectRecord>;

export const HistoryStats = z
  .object({
    totalEvents: z.number().int(),
    totalErrors: z.number().int(),
    totalReconnects: z.number().int(),
    maxEvents: z.number().int(),
    maxErrors: z.number().int(),
    maxReconnects: z.number().int(),
  })
  .meta({ id: 'HistoryStats' });
export type HistoryStats = z.infer<typeof HistoryStats>;

/** Only one service's records: its key, or a short form naming one (unknown: 404, not an empty list). */
const historyServiceQ = {
  serviceKey: queryText(512).optional(),
  service_key: queryText(512).optional().meta({ description: 'same as serviceKey' }),
};

export const HistoryEventsQuery = z.object({
  count: queryInt(1, 1000).optional(),
  type: HistoryEventType.optional(),
  ...historyServiceQ,
});

/** count (1..max) and an optional service, for the error and reconnection history. */
export const HistoryQuery = (max: number) =>
  z.object({ count: queryInt(1, max).optional(), ...historyServiceQ });

// ------------------------------------------------------------------ namespaces

/** kubefwd's `selector` (label selector) plus our `labelSelector`/`fieldSelector`. */
export const AddNamespaceRequest = z
  .strictObject({
    namespace: z.string().min(1).max(253),
    context: z.string().min(1).max(253).optional(),
    selector: z.string().max(1024).optional(),
    labelSelector: z.string().max(1024).optional(),
    fieldSelector: z.string().max(1024).optional(),
  })
  .meta({ id: 'AddNamespaceRequest' });
export type AddNamespaceRequest = z.infer<typeof AddNamespaceRequest>;

export const AddNamespaceResponse = z
  .object({
    key: z.string(),
    namespace: z.string(),
    context: z.string(),
    /** Discovered asynchronously: watch GET /api/v1/services or the SSE stream. */
    services: z.array(z.string()),
  })
  .meta({ id: 'AddNamespaceResponse' });
export type AddNamespaceResponse = z.infer<typeof AddNamespaceResponse>;

export const NamespacesListResponse = z
  .object({ namespaces: z.array(NamespaceViewSchema) })
  .meta({ id: 'NamespacesListResponse' });
export type NamespacesListResponse = z.infer<typeof NamespacesListResponse>;

// ------------------------------------------------------------------ discovery file

/** `<home>/.kubefwd/api.json`, written by the daemon (mode 0600), read by `kubefwd mcp` and `kubefwd tui`. */
export const DiscoveryFile = z.object({
  /** Server root, e.g. "http://127.0.0.1:43121" (the API lives under `/api`). */
  url: z.string().min(1),
  key: z.string().min(1),
  pid: z.number().int(),
});
export type DiscoveryFile = z.infer<typeof DiscoveryFile>;

/** Where the discovery file lives, relative to the invoking user's home. */
export const DISCOVERY_FILE_DIR = '.kubefwd';
export const DISCOVERY_FILE_NAME = 'api.json';
