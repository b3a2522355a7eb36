// The forwarding engine: createEngine and the pure pieces others reuse (the rules it is fed by live in domain/).
export { createEngine, type EngineRuntime } from './engine.js';
export type { EngineDeps, EngineOptions } from './options.js';
export type { Engine, Controller, AddNamespaceRequest, AddServiceRequest } from './controller.js';
export type { EngineEvent, EngineEventListener, EngineEventType, ReconnectTrigger } from './events.js';
export type { ForwardRecord, NamespaceRecord, ServiceRecord } from './model.js';
export { forwardKey, namespaceKey, serviceKey } from './model.js';
export { hostnamesFor, sanitiseHostname, type HostnameInput } from './hostnames.js';
export {
  createIpAllocator,
  reservationCandidates,
  API_RESERVED_IP,
  type IpAllocator,
} from './ip-allocation.js';
export { createBackoff, type Backoff, type BackoffOptions } from './backoff.js';
export {
  upsertBlock,
  removeBlocks,
  readBlock,
  purgeStaleLines,
  countStaleHostnames,
  type HostsEntry,
} from './hosts-block.js';
export { planService, isPodReady, type ServicePlan } from './reconcile.js';
