// Kubernetes events and endpoints: why pods start or fail, and which pods a service really reaches.
import { z } from 'zod';
import type { K8sEvent } from '../../contract/api-k8s.js';
import { contextField, namespaceField, podNameField, resourceKindField, serviceNameField } from '../input.js';
import { UNTRUSTED_NOTICE, fenceUntrusted } from '../untrusted.js';
import { endpointPods, hasNoSelector } from './endpoint-pods.js';
import { anyObject } from './shapes.js';
import { READ_CLUSTER, defineTool } from './define.js';
import { didYouMean } from '../../domain/did-you-mean.js';
import type { KubefwdBackend } from '../backend.js';

/** How many of a namespace's events are read for the names of the objects they are about. */
const EVENTS_FOR_NAMES = 500;

/**
 * Why an object has no events: it may not exist (a typo, a deployment's name for a pod's). The
 * names known cheaply are the namespace's pods and services and the objects its events are about;
 * a name that starts a pod's name (its deployment or replica set) counts as existing. Undefined
 * when nothing can be said.
 */
const noEventsNote = async (
  api: KubefwdBackend,
  namespace: string,
  context: string | undefined,
  name: string,
): Promise<string | undefined> => {
  const o = context ? { context } : {};
  const [pods, services, events] = await Promise.all([
    api.k8sPods(namespace, o).catch(() => undefined),
    api.k8sServices(namespace, o).then(
      (r) => r.services,
      () => undefined,
    ),
    api.k8sEvents(namespace, { ...o, limit: EVENTS_FOR_NAMES }).catch(() => undefined),
  ]);
  if (!pods || !services || !events) return undefined;
  const names = [
    ...new Set([
      ...pods.map((p) => p.name),
      ...services.map((s) => s.name),
      ...events.flatMap((e) => (e.objectName ? [e.objectName] : [])),
    ]),
  ];
  if (names.includes(name) || pods.some((p) => p.name.startsWith(`${name}-`)))
    return 'It has none now (Kubernetes keeps events for about an hour).';
  return `No pod or service of ${namespace} is named "${name}", and no event of the namespace is about it${didYouMean(name, names)}: check the name (list_pods, list_k8s_services).`;
};

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
    /** Why there is no event: the object named may not exist (with the names close to it). */
    note: z.string().optional(),
  }),
  annotations: READ_CLUSTER,
  async run({ namespace, context, resource_kind, resource_name, limit }, api) {
    const events = await api.k8sEvents(namespace, {
      limit: limit ?? 50,
      ...(context ? { context } : {}),
      ...(resource_kind ? { resourceKind: resource_kind } : {}),
      ...(resource_name ? { resourceName: resource_name } : {}),
    });
    const note =
      events.length === 0 && resource_name
        ? await noEventsNote(api, namespace, context, resource_name)
        : undefined;
    const line = (e: K8sEvent): string =>
      `- ${e.lastTimestamp} ${e.type} ${e.reason} ${e.objectKind ?? ''}/${e.objectName ?? ''}: ${e.message}`;
    return {
      // Event reasons and messages are written by controllers and by anything allowed to create
      // events in the namespace: data for the model, fenced.
      data: {
        events,
        namespace,
        count: events.length,
        untrusted: UNTRUSTED_NOTICE,
        ...(note ? { note } : {}),
      },
      text: `${events.length} event(s) in ${namespace}${resource_name ? ` for ${resource_name}` : ''}.${note ? ` ${note}` : ''}\n${fenceUntrusted(`the events of namespace ${namespace}`, events.map(line)).text}`,
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
