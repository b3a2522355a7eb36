// A namespace's events, newest first, optionally of one object.
import { z } from 'zod';
import { K8sEventsQuery, K8sEventsResponse, pickQuery } from '../../../../contract/api.js';
import { ensureNamespaceExists } from '../../../../engine/namespace-check.js';
import { route, type RouteDef } from '../../define.js';
import { k8sEvent, sortEvents } from '../../k8s-views.js';
import { fail } from '../../respond.js';
import { checkInput, ns, objName, withTimeout, type ClusterAccess } from './cluster-access.js';
import { canonicalKind } from '../../../../domain/object-kinds.js';

export const eventRoutes = ({ clusterOf }: ClusterAccess): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/kubernetes/events/:namespace',
    tag: 'kubernetes',
    summary: 'Events of a namespace, newest first; resource_kind + resource_name narrow to one object',
    params: z.object({ namespace: ns }),
    query: K8sEventsQuery,
    response: K8sEventsResponse,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster } = clusterOf(query.context);
      const kind = pickQuery(query, 'resourceKind', 'resource_kind');
      const name = pickQuery(query, 'resourceName', 'resource_name');
      const fields: string[] = [];
      if (kind) {
        if (!/^[A-Za-z]{1,63}$/.test(kind))
          fail('INVALID_INPUT', `query.resourceKind: "${kind}" is not a kind name`, 'query.resourceKind');
        fields.push(`involvedObject.kind=${canonicalKind(kind)}`);
      }
      if (name) {
        checkInput(objName, name, 'query.resourceName');
        fields.push(`involvedObject.name=${name}`);
      }
      const events = await withTimeout(
        'list events',
        cluster.listEvents(params.namespace, fields.length ? { fieldSelector: fields.join(',') } : {}),
      );
      // The API server lists no events, without an error, for a namespace that does not exist: say
      // that it does not, as the other namespace routes do.
      if (events.length === 0) await ensureNamespaceExists(cluster, params.namespace);
      return sortEvents(events.map(k8sEvent)).slice(0, query.limit ?? 50);
    },
  }),
];
