// Discovery: what the cluster offers (namespaces, services, contexts), before anything is forwarded.
import { z } from 'zod';
import { contextField, namespaceField } from '../input.js';
import { anyObject } from './shapes.js';
import { READ_CLUSTER, defineTool } from './define.js';
import { cannotForward } from './not-forwarded.js';

export const listK8sNamespaces = defineTool({
  name: 'list_k8s_namespaces',
  title: 'List cluster namespaces',
  description:
    'List the namespaces of a Kubernetes context, each with its phase and whether kubefwd already forwards it. ' +
    'Use to discover what can be forwarded; then call list_k8s_services for one namespace. ' +
    'Omit context to use the current kubeconfig context.',
  input: z.strictObject({ context: contextField.optional() }),
  output: z.object({
    namespaces: z.array(z.looseObject({ name: z.string(), forwarded: z.boolean() })),
    count: z.number(),
    context: z.string().optional(),
  }),
  annotations: READ_CLUSTER,
  async run({ context }, api) {
    const { namespaces } = await api.k8sNamespaces(context ? { context } : {});
    const data = { namespaces, count: namespaces.length, ...(context ? { context } : {}) };
    const text =
      `${namespaces.length} namespace(s)${context ? ` in context ${context}` : ''}:\n` +
      namespaces
        .map(
          (n) =>
            `- ${n.name}${n.forwarded ? ` (forwarded${n.forwardedServices ? `: ${n.forwardedServices} service${n.forwardedServices === 1 ? '' : 's'}` : ''})` : n.forwardedServices ? ` (${n.forwardedServices} service(s) forwarded one by one)` : ''}`,
        )
        .join('\n');
    return { data, text };
  },
});

export const listK8sServices = defineTool({
  name: 'list_k8s_services',
  title: 'List cluster services',
  description:
    'List the Services of one Kubernetes namespace with their type, ports and selector, and whether each is ' +
    'already forwarded (with its key). Use to discover what can be forwarded; forward one with add_service ' +
    'or all with add_namespace. ExternalName services, services with only UDP/SCTP ports and services with ' +
    'neither a selector nor Endpoints naming a pod cannot be forwarded (marked so, with cannotForward); a service ' +
    'without a selector is forwarded to the pods its Endpoints name.',
  input: z.strictObject({ namespace: namespaceField, context: contextField.optional() }),
  output: z.object({
    services: z.array(
      z.looseObject({
        name: z.string(),
        namespace: z.string(),
        ports: z.array(anyObject),
        forwarded: z.boolean(),
        /** Why kubefwd cannot forward it (ExternalName, no TCP port, no selector and no Endpoints naming a pod). */
        cannotForward: z.string().optional(),
      }),
    ),
    namespace: z.string(),
    count: z.number(),
  }),
  annotations: READ_CLUSTER,
  async run({ namespace, context }, api) {
    const listed = await api.k8sServices(namespace, context ? { context } : {});
    // A service without a selector costs one more request (its Endpoints): only those.
    const services = await Promise.all(
      listed.services.map(async (s) => {
        const why = s.forwarded ? undefined : await cannotForward(api, s, listed.context);
        return why === undefined ? s : { ...s, cannotForward: why };
      }),
    );
    const lines = services.map((s) => {
      const ports = s.ports
        .map((p) => `${p.port}${p.name ? `/${p.name}` : ''}${p.protocol !== 'TCP' ? ` ${p.protocol}` : ''}`)
        .join(', ');
      const why = 'cannotForward' in s ? s.cannotForward : undefined;
      return `- ${s.name} [${s.type}] ports ${ports || 'none'}${s.forwarded ? ` (forwarded as ${s.forwardKey ?? '?'})` : ''}${why ? ` (cannot be forwarded: ${why})` : ''}`;
    });
    return {
      data: { services, namespace, count: services.length },
      text: `${services.length} service(s) in ${namespace}:\n${lines.join('\n')}`,
    };
  },
});

export const listContexts = defineTool({
  name: 'list_contexts',
  title: 'List kubeconfig contexts',
  description:
    'List the Kubernetes contexts of the kubeconfig kubefwd uses, with the current one marked. ' +
    'Pass a context name to other tools to work with another cluster.',
  input: z.strictObject({}),
  output: z.object({
    contexts: z.array(z.looseObject({ name: z.string() })),
    current: z.string(),
    count: z.number(),
  }),
  annotations: READ_CLUSTER,
  async run(_args, api) {
    const { contexts, currentContext } = await api.k8sContexts();
    const sorted = [...contexts].sort((a, b) => a.name.localeCompare(b.name));
    return {
      data: { contexts: sorted, current: currentContext, count: sorted.length },
      text: sorted.map((c) => `${c.name === currentContext ? '*' : ' '} ${c.name}`).join('\n'),
    };
  },
});
