// Why a service key names no forwarded service: a misspelling (the close keys), or a service of the
// cluster kubefwd does not forward — and then why: it cannot be forwarded (ExternalName, no TCP
// port, no selector and no Endpoints naming a pod), or nobody asked for it. The API answers only
// "Service not found"; an assistant needs the reason to say what to do.
import type { K8sService } from '../../contract/api-k8s.js';
import { KubefwdError } from '../../contract/errors.js';
import type { ServiceView } from '../../contract/state.js';
import type { KubefwdBackend } from '../backend.js';
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

/** The cluster service a key names, in the namespace it names or in those forwarded now. */
const findInCluster = async (
  api: KubefwdBackend,
  asked: string,
  forwarded: readonly ServiceView[],
): Promise<{ service: K8sService; context: string } | undefined> => {
  const [name, namespace, ...rest] = asked.split('.');
  if (!name) return undefined;
  const context = rest.length > 0 ? rest.join('.') : undefined;
  const places = namespace
    ? [{ namespace, context }]
    : [...new Map(forwarded.map((s) => [`${s.namespace}/${s.context}`, s])).values()]
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
    const inCluster = await findInCluster(api, asked, services);
    const close = inCluster ? '' : didYouMeanKey(asked, services);
    if (close)
      better = new KubefwdError('SERVICE_NOT_FOUND', `${err.message}${close}`, {
        hint: err.hint,
        ...(err.field ? { field: err.field } : {}),
      });
    else if (inCluster) {
      const { service: s, context } = inCluster;
      const why = await cannotForward(api, s, context);
      const where = `${s.name} (namespace ${s.namespace}, context ${context})`;
      better = new KubefwdError(
        'SERVICE_NOT_FOUND',
        why === undefined
          ? `${where} is a service of the cluster, but kubefwd does not forward it`
          : `${where} is not forwarded: kubefwd cannot forward it (${why})`,
        {
          hint:
            why === undefined
              ? `Forward it with add_service {"namespace":"${s.namespace}","service_name":"${s.name}"}.`
              : why === 'no selector and no Endpoints naming a pod'
                ? 'It has no pod selector and no Endpoints naming a pod, so there is no pod to forward to; it is forwarded once its Endpoints name one (targetRef) or it gets a selector.'
                : 'Kubernetes port-forward carries TCP to pods only; reach it another way.',
          ...(err.field ? { field: err.field } : {}),
        },
      );
    }
  } catch {
    // Finding out more failed (kubefwd went away meanwhile): the original answer stands.
  }
  throw better ?? err;
};
