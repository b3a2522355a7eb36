// The Kubernetes object shapes kubefwd reads, as they appear in the API's JSON (timestamps are
// RFC3339 strings). Lean on purpose: only what the engine, API and MCP use. The kube adapter
// returns these; the simulated cluster serves supersets of them.

export interface KObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  generateName?: string;
  ownerReferences?: { kind: string; name: string; uid?: string; apiVersion?: string; controller?: boolean }[];
}

export interface KServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface KService {
  metadata: KObjectMeta;
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: KServicePort[];
    externalName?: string;
  };
}

export interface KContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface KContainer {
  name: string;
  image?: string;
  ports?: KContainerPort[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface KContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

export interface KContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  image?: string;
  state?: KContainerState;
  lastState?: KContainerState;
}

export interface KPodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface KPod {
  metadata: KObjectMeta;
  spec: {
    containers: KContainer[];
    nodeName?: string;
    volumes?: { name: string }[];
    hostname?: string;
    subdomain?: string;
  };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: KPodCondition[];
    containerStatuses?: KContainerStatus[];
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    message?: string;
    reason?: string;
    qosClass?: string;
  };
}

export interface KEndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; name: string; namespace?: string; uid?: string };
}

export interface KEndpoints {
  metadata: KObjectMeta;
  subsets?: {
    addresses?: KEndpointAddress[];
    notReadyAddresses?: KEndpointAddress[];
    ports?: { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  }[];
}

export interface KNamespace {
  metadata: KObjectMeta;
  status?: { phase?: 'Active' | 'Terminating' };
}

export interface KEvent {
  metadata: KObjectMeta;
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: 'Normal' | 'Warning';
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
}

/** One kubeconfig context, as `kubectl config get-contexts` shows it. */
export interface KContext {
  name: string;
  cluster: string;
  user?: string;
  namespace?: string;
}

/** A watch event as the API server streams it (newline-delimited JSON). */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { metadata: { resourceVersion: string } } }
  | { type: 'ERROR'; object: KStatus };

/** The Kubernetes Status object used for errors. */
export interface KStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; kind?: string; group?: string };
}
