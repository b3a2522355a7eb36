// Kubernetes discovery through the cluster connection the daemon already has (controller.cluster):
// contexts, namespaces, services, pods (by label or service), pod detail with events, pod logs,
// events, endpoints. Context omitted → the kubeconfig's current context (kubefwd defaulted one
// route to the literal "default").
import type { RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { clusterAccess } from './kubernetes/cluster-access.js';
import { contextRoutes } from './kubernetes/contexts.js';
import { eventRoutes } from './kubernetes/events.js';
import { podLogRoutes } from './kubernetes/pod-logs.js';
import { podRoutes } from './kubernetes/pods.js';
import { serviceRoutes } from './kubernetes/services.js';

export { POD_LOG_LIMIT_BYTES } from './kubernetes/pod-logs.js';

export const kubernetesRoutes = (ctx: RouteContext): RouteDef[] => {
  const k = clusterAccess(ctx);
  return [...contextRoutes(k), ...serviceRoutes(k), ...podRoutes(k), ...podLogRoutes(k), ...eventRoutes(k)];
};
