// The state views: what the REST API serves for services and forwards, what SSE events carry and
// what the TUI renders. Field names follow kubefwd's REST API exactly;
// fields kubefwd lacks (reason, nextRetryAt, reconnects, connections, ...) are additions.
import { z } from 'zod';

/** Capitalised, as kubefwd serialises it. `Waiting` is ours: no ready pod yet, or backing off. */
export const ForwardStatus = z.enum(['Pending', 'Connecting', 'Active', 'Waiting', 'Error', 'Stopping']);
export type ForwardStatus = z.infer<typeof ForwardStatus>;

/**
 * Service status derived from its forwards (kubefwd's rule) plus `waiting`: `error` when forwards
 * failed and none is Active, `partial` when some failed and some are Active, else `active`,
 * `waiting` or `pending`. A failed forward is one in Error, or Connecting with an `error` (a re-dial
 * after a lost session, e.g. an API server outage); Connecting without one is pending.
 */
export const ServiceStatus = z.enum(['active', 'error', 'partial', 'pending', 'waiting']);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export const ForwardView = z.object({
  /** `<svcName>.<namespace>.<context>.<podName>.<localPort>` (headless per-pod: svcName = `pod.svc`). */
  key: z.string(),
  /** `<svcName>.<namespace>.<context>`. */
  serviceKey: z.string(),
  /** `<service>.<namespace>.<context>` of the Kubernetes service (differs from serviceKey for headless per-pod forwards). */
  registryKey: z.string(),
  serviceName: z.string(),
  namespace: z.string(),
  context: z.string(),
  headless: z.boolean(),
  podName: z.string(),
  containerName: z.string().optional(),
  localIP: z.string(),
  localPort: z.string(),
  podPort: z.string(),
  hostnames: z.array(z.string()),
  status: ForwardStatus,
  /** Last error text; kept while status is Error or Waiting, and while Connecting to re-dial after one. */
  error: z.string().optional(),
  /** Stable error code from contract/errors. */
  errorCode: z.string().optional(),
  /** Why the forward is Waiting / Error, in words a person acts on. */
  reason: z.string().optional(),
  /** When the next automatic retry happens (RFC3339), while Waiting or Error. */
  nextRetryAt: z.string().optional(),
  /** When kubefwd began serving this forward's local port (not when it connected: see activeSince). */
  startedAt: z.string(),
  /**
   * While Active: when it last became Active (RFC3339), so "connected for" restarts with each
   * reconnection. Absent in every other status: a forward Waiting for a pod is not connected.
   */
  activeSince: z.string().optional(),
  lastActive: z.string().optional(),
  reconnects: z.number().int(),
  connections: z.number().int(),
  activeConnections: z.number().int(),
  /** Connections that failed (refused by the pod, stream broken), and the last one's reason and time. */
  failedConnections: z.number().int().optional(),
  lastConnectionError: z.string().optional(),
  lastConnectionErrorAt: z.string().optional(),
  /** With a failure: the last time a connection got the pod's answer (after the failure: it is over). */
  lastAnsweredAt: z.string().optional(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  rateIn: z.number(),
  rateOut: z.number(),
  avgRateIn: z.number(),
  avgRateOut: z.number(),
});
export type ForwardView = z.infer<typeof ForwardView>;

export const ServiceView = z.object({
  key: z.string(),
  serviceName: z.string(),
  namespace: z.string(),
  context: z.string(),
  headless: z.boolean(),
  status: ServiceStatus,
  activeCount: z.number().int(),
  /** Failed forwards: in Error, or Connecting with an `error` (re-dialling after a failure). */
  errorCount: z.number().int(),
  totalBytesIn: z.number(),
  totalBytesOut: z.number(),
  rateIn: z.number(),
  rateOut: z.number(),
  forwards: z.array(ForwardView).optional(),
});
export type ServiceView = z.infer<typeof ServiceView>;

export const Summary = z.object({
  totalServices: z.number().int(),
  activeServices: z.number().int(),
  totalForwards: z.number().int(),
  activeForwards: z.number().int(),
  /** Failed forwards, as ServiceView.errorCount counts them. */
  errorCount: z.number().int(),
  totalBytesIn: z.number(),
  totalBytesOut: z.number(),
  rateIn: z.number(),
  rateOut: z.number(),
});
export type Summary = z.infer<typeof Summary>;

export const NamespaceView = z.object({
  key: z.string(),
  namespace: z.string(),
  context: z.string(),
  serviceCount: z.number().int(),
  activeCount: z.number().int(),
  errorCount: z.number().int(),
  running: z.boolean(),
  labelSelector: z.string().optional(),
  fieldSelector: z.string().optional(),
  /** The namespace's list/watch fails (retried): the first failing one's last error, and since when. */
  watchError: z.string().optional(),
  watchErrorSince: z.string().optional(),
});
export type NamespaceView = z.infer<typeof NamespaceView>;
