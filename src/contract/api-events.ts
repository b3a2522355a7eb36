// The SSE vocabulary of `GET /api/v1/events`: one list of event types, one data shape. kubefwd's
// PascalCase names are kept (ServiceAdded, PodAdded, PodStatusChanged, ...); NamespaceAdded,
// ReconnectAttempt, PodChanged and HostsWritten are ours. Frames are `event: <type>` /
// `id: <n>` / `data: <ApiEvent JSON>`. Events about a service or forward name it as GET /services
// does (serviceKey, service = serviceName, namespace, context), removals included.
import { z } from 'zod';
import { ForwardStatus } from './state.js';

export const API_EVENT_TYPES = [
  'ServiceAdded',
  'ServiceUpdated',
  'ServiceRemoved',
  'ServiceSkipped',
  /** A forward (service × pod × port) appeared — kubefwd's name. */
  'PodAdded',
  /** A forward went away. */
  'PodRemoved',
  /** A forward's status, pod, reason or hostnames changed. */
  'PodStatusChanged',
  /** A pod backing forwarded services was deleted / became (not) ready / appeared. */
  'PodChanged',
  'NamespaceAdded',
  'NamespaceRemoved',
  /**
   * A namespace's list/watch started failing (watchError, watchErrorSince), failed differently, or
   * works again (neither field): while it fails, its forwards go stale.
   */
  'NamespaceUpdated',
  /** An automatic or manual reconnection attempt finished (success or not). */
  'ReconnectAttempt',
  /** Per-second traffic figures of forwards that moved bytes, and connection failures as they happen. */
  'BandwidthUpdate',
  'HostsWritten',
  'LogMessage',
  'ShutdownStarted',
  'ShutdownComplete',
  /**
   * Events this stream did not get: the client read too slowly, or reconnected with a
   * Last-Event-ID no longer kept. Re-read the state with the REST routes. Never filtered out.
   */
  'EventsDropped',
] as const;

export const ApiEventType = z.enum(API_EVENT_TYPES);
export type ApiEventType = z.infer<typeof ApiEventType>;

export const ApiEventData = z
  .object({
    serviceKey: z.string().optional(),
    /** Service name. */
    service: z.string().optional(),
    namespace: z.string().optional(),
    context: z.string().optional(),
    registryKey: z.string().optional(),
    forwardKey: z.string().optional(),
    podName: z.string().optional(),
    containerName: z.string().optional(),
    localIP: z.string().optional(),
    localPort: z.string().optional(),
    podPort: z.string().optional(),
    hostnames: z.array(z.string()).optional(),
    /**
     * PodAdded, PodStatusChanged: the forward's status as GET /forwards shows it, capitalised
     * (Active, Error, Waiting, …). kubefwd's events said `active`/`error` in lower case while its
     * REST views were capitalised; one spelling everywhere lets a client (and the dashboard)
     * compare an event with a listing.
     */
    status: z.string().optional(),
    previousStatus: ForwardStatus.optional(),
    error: z.string().optional(),
    errorCode: z.string().optional(),
    reason: z.string().optional(),
    nextRetryAt: z.string().optional(),
    /** PodAdded, PodStatusChanged: the forward's reconnections so far. */
    reconnects: z.number().int().optional(),
    bytesIn: z.number().optional(),
    bytesOut: z.number().optional(),
    rateIn: z.number().optional(),
    rateOut: z.number().optional(),
    /** ReconnectAttempt. */
    trigger: z.string().optional(),
    attempt: z.number().int().optional(),
    success: z.boolean().optional(),
    durationMs: z.number().optional(),
    /** PodChanged: deleted | ready | not-ready | added. */
    change: z.string().optional(),
    serviceKeys: z.array(z.string()).optional(),
    /** HostsWritten. */
    path: z.string().optional(),
    entries: z.number().int().optional(),
    /** NamespaceUpdated: why kubefwd cannot follow the namespace, and since when (RFC3339); absent once it can. */
    watchError: z.string().optional(),
    watchErrorSince: z.string().optional(),
    /** EventsDropped: how many, when known. */
    dropped: z.number().int().optional(),
    /** LogMessage. */
    level: z.string().optional(),
    message: z.string().optional(),
    /**
     * BandwidthUpdate: one entry per forward that moved bytes in the last second or had a
     * connection fail in the last two (with the failure's count, reason and time).
     */
    forwards: z
      .array(
        z.object({
          key: z.string(),
          serviceKey: z.string(),
          bytesIn: z.number(),
          bytesOut: z.number(),
          rateIn: z.number(),
          rateOut: z.number(),
          failedConnections: z.number().int().optional(),
          lastConnectionError: z.string().optional(),
          lastConnectionErrorAt: z.string().optional(),
          lastAnsweredAt: z.string().optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'ApiEventData' });
export type ApiEventData = z.infer<typeof ApiEventData>;

export const ApiEvent = z
  .object({
    type: ApiEventType,
    /** RFC3339. */
    timestamp: z.string(),
    /** Increasing per server; the SSE `id:` line carries it too. */
    id: z.number().int().optional(),
    data: ApiEventData,
  })
  .meta({ id: 'ApiEvent' });
export type ApiEvent = z.infer<typeof ApiEvent>;

/** Log lines streamed by `GET /api/v1/logs/stream` (`event: log`). */
export const LOG_STREAM_EVENT = 'log';
