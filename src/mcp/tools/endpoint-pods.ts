// A Service without a selector is forwarded to the pods its (manual) Endpoints name: kubefwd reads
// the targetRef of each address. What those pods are, which of them still exist, and the words that
// say so — for list_pods, get_endpoints and list_k8s_services, which otherwise know pods only by
// selector.
import type { K8sEndpoints, K8sPod, K8sService } from '../../contract/api-k8s.js';
import { KubefwdError } from '../../contract/errors.js';
import type { KubefwdBackend } from '../backend.js';

/** Whether kubefwd finds this service's pods by its Endpoints rather than by a selector. */
export const hasNoSelector = (s: Pick<K8sService, 'selector' | 'type'>): boolean =>
  s.type !== 'ExternalName' && Object.keys(s.selector ?? {}).length === 0;

/** The pods an Endpoints object names (ready and not ready), in order, once each. */
export const podsNamedBy = (ep: Pick<K8sEndpoints, 'subsets'>): string[] => [
  ...new Set(
    ep.subsets.flatMap((s) => [...s.addresses, ...s.notReadyAddresses].flatMap((a) => a.podName ?? [])),
  ),
];

export interface EndpointPods {
  /** The pods the Endpoints name. */
  named: string[];
  /** Those of them that exist, as list_pods shows pods. */
  existing: K8sPod[];
  /** Those of them that no longer exist. */
  gone: string[];
}

/** The pods `service`'s Endpoints name, and which of them exist (`pods`: the namespace's pods). */
export const endpointPods = (ep: Pick<K8sEndpoints, 'subsets'>, pods: readonly K8sPod[]): EndpointPods => {
  const named = podsNamedBy(ep);
  return {
    named,
    existing: pods.filter((p) => named.includes(p.name)),
    gone: named.filter((n) => !pods.some((p) => p.name === n)),
  };
};

/** Reads the Endpoints of a service and the namespace's pods. */
export const readEndpointPods = async (
  api: KubefwdBackend,
  namespace: string,
  service: string,
  context: string | undefined,
): Promise<EndpointPods> => {
  const opts = context ? { context } : {};
  const [ep, pods] = await Promise.all([
    // A service with neither selector nor Endpoints has no Endpoints object at all: none named.
    api.k8sEndpoints(namespace, service, opts).catch((err: unknown) => {
      if (err instanceof KubefwdError && err.code === 'NOT_FOUND') return { subsets: [] };
      throw err;
    }),
    api.k8sPods(namespace, opts),
  ]);
  return endpointPods(ep, pods);
};

/** What a selector-less service's Endpoints amount to, in a sentence or two. */
export const endpointPodsNote = (service: string, e: EndpointPods): string =>
  e.named.length === 0
    ? `${service} has no selector and its Endpoints name no pods, so kubefwd has nothing to forward it to; it is forwarded once its Endpoints name a pod (targetRef).`
    : [
        `${service} has no selector: kubefwd forwards it to the pods its Endpoints name (${e.named.join(', ')}).`,
        ...(e.gone.length > 0
          ? [
              `Endpoints name pod ${e.gone.join(', ')}, which no longer exists; the manual Endpoints must be updated to name a pod that runs.`,
            ]
          : []),
      ].join(' ');
