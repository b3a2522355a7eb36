// A namespace's services (with which are forwarded), one service, and the endpoints behind one.
import { z } from 'zod';
import {
  K8sContextQuery,
  K8sEndpoints,
  K8sService,
  K8sServicesQuery,
  K8sServicesResponse,
} from '../../../../contract/api.js';
import { ensureNamespaceExists, getServiceOrWhyNot } from '../../../../engine/namespace-check.js';
import { KubefwdError } from '../../../../contract/errors.js';
import type { ClusterGateway } from '../../../../engine/gateways.js';
import { route, type RouteDef } from '../../define.js';
import { k8sEndpoints, k8sService } from '../../k8s-views.js';
import { fail } from '../../respond.js';
import { byName, checkInput, ns, objName, withTimeout, type ClusterAccess } from './cluster-access.js';

/**
 * Endpoints the API server does not find (the client says SERVICE_NOT_FOUND with its raw text): the
 * service is not there (named with the services that are, or the namespace that is not), or it is
 * and has no Endpoints object — a selector-less service whose endpoints nobody wrote.
 */
const whyNoEndpoints = async (
  cluster: ClusterGateway,
  namespace: string,
  name: string,
  err: unknown,
): Promise<never> => {
  if (!(err instanceof KubefwdError) || err.code !== 'SERVICE_NOT_FOUND') throw err;
  await withTimeout('get service', getServiceOrWhyNot(cluster, namespace, name));
  throw new KubefwdError(
    'NOT_FOUND',
    `service "${name}" in namespace ${namespace} (context ${cluster.context}) has no Endpoints object`,
    {
      field: 'path.serviceName',
      hint: 'A service with a pod selector gets one from Kubernetes; one without a selector has endpoints only when they are written by hand.',
      cause: err,
    },
  );
};

export const serviceRoutes = ({ clusterOf, forwardedKeys }: ClusterAccess): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/kubernetes/services',
    tag: 'kubernetes',
    summary: 'Services of a namespace (namespace query parameter required)',
    query: K8sServicesQuery,
    response: K8sServicesResponse,
    errors: [404, 502, 504],
    handler: async ({ query }) => {
      if (!query.namespace)
        return fail(
          'INVALID_INPUT',
          'query.namespace: namespace query parameter is required',
          'query.namespace',
        );
      checkInput(ns, query.namespace, 'query.namespace');
      const { cluster, context } = clusterOf(query.context);
      const list = await withTimeout('list services', cluster.listServices(query.namespace));
      // The API server lists nothing, without an error, for a namespace that does not exist: tell
      // that apart from an empty namespace.
      if (list.length === 0) await ensureNamespaceExists(cluster, query.namespace);
      const keys = forwardedKeys();
      return {
        services: list.map((s) => k8sService(s, context, keys)).sort(byName),
        namespace: query.namespace,
        context,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kubernetes/services/:namespace/:name',
    tag: 'kubernetes',
    summary: 'One service of the cluster',
    params: z.object({ namespace: ns, name: objName }),
    query: K8sContextQuery,
    response: K8sService,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster, context } = clusterOf(query.context);
      const svc = await withTimeout(
        'get service',
        getServiceOrWhyNot(cluster, params.namespace, params.name),
      );
      return k8sService(svc, context, forwardedKeys());
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kubernetes/endpoints/:namespace/:serviceName',
    tag: 'kubernetes',
    summary: 'Endpoints of a service: which pods back it and whether they are ready',
    params: z.object({ namespace: ns, serviceName: objName }),
    query: K8sContextQuery,
    response: K8sEndpoints,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster, context } = clusterOf(query.context);
      const endpoints = await withTimeout(
        'get endpoints',
        cluster.getEndpoints(params.namespace, params.serviceName),
      ).catch((err: unknown) => whyNoEndpoints(cluster, params.namespace, params.serviceName, err));
      return k8sEndpoints(endpoints, context);
    },
  }),
];
