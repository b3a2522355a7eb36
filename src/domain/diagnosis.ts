// The one error classifier. A forward's failure (its contract/errors code when the engine gave one,
// else the message text) becomes a registry code, a class word a person can act on, a severity, and
// the registry's hint — so the REST analysis, the MCP tools, the TUI and the dashboard name the same
// problem the same way and suggest the same fix. The hint text lives only in contract/errors.ts.
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../contract/errors.js';
import type { ErrorType, Issue, Severity } from '../contract/api-diagnostics.js';
import type { ForwardView, NamespaceView } from '../contract/state.js';

export interface ErrorClass {
  /** The registry code: the engine's own, else the one the message points at. */
  code: ErrorCode;
  /** kubefwd's lower-case vocabulary (`connection_refused`, `timeout`, …) plus more classes. */
  errorType: ErrorType;
  severity: Severity;
  /** What a person (or a model) should do next: the registry's hint for `code`. */
  suggestion: string;
}

const TYPE_BY_CODE: Partial<Record<ErrorCode, ErrorType>> = {
  CONNECTION_REFUSED: 'connection_refused',
  TIMEOUT: 'timeout',
  POD_NOT_FOUND: 'pod_not_found',
  NO_PODS: 'no_pods',
  ENDPOINTS_STALE: 'no_pods',
  PERMISSION_DENIED: 'permission_denied',
  AUTH_FAILED: 'auth_failed',
  TLS_ERROR: 'tls_error',
  API_UNREACHABLE: 'api_unreachable',
  API_BUSY: 'api_busy',
  PORT_IN_USE: 'port_in_use',
  STREAM_ERROR: 'stream_error',
  UNSUPPORTED_SERVICE: 'unsupported_service',
  NO_SELECTOR: 'unsupported_service',
};

/** Ordered message patterns (first match wins), for errors that came without a code. */
const TYPE_BY_TEXT: [RegExp, ErrorType][] = [
  [/connection refused|econnrefused/i, 'connection_refused'],
  [/x509|certificate|tls|ssl/i, 'tls_error'],
  [/forbidden|permission denied|rbac|cannot (get|list|watch|create)/i, 'permission_denied'],
  // APF's 429: the server asked to wait; before 'timeout' and 'unreachable', which it is not.
  [/too many requests|too busy|\b429\b/i, 'api_busy'],
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

/** A class's registry code (when the engine gave none) and its severity. */
const CLASS_INFO: Record<ErrorType, { code: ErrorCode; severity: Severity }> = {
  connection_refused: { code: 'CONNECTION_REFUSED', severity: 'high' },
  timeout: { code: 'TIMEOUT', severity: 'high' },
  pod_not_found: { code: 'POD_NOT_FOUND', severity: 'critical' },
  no_pods: { code: 'NO_PODS', severity: 'high' },
  // A cut connection is a failed stream: kubefwd reconnects on its own.
  broken_pipe: { code: 'STREAM_ERROR', severity: 'high' },
  permission_denied: { code: 'PERMISSION_DENIED', severity: 'critical' },
  auth_failed: { code: 'AUTH_FAILED', severity: 'critical' },
  tls_error: { code: 'TLS_ERROR', severity: 'critical' },
  api_unreachable: { code: 'API_UNREACHABLE', severity: 'critical' },
  // The server is there and asked to wait; kubefwd retries when it asked, nothing to do yet.
  api_busy: { code: 'API_BUSY', severity: 'medium' },
  port_in_use: { code: 'PORT_IN_USE', severity: 'high' },
  stream_error: { code: 'STREAM_ERROR', severity: 'medium' },
  unsupported_service: { code: 'UNSUPPORTED_SERVICE', severity: 'low' },
  // A forward that fails for a reason nobody named: most often its stream.
  unknown: { code: 'STREAM_ERROR', severity: 'high' },
};

/** Classifies an error by its contract/errors code when known, else by its message text. */
export const classifyError = (message: string | undefined, code?: string): ErrorClass => {
  const known = code !== undefined && isErrorCode(code) ? code : undefined;
  const text = message ?? '';
  const errorType =
    (known && TYPE_BY_CODE[known]) ?? TYPE_BY_TEXT.find(([re]) => re.test(text))?.[1] ?? 'unknown';
  const info = CLASS_INFO[errorType];
  const final = known ?? info.code;
  return { code: final, errorType, severity: info.severity, suggestion: ERROR_CODES[final].hint };
};

type ForwardFailure = Pick<ForwardView, 'errorCode' | 'error' | 'reason' | 'status'>;

/** The classification of a forward's failure (its code, else its error or reason text). */
export const classifyForward = (f: ForwardFailure): ErrorClass =>
  classifyError(f.error ?? f.reason ?? `forward is ${f.status}`, f.errorCode);

/**
 * A forward worth reporting: in Error, Waiting with a reason, or Connecting with an error — a
 * re-dial after a failure (a lost session) keeps that failure, and while the re-dial hangs (an API
 * server that stopped answering) the forward is down, not starting.
 */
export const isTroubled = (f: Pick<ForwardView, 'status' | 'error' | 'reason'>): boolean =>
  f.status === 'Error' ||
  (f.status === 'Waiting' && (f.error ?? f.reason) !== undefined) ||
  (f.status === 'Connecting' && f.error !== undefined);

/**
 * A troubled forward that is down rather than waiting: in Error, or re-dialling after a failure.
 * The state views count these as their service's errors (status, errorCount), as quick status and
 * health count their issues, so every tool says the same number during an outage.
 */
export const isFailed = (f: Pick<ForwardView, 'status' | 'error' | 'reason'>): boolean =>
  isTroubled(f) && f.status !== 'Waiting';

/** Classes that are about the cluster (its API server, its RBAC), not one forward. */
export const isClusterSide = (t: ErrorType): boolean =>
  t === 'api_unreachable' || t === 'api_busy' || t === 'permission_denied';

/** Where an issue is: the forward's service, pod and status. */
const issueWhere = (f: ForwardView) => ({
  serviceKey: f.serviceKey,
  forwardKey: f.key,
  ...(f.podName ? { podName: f.podName } : {}),
  serviceName: f.serviceName,
  namespace: f.namespace,
  context: f.context,
  status: f.status,
});

/** The analysis issue of one troubled forward (GET /api/v1/analyze lists these). */
export const forwardIssue = (f: ForwardView): Issue => {
  const text = f.error ?? f.reason ?? `forward is ${f.status}`;
  const c = classifyError(text, f.errorCode);
  return {
    severity: f.status === 'Waiting' && c.severity === 'critical' ? 'high' : c.severity,
    component: isClusterSide(c.errorType) ? 'cluster' : 'forward',
    ...issueWhere(f),
    ...(f.reason ? { reason: f.reason } : {}),
    ...(f.nextRetryAt ? { nextRetryAt: f.nextRetryAt } : {}),
    message: text,
    errorType: c.errorType,
    ...(f.errorCode ? { errorCode: f.errorCode } : {}),
    suggestion: c.suggestion,
  };
};

/**
 * The issue of a namespace whose list/watch fails (a selector the server refuses, RBAC taken away,
 * the API server gone): its forwards may look fine, but new services, pods and deletions are not
 * seen, so they go stale.
 */
export const namespaceWatchIssue = (
  ns: Pick<NamespaceView, 'namespace' | 'context' | 'watchError' | 'watchErrorSince'>,
): Issue | undefined => {
  if (!ns.watchError) return undefined;
  const c = classifyError(ns.watchError);
  return {
    severity: 'high',
    component: 'cluster',
    namespace: ns.namespace,
    context: ns.context,
    message: `namespace ${ns.namespace} (context ${ns.context}) is not followed since ${ns.watchErrorSince ?? '?'}: ${ns.watchError}; kubefwd retries, and its forwards there go stale meanwhile`,
    errorType: c.errorType,
    suggestion: c.suggestion,
  };
};

/** How long after a failed connection an Active forward still counts as failing. */
export const RECENT_FAILURE_MS = 60_000;

/**
 * "connections fail: <reason>" for an Active forward whose connections failed lately and none got
 * the pod's answer since, else undefined.
 */
export const failingConnectionsText = (
  f: Pick<ForwardView, 'status' | 'lastConnectionError' | 'lastConnectionErrorAt' | 'lastAnsweredAt'>,
  now: number,
): string | undefined =>
  f.status === 'Active' &&
  f.lastConnectionError &&
  f.lastConnectionErrorAt &&
  now - Date.parse(f.lastConnectionErrorAt) < RECENT_FAILURE_MS &&
  !(f.lastAnsweredAt !== undefined && Date.parse(f.lastAnsweredAt) > Date.parse(f.lastConnectionErrorAt))
    ? `connections fail: ${f.lastConnectionError}`
    : undefined;

/**
 * The issue of a forward that is Active but whose connections fail (the pod refuses them, streams
 * break): nothing else shows it, as the forward itself is fine. Undefined when none failed lately.
 */
export const failingConnectionsIssue = (f: ForwardView, now: number): Issue | undefined => {
  if (failingConnectionsText(f, now) === undefined || !f.lastConnectionError) return undefined;
  const c = classifyError(f.lastConnectionError);
  const n = f.failedConnections ?? 1;
  return {
    severity: c.severity === 'critical' ? 'high' : c.severity,
    component: 'forward',
    ...issueWhere(f),
    message: `connections through ${f.localIP}:${f.localPort} to pod ${f.podName || '?'}:${f.podPort} fail (${n} so far, the last at ${f.lastConnectionErrorAt}): ${f.lastConnectionError}`,
    errorType: c.errorType,
    suggestion: c.suggestion,
  };
};
