// A namespace's pods (by label, field or the service they back) and one pod's detail with its events.
import { z } from 'zod';
import {
  K8sContextQuery,
  K8sPodDetail,
  K8sPodsQuery,
  K8sPodsResponse,
  pickQuery,
} from '../../../../contract/api.js';
import { KubefwdError } from '../../../../contract/errors.js';
import { ensureNamespaceExists, getServiceOrWhyNot } from '../../../../engine/namespace-check.js';
import { route, type RouteDef } from '../../define.js';
import { k8sPod, k8sPodDetail } from '../../k8s-views.js';
import { fail } from '../../respond.js';
import {
  byName,
  checkInput,
  ns,
  objName,
  whyNoPod,
  withTimeout,
  type ClusterAccess,
} from './cluster-access.js';

export const podRoutes = ({ ctx, clusterOf }: ClusterAccess): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/kubernetes/pods/:namespace',
    tag: 'kubernetes',
    summary:
      'Pods of a namespace; filter by label_selector/labelSelector, field_selector or service_name/serviceName',
    params: z.object({ namespace: ns }),
    query: K8sPodsQuery,
    response: K8sPodsResponse,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster, context } = clusterOf(query.context);
      const serviceName = pickQuery(query, 'serviceName', 'service_name');
      const labels: string[] = [];
      const userLabels = pickQuery(query, 'labelSelector', 'label_selector');
      if (userLabels) labels.push(userLabels);
      if (serviceName) {
        checkInput(objName, serviceName, 'query.serviceName');
        const svc = await withTimeout(
          'get service',
          getServiceOrWhyNot(cluster, params.namespace, serviceName),
        );
        const sel = Object.entries(svc.spec.selector ?? {});
        if (sel.length === 0)
          fail(
            'NO_SELECTOR',
            `service ${serviceName} has no pod selector, so no pods belong to it`,
            'query.serviceName',
          );
        labels.push(sel.map(([k, v]) => `${k}=${v}`).join(','));
      }
      const fieldSelector = pickQuery(query, 'fieldSelector', 'field_selector');
      const pods = await withTimeout(
        'list pods',
        cluster.listPods(params.namespace, {
          ...(labels.length ? { labelSelector: labels.join(',') } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
        }),
      ).catch((err: unknown) => {
        // The API server refuses a selector it cannot parse: name the parameter it came from.
        if (!(err instanceof KubefwdError) || err.code !== 'INVALID_INPUT') throw err;
        const field =
          !userLabels && !fieldSelector
            ? 'query.serviceName'
            : fieldSelector && (!userLabels || /field/i.test(err.message))
              ? query.fieldSelector !== undefined
                ? 'query.fieldSelector'
                : 'query.field_selector'
              : query.labelSelector !== undefined
                ? 'query.labelSelector'
                : 'query.label_selector';
        throw new KubefwdError('INVALID_INPUT', `${field}: ${err.message}`, { field, cause: err });
      });
      // An unknown namespace lists as empty: say that it does not exist instead.
      if (pods.length === 0) await ensureNamespaceExists(cluster, params.namespace);
      const forwards = ctx.state.getSnapshot().forwards;
      const now = ctx.now();
      return pods.map((p) => k8sPod(p, context, now, forwards, serviceName)).sort(byName);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/kubernetes/pods/:namespace/:podName',
    tag: 'kubernetes',
    summary: 'Pod detail: containers, conditions, resources and recent events',
    params: z.object({ namespace: ns, podName: objName }),
    query: K8sContextQuery,
    response: K8sPodDetail,
    errors: [404, 502, 504],
    handler: async ({ params, query }) => {
      const { cluster, context } = clusterOf(query.context);
      const pod = await whyNoPod(
        cluster,
        params.namespace,
        params.podName,
        withTimeout('get pod', cluster.getPod(params.namespace, params.podName)),
      );
      const events = await withTimeout(
        'list events',
        cluster.listEvents(params.namespace, {
          fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${params.podName}`,
        }),
      ).catch(() => []);
      return k8sPodDetail(pod, context, ctx.state.getSnapshot().forwards, events);
    },
  }),
];
