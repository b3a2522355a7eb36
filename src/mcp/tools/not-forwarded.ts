// Why a service key names no forwarded service: a misspelling (the close keys), or a service of the
// cluster kubefwd does not forward — and then why: it cannot be forwarded (ExternalName, no TCP
// port, no selector and no Endpoints naming a pod), or nobody asked for it. The API answers only
// "Service not found"; an assistant needs the reason to say what to do.
import type { K8sService } from '../../contract/api-k8s.js';
import { KubefwdError } from '../../contract/errors.js';
import type { ServiceView } from '../../contract/state.js';
import type { KubefwdBackend } from '../backend.js';
import { didYouMean } from '../../domain/did-you-mean.js';
import { parseServiceKey } from '../../domain/keys.js';
import { didYouMeanKey } from './close-keys.js';
import { hasNoSelector, podsNamedBy } from './endpoint-pods.js';

/** How many forwarded namespaces a bare name is looked up in (one request each). */
const MAX_PLACES = 8;

/** Why kubefwd cannot forward a cluster service, or undefined when it can. */
export const cannotForward = async (
  api: Pick<KubefwdBackend, 'k8sEndpoints'>,
  s: Pick<K8sService, 'name' | 'namespace' | 'type' | 'selector' | 'ports'>,
  context: string | undefined,
): Promise<string | undefined> => {
  // As the engine plans it (engine/reconcile.ts): port-forward carries TCP only, to pods.
  if (s.type === 'ExternalName') return 'ExternalName';
  if (s.ports.length > 0 && !s.ports.some((p) => p.protocol === 'TCP')) return 'no TCP port';
  if (!hasNoSelector(s)) return undefined;
  const named = await api
    .k8sEndpoints(s.namespace, s.name, context ? { context } : {})
    .then(podsNamedBy)
    .catch((err: unknown) => {
      // No Endpoints object at all (NOT_FOUND: the service is there, its Endpoints are not) names
      // no pod; any other failure (the service itself gone meanwhile) tells nothing.
      if (err instanceof KubefwdError && err.code === 'NOT_FOUND') return [];
      return undefined;
    });
  return named?.length === 0 ? 'no selector and no Endpoints naming a pod' : undefined;
};

/** The cluster service of that name, in the namespace named or in those forwarded now. */
const findInCluster = async (
  api: KubefwdBackend,
  name: string,
  namespace: string | undefined,
  context: string | undefined,
  forwarded: readonly ServiceView[],
): Promise<{ service: K8sService; context: string } | undefined> => {
  if (!name) return undefined;
  const places = namespace
    ? [{ namespace, context }]
    : [...new Map(forwarded.map((s) => [`${s.namespace}/${s.context}`, s])).values()]
        .filter((s) => !context || s.context === context)
        .slice(0, MAX_PLACES)
        .map((s) => ({ namespace: s.namespace, context: s.context }));
  const found = await Promise.all(
    places.map(async (p) => {
      const r = await api
        .k8sServices(p.namespace, p.context ? { context: p.context } : {})
        .catch(() => undefined);
      const service = r?.services.find((s) => s.name === name);
      return service && r ? { service, context: r.context } : undefined;
    }),
  );
  return found.find((f) => f !== undefined);
};

/** What to do about a service kubefwd cannot forward, by the reason cannotForward gave. */
const WHAT_TO_DO: Record<string, (s: Pick<K8sService, 'name' | 'namespace'>) => string> = {
  ExternalName: (s) =>
    `It is an ExternalName service: a DNS alias for a name outside the cluster, with no pod behind it. Reach that name directly (kubectl get service ${s.name} -n ${s.namespace} -o jsonpath='{.spec.externalName}' shows it); add_service cannot help.`,
  'no TCP port': () =>
    'Its ports are UDP (or SCTP) only, and Kubernetes port-forward carries TCP only; reach it from inside the cluster. add_service cannot help.',
  'no selector and no Endpoints naming a pod': () =>
    'It has no pod selector and no Endpoints naming a pod, so there is no pod to forward to; it is forwarded once its Endpoints name one (targetRef) or it gets a selector.',
};

/** The cluster service said to be one kubefwd cannot forward, with why and what to do instead. */
const cannotForwardError = (
  s: Pick<K8sService, 'name' | 'namespace'>,
  context: string,
  why: string,
  field: string | undefined,
): KubefwdError =>
  new KubefwdError(
    'SERVICE_NOT_FOUND',
    `${s.name} (namespace ${s.namespace}, context ${context}) is not forwarded: kubefwd cannot forward it (${why})`,
    {
      hint: WHAT_TO_DO[why]?.(s) ?? 'Kubernetes port-forward carries TCP to pods only; reach it another way.',
      ...(field ? { field } : {}),
    },
  );

/**
 * A service asked for that the cluster has but kubefwd cannot forward (ExternalName, UDP only, no
 * pod to forward to): the error saying so and why. "Forward it first with add_service" would only
 * meet UNSUPPORTED_SERVICE. Undefined when there is no such service, it can be forwarded, or the
 * cluster cannot be asked.
 */
export const notForwardable = async (
  api: KubefwdBackend,
  name: string,
  namespace: string | undefined,
  context: string | undefined,
  forwarded: readonly ServiceView[],
  field: string,
): Promise<KubefwdError | undefined> => {
  const inCluster = await findInCluster(api, name, namespace, context, forwarded);
  if (!inCluster) return undefined;
  const why = await cannotForward(api, inCluster.service, inCluster.context);
  return why === undefined ? undefined : cannotForwardError(inCluster.service, inCluster.context, why, field);
};

/** How many removals are searched for one name (newest first). */
const REMOVALS_LOOKED_AT = 200;

/** Where kubefwd stopped forwarding a service of that name (newest first), from its history. */
const removalsOf = async (
  api: Pick<KubefwdBackend, 'historyEvents'>,
  name: string,
  namespace: string | undefined,
  context: string | undefined,
): Promise<{ namespace: string; context: string; at: string }[]> => {
  const events = await api
    .historyEvents({ type: 'ServiceRemoved', count: REMOVALS_LOOKED_AT })
    .catch(() => []);
  return events.flatMap((e) => {
    const k = parseServiceKey(e.serviceKey ?? '');
    return k?.service === name &&
      (!namespace || k.namespace === namespace) &&
      (!context || k.context === context)
      ? [{ namespace: k.namespace, context: k.context, at: e.timestamp }]
      : [];
  });
};

/**
 * A service asked for that the cluster does not have: one kubefwd forwarded until it was deleted
 * there (its removal is in the history), or — when the namespace is named — one that namespace has
 * no service of that name. "Forward it first with add_service" would only meet SERVICE_NOT_FOUND.
 * Undefined when the cluster has it, or cannot be asked.
 */
export const goneFromCluster = async (
  api: Pick<KubefwdBackend, 'historyEvents' | 'k8sServices'>,
  name: string,
  namespace: string | undefined,
  context: string | undefined,
  field: string,
): Promise<{ deleted: boolean; error: KubefwdError } | undefined> => {
  const removed = await removalsOf(api, name, namespace, context);
  const place = removed[0] ?? (namespace ? { namespace, context, at: undefined } : undefined);
  if (!place) return undefined;
  const listed = await api
    .k8sServices(place.namespace, place.context ? { context: place.context } : {})
    .catch(() => undefined);
  if (!listed || listed.services.some((s) => s.name === name)) return undefined;
  const names = listed.services.map((s) => s.name);
  const where = `namespace ${place.namespace}, context ${listed.context}`;
  const now =
    names.length === 0
      ? `Namespace ${place.namespace} has no services now.`
      : `The services of ${place.namespace} now: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`;
  const deleted = place.at !== undefined;
  return {
    deleted,
    error: new KubefwdError(
      'SERVICE_NOT_FOUND',
      deleted
        ? `${name} (${where}) no longer exists in the cluster: it was deleted, and kubefwd stopped forwarding it at ${place.at}`
        : `there is no service "${name}" in the cluster (${where})${didYouMean(name, names)}`,
      {
        hint: `${deleted ? 'There is nothing to forward until it is created again; add_service cannot help. ' : ''}${now} find_services finds what is forwarded.`,
        field,
      },
    ),
  };
};

/**
 * For a SERVICE_NOT_FOUND about `asked`: the same error with the reason the service is not
 * forwarded, or with the forwarded keys close to it. Any other error, or a failure to find out
 * more, is rethrown as it came.
 */
export const explainNotForwarded = async (
  api: KubefwdBackend,
  asked: string,
  err: unknown,
): Promise<never> => {
  if (!(err instanceof KubefwdError) || err.code !== 'SERVICE_NOT_FOUND') throw err;
  let better: KubefwdError | undefined;
  try {
    const { services } = await api.listServices();
    // A service of the cluster by that very name first: its reason beats a guess at a typo.
    // `name`, `name.namespace` or `name.namespace.context` (the context may hold dots).
    const [name = asked, namespace, ...rest] = asked.split('.');
    const context = rest.length > 0 ? rest.join('.') : undefined;
    const inCluster = await findInCluster(api, name, namespace, context, services);
    const gone = inCluster
      ? undefined
      : await goneFromCluster(api, name, namespace, context, err.field ?? 'key');
    const close = inCluster || gone?.deleted ? '' : didYouMeanKey(asked, services);
    if (gone?.deleted) better = gone.error;
    else if (close)
      better = new KubefwdError('SERVICE_NOT_FOUND', `${err.message}${close}`, {
        hint: err.hint,
        ...(err.field ? { field: err.field } : {}),
      });
    else if (inCluster) {
      const { service: s, context } = inCluster;
      const why = await cannotForward(api, s, context);
      better =
        why === undefined
          ? new KubefwdError(
              'SERVICE_NOT_FOUND',
              `${s.name} (namespace ${s.namespace}, context ${context}) is a service of the cluster, but kubefwd does not forward it`,
              {
                hint: `Forward it with add_service {"namespace":"${s.namespace}","service_name":"${s.name}"}.`,
                ...(err.field ? { field: err.field } : {}),
              },
            )
          : cannotForwardError(s, context, why, err.field);
    } else if (gone) better = gone.error;
  } catch {
    // Finding out more failed (kubefwd went away meanwhile): the original answer stands.
  }
  throw better ?? err;
};
