// The REST calls the MCP server makes: a subset of the typed API client (`api/client`), so tools
// and resources depend on exactly these routes and unit tests can pass a fake with the same types.
import type { ApiClient } from '../api/client/index.js';

export type KubefwdBackend = Pick<
  ApiClient,
  | 'health'
  | 'info'
  | 'quickStatus'
  | 'analyze'
  | 'listServices'
  | 'getService'
  | 'addService'
  | 'removeService'
  | 'reconnectService'
  | 'reconnectAll'
  | 'syncService'
  | 'serviceHttpTraffic'
  | 'forwardHttpTraffic'
  | 'listForwards'
  | 'metrics'
  | 'serviceMetricsList'
  | 'logs'
  | 'historyEvents'
  | 'historyErrors'
  | 'historyReconnections'
  | 'serviceReconnections'
  | 'addNamespace'
  | 'removeNamespace'
  | 'k8sContexts'
  | 'k8sNamespaces'
  | 'k8sServices'
  | 'k8sPods'
  | 'k8sPod'
  | 'podLogs'
  | 'k8sEvents'
  | 'k8sEndpoints'
>;

/** Gives the backend for one call: re-discovers the daemon each time, so a daemon started later is found. */
export type BackendProvider = () => Promise<KubefwdBackend>;
