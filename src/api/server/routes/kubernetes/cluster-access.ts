// What every Kubernetes discovery route shares: the cluster of the asked context (omitted → the
// kubeconfig's current one; kubefwd defaulted one route to the literal "default"), a time limit on
// each call to the API server, and the name rules of its path and query parameters.
import { z } from 'zod';
import { KubefwdError } from '../../../../contract/errors.js';
import { didYouMean } from '../../../../domain/did-you-mean.js';
import { DNS_LABEL, DNS_LABEL_MAX, DNS_SUBDOMAIN, DNS_SUBDOMAIN_MAX } from '../../../../domain/names.js';
import type { ClusterGateway } from '../../../../engine/gateways.js';
import { ensureNamespaceExists } from '../../../../engine/namespace-check.js';
import type { RouteContext } from '../../deps.js';
import { fail } from '../../respond.js';

export const ns = z
  .string()
  .max(DNS_LABEL_MAX)
  .regex(DNS_LABEL, { message: 'must be a Kubernetes namespace name (lower-case DNS label)' });
export const objName = z
  .string()
  .max(DNS_SUBDOMAIN_MAX)
  .regex(DNS_SUBDOMAIN, { message: 'must be a Kubernetes object name (lower-case DNS subdomain)' });

/** `value` checked against `schema`: INVALID_INPUT naming `field` (e.g. `query.serviceName`) when it fails. */
export const checkInput = (schema: z.ZodType, value: unknown, field: string): void => {
  const r = schema.safeParse(value);
  if (!r.success) fail('INVALID_INPUT', `${field}: ${r.error.issues[0]?.message}`, field);
};

const CLUSTER_TIMEOUT_MS = 10_000;

export const withTimeout = async <T>(what: string, p: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              // An API server that does not answer is the cluster being out of reach (stopped, a
              // VPN gone): API_UNREACHABLE's hint (cluster-info, VPN) is the one that helps, not
              // TIMEOUT's network policies and pod health.
              new KubefwdError(
                'API_UNREACHABLE',
                `${what}: no answer from the Kubernetes API within ${CLUSTER_TIMEOUT_MS / 1000} s`,
              ),
            ),
          CLUSTER_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/** The route context with the cluster of a context and the keys of the forwarded services. */
export interface ClusterAccess {
  ctx: RouteContext;
  clusterOf: (context: string | undefined) => { cluster: ClusterGateway; context: string };
  forwardedKeys: () => Set<string>;
}

export const clusterAccess = (ctx: RouteContext): ClusterAccess => ({
  ctx,
  clusterOf: (context) => {
    const name = context || ctx.currentContext();
    const cluster = ctx.controller.cluster(name);
    return { cluster, context: cluster.context || name };
  },
  forwardedKeys: () => new Set(ctx.state.getSnapshot().services.map((s) => s.key)),
});

/** Sorts by `name`, as every list here is shown. */
export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : 1);

/**
 * A pod the API server does not find: NAMESPACE_NOT_FOUND when its namespace does not exist either
 * (the API server answers both with a pod 404), else POD_NOT_FOUND naming where it was looked for
 * and the pods close to the name — not the client's raw "not found: get pods …" with the registry's
 * "the pod is gone, sync the service", which assumes it once existed behind a forward.
 */
export const whyNoPod = async <T>(
  cluster: ClusterGateway,
  namespace: string,
  pod: string,
  p: Promise<T>,
): Promise<T> => {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof KubefwdError) || err.code !== 'POD_NOT_FOUND') throw err;
    await ensureNamespaceExists(cluster, namespace);
    const names = await withTimeout('list pods', cluster.listPods(namespace)).then(
      (list) => list.map((x) => x.metadata.name).sort(),
      () => [],
    );
    throw new KubefwdError(
      'POD_NOT_FOUND',
      `pod "${pod}" not found in namespace ${namespace} (context ${cluster.context})${didYouMean(pod, names)}`,
      {
        field: 'path.podName',
        hint: `List the pods of ${namespace} (GET /api/v1/kubernetes/pods/${namespace}, MCP list_pods); a forwarded service's pod that is gone is replaced by syncing the service.`,
        cause: err,
      },
    );
  }
};
