// The typed client of the kubefwd REST API and the daemon discovery it needs.
export { createApiClient, type ApiClient, type ApiClientOptions } from './client.js';
export {
  discoverDaemon,
  discoveryFilePath,
  parseDiscoveryFile,
  runningFromFile,
  type DaemonAddress,
  type DaemonProbes,
  type DiscoverOptions,
} from './discovery.js';
export type { EventSubscription, SubscribeOptions } from './events.js';
export { createSseParser, type SseFrame, type SseParser } from './sse.js';
export { normaliseBaseUrl, type FetchLike } from './transport.js';
