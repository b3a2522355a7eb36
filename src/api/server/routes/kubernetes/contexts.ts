// The kubeconfig's contexts and a context's namespaces, with which are forwarded.
import { K8sContextsResponse, K8sNamespacesQuery, K8sNamespacesResponse } from '../../../../contract/api.js';
import { route, type RouteDef } from '../../define.js';
import { byName, withTimeout, type ClusterAccess } from './cluster-access.js';

export const contextRoutes = ({ ctx, clusterOf }: ClusterAccess): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/kubernetes/contexts',
    tag: 'kubernetes',
    summary: 'kubeconfig contexts, the current one marked',
    response: K8sContextsResponse,
    handler: () => {
      const { contexts, current } = ctx.controller.contexts();
      return {
        contexts: [...contexts].sort(byName).map((c) => ({
          name: c.name,
          cluster: c.cluster,
          ...(c.user ? { user: c.user } : {}),
          ...(c.namespace ? { namespace: c.namespace } : {}),
          active: c.name === current,
        })),
        currentContext: current,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kubernetes/namespaces',
    tag: 'kubernetes',
    summary: 'Namespaces of a context, with which are forwarded',
    query: K8sNamespacesQuery,
    response: K8sNamespacesResponse,
    errors: [404, 502, 504],
    handler: async ({ query }) => {
      const { cluster, context } = clusterOf(query.context);
      const list = await withTimeout('list namespaces', cluster.listNamespaces());
      const snapshot = ctx.state.getSnapshot();
      const watched = new Set(
        snapshot.namespaces.filter((n) => n.context === context).map((n) => n.namespace),
      );
      const servicesIn = new Map<string, number>();
      for (const s of snapshot.services)
        if (s.context === context) servicesIn.set(s.namespace, (servicesIn.get(s.namespace) ?? 0) + 1);
      return {
        namespaces: list
          .map((n) => ({
            name: n.metadata.name,
            status: n.status?.phase ?? 'Active',
            forwarded: watched.has(n.metadata.name),
            forwardedServices: servicesIn.get(n.metadata.name) ?? 0,
          }))
          .sort(byName),
        context,
      };
    },
  }),
];
