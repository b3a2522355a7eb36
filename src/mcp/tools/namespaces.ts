// Forward or stop a whole namespace.
import { z } from 'zod';
import type { KubefwdBackend } from '../backend.js';
import { contextField, namespaceField, selectorField } from '../input.js';
import { describeTarget } from './shapes.js';
import { defineTool } from './define.js';

/** The context a request means: the given one, else the kubeconfig's current context. */
export const resolveContext = async (api: KubefwdBackend, context: string | undefined): Promise<string> =>
  context ?? (await api.k8sContexts()).currentContext;

export const addNamespace = defineTool({
  name: 'add_namespace',
  title: 'Forward a namespace',
  description:
    'Forward every service of a Kubernetes namespace to this machine: each service gets its own loopback IP ' +
    'and its names (e.g. "postgres", "postgres.shop") are added to the hosts file, so clients connect by ' +
    'service name. Forwards start in the background and stay up while pods change; call list_services to see ' +
    'them and get_connection_info for ready-to-use connection strings. Optional selector: a label selector ' +
    'limiting which services are forwarded (e.g. "app=api").',
  input: z.strictObject({
    namespace: namespaceField,
    context: contextField.optional(),
    selector: selectorField.optional().describe('label selector, e.g. "app=postgres"'),
  }),
  output: z.object({
    success: z.boolean(),
    key: z.string(),
    namespace: z.string(),
    context: z.string(),
    serviceCount: z.number(),
    services: z.array(z.string()),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ namespace, context, selector }, api) {
    const res = await api.addNamespace({
      namespace,
      ...(context ? { context } : {}),
      ...(selector ? { selector } : {}),
    });
    // Discovery is asynchronous in the daemon; the cluster's list tells the model what to expect.
    const services = await api
      .k8sServices(namespace, { context: res.context })
      .then((r) => r.services.map((s) => s.name))
      .catch(() => [] as string[]);
    const message = `Started forwarding namespace ${describeTarget(namespace, res.context)}`;
    return {
      data: {
        success: true,
        key: res.key,
        namespace: res.namespace,
        context: res.context,
        serviceCount: services.length,
        services,
        message,
      },
      text: `${message}: ${services.length} service(s) found (${services.join(', ')}). Call list_services to see their addresses once forwarded.`,
    };
  },
});

export const removeNamespace = defineTool({
  name: 'remove_namespace',
  title: 'Stop forwarding a namespace',
  description:
    'Stop every forward of a namespace and remove its entries from the hosts file. Connections through those ' +
    'forwards are closed. Omit context for the current kubeconfig context.',
  input: z.strictObject({ namespace: namespaceField, context: contextField.optional() }),
  output: z.object({ success: z.boolean(), namespace: z.string(), context: z.string(), message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ namespace, context }, api) {
    const ctx = await resolveContext(api, context);
    await api.removeNamespace(namespace, ctx);
    const message = 'Namespace watcher stopped and services removed';
    return {
      data: { success: true, namespace, context: ctx, message },
      text: `${message}: ${describeTarget(namespace, ctx)}.`,
    };
  },
});
