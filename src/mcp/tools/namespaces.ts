// Forward or stop a whole namespace.
import { z } from 'zod';
import { KubefwdError } from '../../contract/errors.js';
import type { KubefwdBackend } from '../backend.js';
import { contextField, namespaceField, selectorField } from '../input.js';
import type { ForwardView } from '../../contract/state.js';
import { describeTarget } from './shapes.js';
import { defineTool } from './define.js';
import { DEFAULT_SETTLE_MS, pendingNote, settleFailure, waitForForwards } from './settle.js';
import { parseServiceKey } from '../../domain/keys.js';

/** The Kubernetes service a forward belongs to (headless services are forwarded per pod). */
const serviceOf = (f: ForwardView): string => parseServiceKey(f.registryKey)?.service ?? f.serviceName;
const serviceSet = (fs: readonly ForwardView[]): string => [...new Set(fs.map(serviceOf))].sort().join(',');

/** The context a request means: the given one, else the kubeconfig's current context. */
export const resolveContext = async (api: KubefwdBackend, context: string | undefined): Promise<string> =>
  context ?? (await api.k8sContexts()).currentContext;

/** Why a namespace with services shows none forwarded yet. */
const nothingYet = (inCluster: number | undefined, selector: string | undefined): string =>
  inCluster === undefined
    ? 'none found, or discovery still runs'
    : `it has ${inCluster} service(s)${selector ? `; the selector "${selector}" may match none of them` : ''}, or discovery still runs`;

export const addNamespace = defineTool({
  name: 'add_namespace',
  title: 'Forward a namespace',
  description:
    'Forward every service of a Kubernetes namespace to this machine: each service gets its own loopback IP ' +
    'and its names (e.g. "postgres", "postgres.shop") are added to the hosts file, so clients connect by ' +
    'service name. Waits a few seconds for the forwards to start and returns the services forwarded; status ' +
    '"pending" means some are still starting (the note says why), and forwards that fail (e.g. an address held ' +
    'by another program) make it an error naming the cause and the fix. Forwards stay up while pods change; ' +
    'get_connection_info gives ready-to-use connection strings. Optional selector: a label selector limiting ' +
    'which services are forwarded (e.g. "app=api").',
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
    /** Kubernetes services forwarded (a headless one once). */
    serviceCount: z.number(),
    services: z.array(z.string()),
    /** The per-pod entries of headless services ("kafka-0.kafka"), which list_services also counts. */
    podEntries: z.array(z.string()).optional(),
    /** "active" once every forward listens; "pending" when the wait ended first. */
    status: z.enum(['active', 'pending']),
    note: z.string().optional(),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ namespace, context, selector }, api, ctx) {
    // A namespace that does not exist is refused by kubefwd itself (NAMESPACE_NOT_FOUND, with the
    // closest names), so the model hears of a typo.
    const res = await api.addNamespace({
      namespace,
      ...(context ? { context } : {}),
      ...(selector ? { selector } : {}),
    });
    // What the cluster has there: an empty namespace has nothing to wait for. Unknown (undefined)
    // when the cluster cannot be asked; the wait then decides.
    const inCluster = await api
      .k8sServices(res.namespace, { context: res.context })
      .then((r) => r.services.length)
      .catch(() => undefined);
    // The daemon discovers the services in the background: settled means every forward is Active
    // or failed and no service was added since the previous look.
    const { forwards, settled } =
      inCluster === 0
        ? { forwards: [], settled: { state: 'active' as const } }
        : await waitForForwards(
            api,
            (f) => f.namespace === res.namespace && f.context === res.context,
            ctx.settleMs ?? DEFAULT_SETTLE_MS,
            serviceSet,
          );
    const target = describeTarget(namespace, res.context);
    const services = [...new Set(forwards.map(serviceOf))].sort();
    if (settled.state === 'failed') {
      const failedServices = new Set(settled.failed.map(serviceOf));
      const ok = services.filter((s) => !failedServices.has(s));
      throw settleFailure(
        `Namespace ${target} is registered${ok.length > 0 ? ` and ${ok.join(', ')} forwarded` : ''}, but ${[...failedServices].join(', ')} could not be forwarded`,
        settled.failed,
      );
    }
    const note =
      inCluster === 0
        ? `Namespace ${target} has no services in the cluster, so there is nothing to forward now; kubefwd watches it and forwards the services created there later.`
        : settled.state === 'pending'
          ? forwards.length === 0
            ? `No service of the namespace is forwarded yet (${nothingYet(inCluster, selector)}); check list_services in a moment.`
            : pendingNote(settled.waiting)
          : undefined;
    const message = `Started forwarding namespace ${target}`;
    // list_services and get_health count a headless service once more per pod (`kafka-0.kafka`):
    // say so, or the two numbers seem to disagree.
    const podEntries = [
      ...new Set(forwards.filter((f) => f.serviceKey !== f.registryKey).map((f) => f.serviceName)),
    ].sort();
    const headless = [
      ...new Set(forwards.filter((f) => f.serviceKey !== f.registryKey).map(serviceOf)),
    ].sort();
    const counted =
      podEntries.length === 0
        ? ''
        : ` list_services and get_health count ${services.length + podEntries.length}: headless ${headless.join(', ')} is also forwarded per pod (${podEntries.join(', ')}).`;
    return {
      data: {
        success: true,
        key: res.key,
        namespace: res.namespace,
        context: res.context,
        serviceCount: services.length,
        services,
        ...(podEntries.length > 0 ? { podEntries } : {}),
        status: settled.state,
        ...(note ? { note } : {}),
        message,
      },
      text:
        services.length === 0
          ? `${message}: no service forwarded. ${note ?? ''}`.trimEnd()
          : `${message}: ${services.length} service(s) forwarded (${services.join(', ')}).${counted}${note ? ` ${note}` : ''} get_connection_info gives their connection strings.`,
    };
  },
});

export const removeNamespace = defineTool({
  name: 'remove_namespace',
  title: 'Stop forwarding a namespace',
  description:
    'Stop every forward of a namespace (the whole namespace, or services of it added one by one) and remove ' +
    'its entries from the hosts file. Connections through those forwards are closed. Nothing forwarded from it ' +
    'is not an error. Omit context for the current kubeconfig context.',
  input: z.strictObject({ namespace: namespaceField, context: contextField.optional() }),
  output: z.object({ success: z.boolean(), namespace: z.string(), context: z.string(), message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ namespace, context }, api) {
    const ctx = await resolveContext(api, context);
    // Idempotent, as annotated: a namespace with nothing forwarded is already where the caller wants it.
    const stopped = await api.removeNamespace(namespace, ctx).then(
      () => true,
      (err: unknown) => {
        if (err instanceof KubefwdError && err.code === 'NAMESPACE_NOT_FOUND') return false;
        throw err;
      },
    );
    const message = stopped
      ? 'Namespace watcher stopped and services removed'
      : 'Nothing of this namespace was forwarded; nothing to stop';
    return {
      data: { success: true, namespace, context: ctx, message },
      text: `${message}: ${describeTarget(namespace, ctx)}.`,
    };
  },
});
