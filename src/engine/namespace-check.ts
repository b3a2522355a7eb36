// A namespace that does not exist is an error naming it, its context and the closest names — not a
// watch that silently finds nothing, and not the API server's bare 404 for a service in it. When
// the user may not list namespaces (namespace-scoped RBAC), nothing can be told and the namespace
// is taken on trust, as before.
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { ClusterGateway, Logger } from '../contract/gateways.js';
import type { KService } from '../contract/kube.js';
import { didYouMean } from '../domain/did-you-mean.js';

/**
 * The service `namespace/name`. One the API server does not find is NAMESPACE_NOT_FOUND when its
 * namespace does not exist either (the API server answers both with a service 404), else
 * SERVICE_NOT_FOUND naming where it was looked for and the services that are there. Other errors
 * pass through.
 */
export const getServiceOrWhyNot = (
  cluster: Pick<ClusterGateway, 'context' | 'getService' | 'listNamespaces' | 'listServices'>,
  namespace: string,
  name: string,
  logger?: Pick<Logger, 'debug'>,
): Promise<KService> =>
  cluster
    .getService(namespace, name)
    .catch((err: unknown) => whyNoService(cluster, namespace, name, err, logger));

const whyNoService = async (
  cluster: Pick<ClusterGateway, 'context' | 'listNamespaces' | 'listServices'>,
  namespace: string,
  name: string,
  err: unknown,
  logger?: Pick<Logger, 'debug'>,
): Promise<never> => {
  if (!(err instanceof KubefwdError) || err.code !== 'SERVICE_NOT_FOUND') throw err;
  await ensureNamespaceExists(cluster, namespace, logger);
  const names = await cluster
    .listServices(namespace)
    .then((list) => list.map((s) => s.metadata.name).sort())
    .catch(() => undefined);
  throw new KubefwdError(
    'SERVICE_NOT_FOUND',
    `service "${name}" not found in namespace ${namespace} (context ${cluster.context})${names ? didYouMean(name, names) : ''}`,
    {
      field: 'serviceName',
      ...(names === undefined
        ? {}
        : {
            hint:
              names.length === 0
                ? `Namespace ${namespace} has no services.`
                : `The services of ${namespace}: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`,
          }),
      cause: err,
    },
  );
};

/** Throws NAMESPACE_NOT_FOUND when the cluster lists its namespaces and `namespace` is not one. */
export const ensureNamespaceExists = async (
  cluster: Pick<ClusterGateway, 'context' | 'listNamespaces'>,
  namespace: string,
  logger?: Pick<Logger, 'debug'>,
): Promise<void> => {
  let names: string[];
  try {
    names = (await cluster.listNamespaces()).map((n) => n.metadata.name);
  } catch (err) {
    // A server that does not answer will not answer the next check either: said now, not after
    // another timeout (a user without the right to list namespaces is taken on trust).
    if (err instanceof KubefwdError && ['API_UNREACHABLE', 'API_BUSY', 'TIMEOUT'].includes(err.code))
      throw err;
    logger?.debug(
      `cannot list namespaces in context ${cluster.context} (${errorMessage(err)}); taking ${namespace} on trust`,
    );
    return;
  }
  if (names.includes(namespace)) return;
  throw new KubefwdError(
    'NAMESPACE_NOT_FOUND',
    `namespace "${namespace}" does not exist in context ${cluster.context}${didYouMean(namespace, names)}`,
    {
      field: 'namespace',
      hint: `The namespaces of ${cluster.context}: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`,
    },
  );
};
