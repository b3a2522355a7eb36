// Kubernetes access for kubefwd: kubeconfig loading by kubectl's rules, ClusterConnections, the
// REST client, informers, and the ClusterProvider the engine uses (src/contract/gateways.ts).
import type { PortForwarderFactory } from './cluster-gateway.js';
import { createPortForwarder } from './portforward/index.js';
import {
  createClusterProviderWith,
  type ClusterProviderOptions,
  type KubeClusterProvider,
} from './provider.js';

const defaultForwarders: PortForwarderFactory = (conn, opts) => createPortForwarder(conn, opts);

/**
 * Loads the kubeconfig (-c path, else $KUBECONFIG merged first-wins, else ~/.kube/config of the
 * invoking user) and returns a ClusterProvider. Throws KubefwdError KUBECONFIG_INVALID for a
 * missing, unreadable or malformed file.
 */
export function createClusterProvider(opts: ClusterProviderOptions = {}): KubeClusterProvider {
  return createClusterProviderWith({ ...opts, portForwarders: opts.portForwarders ?? defaultForwarders });
}

export type { ClusterProviderOptions, KubeClusterProvider } from './provider.js';
export type { PortForwarderFactory, PortForwarderLike } from './cluster-gateway.js';
export { loadKubeconfig, resolveContext, kubeconfigPaths } from './kubeconfig/load.js';
export type { LoadKubeconfigOptions, LoadedKubeconfig, ResolvedContext } from './kubeconfig/load.js';
export { createKubeConnection, type KubeConnection } from './auth/connection.js';
export { createRestClient, type RestClient } from './rest/client.js';
export { createInformer, type ListWatchSource } from './informer/informer.js';
export { REQUIRED_PERMISSIONS, permissionName } from './access.js';
export { readInvokingUser, effectiveHome, type SudoUser } from './invoking-user.js';
export type * from './types.js';
