// What the API, the TUI and the CLI may ask of the engine. Every method rejects with a
// KubefwdError (contract/errors) naming the input when it cannot do what was asked.
import type { KContext } from '../contract/kube.js';
import type { EngineEventListener } from './events.js';
import type { NamespaceRecord, ServiceRecord } from './model.js';
import type { ClusterGateway } from './gateways.js';

export interface AddNamespaceRequest {
  namespace: string;
  /** Defaults to the kubeconfig's current context. */
  context?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface AddServiceRequest {
  namespace: string;
  serviceName: string;
  context?: string;
}

export interface Controller {
  addNamespace(req: AddNamespaceRequest): Promise<NamespaceRecord>;
  removeNamespace(namespace: string, context?: string): Promise<void>;
  /** Resolves once the service is registered (its IP and hostnames are known), not when its pod is ready. */
  addService(req: AddServiceRequest): Promise<ServiceRecord>;
  removeService(serviceKey: string): Promise<void>;
  /** Tears down the service's sessions and forwards it again now, resetting its backoff. */
  reconnectService(serviceKey: string): Promise<void>;
  /** Reconnects services with a forward in Error/Waiting (all services with `force`). Returns the keys. */
  reconnectErrored(options?: { force?: boolean }): Promise<string[]>;
  /** Re-reads the service's pods and moves the forward if needed; `force` skips the debounce. */
  syncService(serviceKey: string, force: boolean): Promise<void>;
  contexts(): { contexts: KContext[]; current: string };
  /** Discovery (pods, logs, events, ...) through the cluster the engine already talks to. */
  cluster(context?: string): ClusterGateway;
  namespaces(): NamespaceRecord[];
  services(): ServiceRecord[];
}

export interface Engine extends Controller {
  subscribe(listener: EngineEventListener): () => void;
  /** Stops every forward, removes the hosts block, releases listeners; idempotent. */
  shutdown(): Promise<void>;
}
