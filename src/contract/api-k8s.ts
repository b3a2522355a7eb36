// Kubernetes discovery shapes of the REST API (`/api/v1/kubernetes/*`), field names as kubefwd
// serialises them. These are summaries of contract/kube objects, made
// by the API server from what the cluster returns.
import { z } from 'zod';
import { queryBool, queryInt, queryText } from './api-query.js';

export const K8sNamespace = z
  .object({
    name: z.string(),
    status: z.string().meta({ description: '"Active" or "Terminating"' }),
    /** A namespace watcher exists for it in that context. */
    forwarded: z.boolean(),
    /** Its services forwarded now (by the watcher, or added one by one). */
    forwardedServices: z.number().int().optional(),
  })
  .meta({ id: 'K8sNamespace' });
export type K8sNamespace = z.infer<typeof K8sNamespace>;

export const K8sNamespacesResponse = z
  .object({ namespaces: z.array(K8sNamespace), context: z.string() })
  .meta({ id: 'K8sNamespacesResponse' });
export type K8sNamespacesResponse = z.infer<typeof K8sNamespacesResponse>;

export const K8sServicePort = z.object({
  name: z.string().optional(),
  port: z.number().int(),
  targetPort: z.string(),
  protocol: z.string(),
});

export const K8sService = z
  .object({
    name: z.string(),
    namespace: z.string(),
    context: z.string(),
    type: z.string(),
    clusterIP: z.string(),
    ports: z.array(K8sServicePort),
    selector: z.record(z.string(), z.string()).optional(),
    /** kubefwd forwards it now. */
    forwarded: z.boolean(),
    /** The service key (`name.namespace.context`) it has, or would have, in kubefwd. */
    forwardKey: z.string().optional(),
  })
  .meta({ id: 'K8sService' });
export type K8sService = z.infer<typeof K8sService>;

export const K8sServicesResponse = z
  .object({ services: z.array(K8sService), namespace: z.string(), context: z.string() })
  .meta({ id: 'K8sServicesResponse' });
export type K8sServicesResponse = z.infer<typeof K8sServicesResponse>;

export const K8sContext = z
  .object({
    name: z.string(),
    cluster: z.string(),
    user: z.string().optional(),
    namespace: z.string().optional(),
    active: z.boolean(),
  })
  .meta({ id: 'K8sContext' });
export type K8sContext = z.infer<typeof K8sContext>;

export const K8sContextsResponse = z
  .object({ contexts: z.array(K8sContext), currentContext: z.string() })
  .meta({ id: 'K8sContextsResponse' });
export type K8sContextsResponse = z.infer<typeof K8sContextsResponse>;

export const K8sPod = z
  .object({
    name: z.string(),
    namespace: z.string(),
    context: z.string(),
    phase: z.string(),
    /** "Terminating", the first container's waiting/terminated reason, or the phase. */
    status: z.string(),
    /** "ready/total" containers. */
    ready: z.string(),
    restarts: z.number().int(),
    /** Age like "45s", "12m", "3h", "2d". */
    age: z.string(),
    ip: z.string().optional(),
    node: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    containers: z.array(z.string()),
    startTime: z.string().optional(),
    serviceName: z.string().optional(),
    isForwarded: z.boolean(),
    forwardedPort: z.string().optional(),
    forwardKey: z.string().optional(),
  })
  .meta({ id: 'K8sPod' });
export type K8sPod = z.infer<typeof K8sPod>;

/** kubefwd returns the bare array. */
export const K8sPodsResponse = z.array(K8sPod);
export type K8sPodsResponse = z.infer<typeof K8sPodsResponse>;

export const K8sContainerDetail = z.object({
  name: z.string(),
  image: z.string(),
  ready: z.boolean(),
  started: z.boolean(),
  restartCount: z.number().int(),
  state: z.enum(['Running', 'Waiting', 'Terminated', 'Unknown']),
  stateReason: z.string().optional(),
  stateMessage: z.string().optional(),
  lastState: z.string().optional(),
  ports: z.array(
    z.object({ name: z.string().optional(), containerPort: z.number().int(), protocol: z.string() }),
  ),
  resources: z
    .object({
      cpuRequest: z.string(),
      cpuLimit: z.string(),
      memoryRequest: z.string(),
      memoryLimit: z.string(),
    })
    .optional(),
});

export const K8sPodDetail = z
  .object({
    name: z.string(),
    namespace: z.string(),
    context: z.string(),
    phase: z.string(),
    status: z.string(),
    message: z.string().optional(),
    reason: z.string().optional(),
    ip: z.string().optional(),
    hostIP: z.string().optional(),
    node: z.string().optional(),
    startTime: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    containers: z.array(K8sContainerDetail),
    conditions: z.array(
      z.object({
        type: z.string(),
        status: z.string(),
        reason: z.string().optional(),
        message: z.string().optional(),
      }),
    ),
    volumes: z.array(z.string()),
    qosClass: z.string().optional(),
    isForwarded: z.boolean(),
    forwardKey: z.string().optional(),
    /** Recent events about this pod, newest first. */
    events: z.array(z.lazy(() => K8sEvent)).optional(),
  })
  .meta({ id: 'K8sPodDetail' });
export type K8sPodDetail = z.infer<typeof K8sPodDetail>;

export const PodLogsResponse = z
  .object({
    podName: z.string(),
    namespace: z.string(),
    context: z.string(),
    containerName: z.string(),
    /** Untrusted text from the pod. */
    logs: z.array(z.string()),
    lineCount: z.number().int(),
    truncated: z.boolean(),
  })
  .meta({ id: 'PodLogsResponse' });
export type PodLogsResponse = z.infer<typeof PodLogsResponse>;

export const K8sEvent = z
  .object({
    type: z.string(),
    reason: z.string(),
    message: z.string(),
    count: z.number().int(),
    firstTimestamp: z.string(),
    lastTimestamp: z.string(),
    source: z.string(),
    objectKind: z.string().optional(),
    objectName: z.string().optional(),
  })
  .meta({ id: 'K8sEvent' });
export type K8sEvent = z.infer<typeof K8sEvent>;

/** kubefwd returns the bare array, newest (lastTimestamp) first. */
export const K8sEventsResponse = z.array(K8sEvent);
export type K8sEventsResponse = z.infer<typeof K8sEventsResponse>;

const K8sEndpointAddress = z.object({
  ip: z.string(),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  podName: z.string().optional(),
});

export const K8sEndpoints = z
  .object({
    name: z.string(),
    namespace: z.string(),
    context: z.string(),
    subsets: z.array(
      z.object({
        addresses: z.array(K8sEndpointAddress),
        notReadyAddresses: z.array(K8sEndpointAddress),
        ports: z.array(
          z.object({ name: z.string().optional(), port: z.number().int(), protocol: z.string() }),
        ),
      }),
    ),
  })
  .meta({ id: 'K8sEndpoints' });
export type K8sEndpoints = z.infer<typeof K8sEndpoints>;

// ------------------------------------------------------------------ queries (both spellings)

const contextQ = { context: queryText(253).optional() };

export const K8sNamespacesQuery = z.object({ ...contextQ });
export const K8sServicesQuery = z.object({ ...contextQ, namespace: queryText(253).optional() });
export const K8sContextQuery = z.object({ ...contextQ });
export const K8sPodsQuery = z.object({
  ...contextQ,
  labelSelector: queryText(1024).optional(),
  label_selector: queryText(1024)
    .optional()
    .meta({ description: "same as labelSelector (the spelling kubefwd's server read)" }),
  fieldSelector: queryText(1024).optional(),
  field_selector: queryText(1024)
    .optional()
    .meta({ description: "same as fieldSelector (the spelling kubefwd's server read)" }),
  serviceName: queryText(253).optional(),
  service_name: queryText(253)
    .optional()
    .meta({ description: "same as serviceName (the spelling kubefwd's server read)" }),
});
export const PodLogsQuery = z.object({
  ...contextQ,
  container: queryText(253).optional(),
  tailLines: queryInt(1, 1000).optional(),
  tail_lines: queryInt(1, 1000)
    .optional()
    .meta({ description: "same as tailLines (the spelling kubefwd's server read)" }),
  sinceTime: queryText(64).optional(),
  since_time: queryText(64)
    .optional()
    .meta({ description: "same as sinceTime (the spelling kubefwd's server read)" }),
  sinceSeconds: queryInt(1, 31_536_000).optional(),
  since_seconds: queryInt(1, 31_536_000)
    .optional()
    .meta({ description: "same as sinceSeconds (the spelling kubefwd's server read)" }),
  previous: queryBool.optional(),
  timestamps: queryBool.optional(),
});
export const K8sEventsQuery = z.object({
  ...contextQ,
  resourceKind: queryText(253).optional(),
  resource_kind: queryText(253)
    .optional()
    .meta({ description: "same as resourceKind (the spelling kubefwd's server read)" }),
  resourceName: queryText(253).optional(),
  resource_name: queryText(253)
    .optional()
    .meta({ description: "same as resourceName (the spelling kubefwd's server read)" }),
  limit: queryInt(1, 1000).optional(),
});

/** Options the client takes (camelCase); it sends them with these names. */
export interface K8sPodsOptions {
  context?: string;
  labelSelector?: string;
  fieldSelector?: string;
  serviceName?: string;
}
export interface PodLogsOptions {
  context?: string;
  container?: string;
  tailLines?: number;
  sinceTime?: string;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
}
export interface K8sEventsOptions {
  context?: string;
  resourceKind?: string;
  resourceName?: string;
  limit?: number;
}
