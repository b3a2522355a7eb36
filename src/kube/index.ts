// Kubernetes access for kubefwd: kubeconfig loading by kubectl's rules, ClusterConnections, the
// REST client, informers, and the ClusterProvider the engine uses (src/engine/ports.ts).
import { KubefwdError } from '../contract/errors.js';
import type { PortForwarderFactory } from './cluster-port.js';
import {
  createClusterProviderWith,
  type ClusterProviderOptions,
  type KubeClusterProvider,
} from './provider.js';

// Until src/kube/portforward lands, opening a session says so instead of failing to compile.
const missingTransport: PortForwarderFactory = () => ({
  openSession: () => {
    throw new KubefwdError('INTERNAL', 'the port-forward transport (src/kube/portforward) is not built yet');
  },
  close: () => undefined,
});

/**
 * Loads the kubeconfig (-c path, else $KUBECONFIG merged first-wins, else ~/.kube/config of the
 * invoking user) and returns a ClusterProvider. Throws KubefwdError KUBECONFIG_INVALID for a
 * missing, unreadable or malformed file.
 */
export function createClusterProvider(opts: ClusterProviderOptions = {}): KubeClusterProvider {
  return createClusterProviderWith({ ...opts, portForwarders: opts.portForwarders ?? missingTransport });
}

export type { ClusterProviderOptions, KubeClusterProvider } from './provider.js';
export type { PortForwarderFactory, PortForwarderLike } from './cluster-port.js';
export { loadKubeconfig, resolveContext, kubeconfigPaths } from './kubeconfig/load.js';
export type { LoadKubeconfigOptions, LoadedKubeconfig, ResolvedContext } from './kubeconfig/load.js';
export { createKubeConnection, type KubeConnection } from './auth/connection.js';
export { createRestClient, type RestClient } from './rest/client.js';
export { createInformer, type ListWatchSource } from './informer/informer.js';
export { REQUIRED_PERMISSIONS, permissionName } from './access.js';
export { readInvokingUser, effectiveHome, type InvokingUser } from './invoking-user.js';
export type * from './types.js';
