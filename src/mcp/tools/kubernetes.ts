// Kubernetes events and endpoints: why pods start or fail, and which pods a service really reaches.
import { z } from 'zod';
import type { K8sEvent } from '../../contract/api-k8s.js';
import { contextField, namespaceField, podNameField, resourceKindField, serviceNameField } from '../input.js';
import { UNTRUSTED_NOTICE, fenceUntrusted } from '../untrusted.js';
import { endpointPods, hasNoSelector } from './endpoint-pods.js';
import { anyObject } from './shapes.js';
import { READ_CLUSTER, defineTool } from './define.js';

export const getEvents = defineTool({
  name: 'get_events',
  title: 'Kubernetes events',
  description:
    'Kubernetes events of a namespace, newest first: scheduling, image pulls, starts, kills, probe failures. ' +
    'Critical for diagnosing pods that do not start. Narrow to the events of one object with resource_name ' +
    '(and resource_kind, e.g. "Pod", when names repeat across kinds). limit 1-500, default 50.',
  input: z.strictObject({
    namespace: namespaceField,
    context: contextField.optional(),
    resource_kind: resourceKindField.optional(),
    resource_name: podNameField
      .describe('name of the object (a pod, service, deployment, …) whose events to show')
      .optional(),
    limit: z.number().int().min(1).max(500).describe('how many events (1-500, default 50)').optional(),
  }),
  output: z.object({
    events: z.array(anyObject),
    namespace: z.string(),
    count: z.number(),
    untrusted: z.string(),
  }),
  annotations: READ_CLUSTER,
  async run({ namespace, context, resource_kind, resource_name, limit }, api) {
    const events = await api.k8sEvents(namespace, {
      limit: limit ?? 50,
      ...(context ? { context } : {}),
      ...(resource_kind ? { resourceKind: resource_kind } : {}),
      ...(resource_name ? { resourceName: resource_name } : {}),
    });
    const line = (e: K8sEvent): string =>
      `- ${e.lastTimestamp} ${e.type} ${e.reason} ${e.objectKind ?? ''}/${e.objectName ?? ''}: ${e.message}`;
    return {
      // Event reasons and messages are written by controllers and by anything allowed to create
      // events in the namespace: data for the model, fenced.
      data: { events, namespace, count: events.length, untrusted: UNTRUSTED_NOTICE },
      text: `${events.length} event(s) in ${namespace}.\n${fenceUntrusted(`the events of namespace ${namespace}`, events.map(line)).text}`,
    };
  },
});

export const getEndpoints = defineTool({
  name: 'get_endpoints',
  title: 'Service endpoints',
  description:
    'The endpoints of a Kubernetes service: which pod IPs back it, which are ready and which are not, and the ' +
    'ports. Use when a service has no pods to forward to or traffic fails.',
  input: z.strictObject({
    namespace: namespaceField,
    service_name: serviceNameField,
    context: contextField.optional(),
  }),
  output: anyObject,
  annotations: READ_CLUSTER,
  async run({ namespace, service_name, context }, api) {
    const opts = context ? { context } : {};
    const ep = await api.k8sEndpoints(namespace, service_name, opts);
    // Best effort: whether the service has a selector, and which named pods still exist. Manual
    // Endpoints (no selector) are kept by nobody: a pod they name may be long gone.
    const [svc, pods] = await Promise.all([
      api
        .k8sServices(namespace, opts)
        .then((r) => r.services.find((s) => s.name === service_name))
        .catch(() => undefined),
      api.k8sPods(namespace, opts).catch(() => undefined),
    ]);
    const selectorless = svc !== undefined && hasNoSelector(svc);
    const ready = ep.subsets.flatMap((s) => s.addresses);
    const notReady = ep.subsets.flatMap((s) => s.notReadyAddresses);
    const ports = [...new Set(ep.subsets.flatMap((s) => s.ports.map((p) => `${p.port}/${p.protocol}`)))];
    const gone = pods === undefined ? [] : endpointPods(ep, pods).gone;
    const who = (a: (typeof ready)[number]): string =>
      `${a.podName ?? '?'} ${a.ip}${a.podName && gone.includes(a.podName) ? ' (this pod no longer exists)' : ''}`;
    const text =
      ready.length + notReady.length === 0
        ? selectorless
          ? `${namespace}/${service_name} has no selector and its Endpoints name no pods, so kubefwd has nothing to forward it to; it is forwarded once its Endpoints name a pod (targetRef).`
          : `${namespace}/${service_name} has no endpoints: no pod matches its selector, or none has started. list_pods and get_events say why.`
        : [
            `${namespace}/${service_name}: ${ready.length} ready, ${notReady.length} not ready${ports.length ? `, ports ${ports.join(', ')}` : ''}`,
            ...ready.map((a) => `- ready: ${who(a)}`),
            ...notReady.map((a) => `- not ready: ${who(a)}`),
            ...(gone.length > 0
              ? [
                  `Endpoints name pod ${gone.join(', ')}, which no longer exists${selectorless ? '; the manual Endpoints must be updated to name a pod that runs (the service has no selector, so nothing updates them)' : '; they are updated as the pods change'}.`,
                ]
              : []),
          ].join('\n');
    return { data: ep, text };
  },
});
