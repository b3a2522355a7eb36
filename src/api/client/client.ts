// The typed client of the kubefwd REST API: one method per route, each returning the parsed
// payload (the envelope's `data`) or throwing a KubefwdError with the server's code
// (DAEMON_UNAVAILABLE when the daemon cannot be reached). Used by `kubefwd mcp`, the attached TUI
// and tests. Query names are sent in camelCase (the server accepts both spellings).
import { z } from 'zod';
import {
  AddNamespaceResponse,
  AddServiceResponse,
  AnalysisResponse,
  ClearLogsResponse,
  DiagnosticSummary,
  ErrorDetail,
  ErrorRecord,
  ForwardDiagnostic,
  ForwardsListResponse,
  ForwardViewSchema,
  HealthResponse,
  HistoryEvent,
  HistoryStats,
  HttpTrafficResponse,
  InfoResponse,
  K8sContextsResponse,
  K8sEndpoints,
  K8sEventsResponse,
  K8sNamespacesResponse,
  K8sPodDetail,
  K8sPodsResponse,
  K8sService,
  K8sServicesResponse,
  LogsResponse,
  MetricsHistoryResponse,
  MetricsSummaryResponse,
  NamespacesListResponse,
  NamespaceViewSchema,
  NetworkStatus,
  PodLogsResponse,
  QuickStatus,
  ReconnectRecord,
  ReconnectResponse,
  RemoveResponse,
  ServiceDiagnostic,
  ServiceHttpTrafficResponse,
  ServiceMetricsResponse,
  ServicesListResponse,
  ServiceViewSchema,
  SyncResponse,
  type AddNamespaceRequest,
  type AddServiceRequest,
  type HistoryEventType,
  type K8sEventsOptions,
  type K8sPodsOptions,
  type ListOptions,
  type LogsOptions,
  type PodLogsOptions,
} from '../../contract/api.js';
import { DASHBOARD_LINK_PATH, DashboardLinkResponse } from '../../contract/api-dashboard.js';
import { subscribeEvents, type EventSubscription, type SubscribeOptions } from './events.js';
import { createTransport, type FetchLike, type Query } from './transport.js';

export interface ApiClientOptions {
  /** Server root or API base: "http://127.0.0.1:43121", "http://kubefwd.internal/api". */
  baseUrl: string;
  /** The bearer key (from the discovery file or KUBEFWD_API_KEY). */
  key?: string;
  /** Injected fetch (tests call a Hono app in process: `(url, init) => app.request(url, init)`). */
  fetch?: FetchLike;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
}

const seg = (s: string): string => encodeURIComponent(s);
const Unknown = z.unknown();

// Long as a table: one typed method per REST route.
export const createApiClient = (options: ApiClientOptions) => {
  const t = createTransport(options);
  const get = <T extends z.ZodType>(path: string, schema: T, query?: Query) =>
    t.call(path, schema, { query });
  const post = <T extends z.ZodType>(path: string, schema: T, body?: unknown, query?: Query) =>
    t.call(path, schema, { method: 'POST', body, query });
  const del = <T extends z.ZodType>(path: string, schema: T) => t.call(path, schema, { method: 'DELETE' });
  const list = (o: ListOptions = {}): Query => ({ ...o });

  return {
    /** The resolved server root (without `/api`). */
    baseUrl: t.root,

    // -- daemon
    health: () => t.call('/api/health', HealthResponse, { shape: 'bare' }),
    info: () => get('/api/info', InfoResponse),
    /** The OpenAPI 3.1 document. */
    openapi: () =>
      t.call('/api/openapi.json', Unknown, { shape: 'bare' }) as Promise<Record<string, unknown>>,

    /** A one-time dashboard login link (what `kubefwd open` opens). */
    dashboardLink: () => post(DASHBOARD_LINK_PATH, DashboardLinkResponse),

    // -- services
    listServices: (o?: ListOptions) => get('/api/v1/services', ServicesListResponse, list(o)),
    getService: (key: string) => get(`/api/v1/services/${seg(key)}`, ServiceViewSchema),
    addService: (req: AddServiceRequest) => post('/api/v1/services', AddServiceResponse, req),
    removeService: (key: string) => del(`/api/v1/services/${seg(key)}`, RemoveResponse),
    reconnectService: (key: string) => post(`/api/v1/services/${seg(key)}/reconnect`, ReconnectResponse),
    /** Reconnects services with errored/waiting forwards; `force` reconnects all. */
    reconnectAll: (o: { force?: boolean } = {}) =>
      post('/api/v1/services/reconnect', ReconnectResponse, undefined, { force: o.force }),
    syncService: (key: string, o: { force?: boolean } = {}) =>
      post(`/api/v1/services/${seg(key)}/sync`, SyncResponse, undefined, { force: o.force }),
    serviceHttpTraffic: (key: string, o: { count?: number } = {}) =>
      get(`/api/v1/services/${seg(key)}/http`, ServiceHttpTrafficResponse, { count: o.count }),
    serviceReconnections: (key: string, o: { count?: number } = {}) =>
      get(`/api/v1/services/${seg(key)}/history/reconnections`, z.array(ReconnectRecord), { count: o.count }),

    // -- forwards
    listForwards: (o?: ListOptions) => get('/api/v1/forwards', ForwardsListResponse, list(o)),
    getForward: (key: string) => get(`/api/v1/forwards/${seg(key)}`, ForwardViewSchema),
    forwardHttpTraffic: (key: string, o: { count?: number } = {}) =>
      get(`/api/v1/forwards/${seg(key)}/http`, HttpTrafficResponse, { count: o.count }),

    // -- metrics
    metrics: () => get('/api/v1/metrics', MetricsSummaryResponse),
    serviceMetricsList: () => get('/api/v1/metrics/services', z.array(ServiceMetricsResponse)),
    serviceMetrics: (key: string) => get(`/api/v1/metrics/services/${seg(key)}`, ServiceMetricsResponse),
    serviceMetricsHistory: (key: string, o: { points?: number } = {}) =>
      get(`/api/v1/metrics/services/${seg(key)}/history`, MetricsHistoryResponse, { points: o.points }),

    // -- logs (the daemon's own log)
    logs: (o: LogsOptions = {}) => get('/api/v1/logs', LogsResponse, { ...o }),
    systemLogs: (o: LogsOptions = {}) => get('/api/v1/logs/system', LogsResponse, { ...o }),
    clearSystemLogs: () => del('/api/v1/logs/system', ClearLogsResponse),

    // -- diagnostics & analysis
    diagnostics: () => get('/api/v1/diagnostics', DiagnosticSummary),
    serviceDiagnostic: (key: string) => get(`/api/v1/diagnostics/services/${seg(key)}`, ServiceDiagnostic),
    forwardDiagnostic: (key: string) => get(`/api/v1/diagnostics/forwards/${seg(key)}`, ForwardDiagnostic),
    networkDiagnostics: () => get('/api/v1/diagnostics/network', NetworkStatus),
    diagnosticErrors: (o: { count?: number } = {}) =>
      get('/api/v1/diagnostics/errors', z.array(ErrorDetail), { count: o.count }),
    quickStatus: () => get('/api/v1/status', QuickStatus),
    analyze: () => get('/api/v1/analyze', AnalysisResponse),

    // -- history
    historyEvents: (o: { count?: number; type?: HistoryEventType; serviceKey?: string } = {}) =>
      get('/api/v1/history/events', z.array(HistoryEvent), { ...o }),
    historyErrors: (o: { count?: number; serviceKey?: string } = {}) =>
      get('/api/v1/history/errors', z.array(ErrorRecord), { ...o }),
    historyReconnections: (o: { count?: number; serviceKey?: string } = {}) =>
      get('/api/v1/history/reconnections', z.array(ReconnectRecord), { ...o }),
    historyStats: () => get('/api/v1/history/stats', HistoryStats),

    // -- forwarded namespaces (a watcher per namespace × context)
    listNamespaces: () => get('/api/v1/namespaces', NamespacesListResponse),
    /** `context` omitted → the daemon's current context. */
    getNamespace: (namespace: string, context?: string) =>
      get(`/api/v1/namespaces/${seg(`${namespace}.${context ?? ''}`)}`, NamespaceViewSchema),
    addNamespace: (req: AddNamespaceRequest) => post('/api/v1/namespaces', AddNamespaceResponse, req),
    removeNamespace: (namespace: string, context?: string) =>
      del(`/api/v1/namespaces/${seg(`${namespace}.${context ?? ''}`)}`, RemoveResponse),

    // -- Kubernetes discovery (through the daemon's cluster connection)
    k8sContexts: () => get('/api/v1/kubernetes/contexts', K8sContextsResponse),
    k8sNamespaces: (o: { context?: string } = {}) =>
      get('/api/v1/kubernetes/namespaces', K8sNamespacesResponse, { ...o }),
    k8sServices: (namespace: string, o: { context?: string } = {}) =>
      get('/api/v1/kubernetes/services', K8sServicesResponse, { namespace, ...o }),
    k8sService: (namespace: string, name: string, o: { context?: string } = {}) =>
      get(`/api/v1/kubernetes/services/${seg(namespace)}/${seg(name)}`, K8sService, { ...o }),
    k8sPods: (namespace: string, o: K8sPodsOptions = {}) =>
      get(`/api/v1/kubernetes/pods/${seg(namespace)}`, K8sPodsResponse, { ...o }),
    k8sPod: (namespace: string, podName: string, o: { context?: string } = {}) =>
      get(`/api/v1/kubernetes/pods/${seg(namespace)}/${seg(podName)}`, K8sPodDetail, { ...o }),
    podLogs: (namespace: string, podName: string, o: PodLogsOptions = {}) =>
      get(`/api/v1/kubernetes/pods/${seg(namespace)}/${seg(podName)}/logs`, PodLogsResponse, { ...o }),
    k8sEvents: (namespace: string, o: K8sEventsOptions = {}) =>
      get(`/api/v1/kubernetes/events/${seg(namespace)}`, K8sEventsResponse, { ...o }),
    k8sEndpoints: (namespace: string, serviceName: string, o: { context?: string } = {}) =>
      get(`/api/v1/kubernetes/endpoints/${seg(namespace)}/${seg(serviceName)}`, K8sEndpoints, { ...o }),

    // -- live events
    /** Streams `GET /api/v1/events` (SSE). See SubscribeOptions. */
    subscribeEvents: (o: SubscribeOptions): EventSubscription => subscribeEvents(t, o),
  };
};

export type ApiClient = ReturnType<typeof createApiClient>;
