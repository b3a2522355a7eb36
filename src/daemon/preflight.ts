// Everything that can fail because of the user's input or the cluster is checked here, before the
// hosts file or any listener is touched: contexts exist, the API server answers, and the user may
// list/watch services and pods and port-forward in every namespace to forward (kubefwd's RBAC check,
// with the missing permission named).
import { KubefwdError } from '../contract/errors.js';
import type { ClusterProvider, Logger } from '../engine/gateways.js';
import { ensureNamespaceExists } from '../engine/namespace-check.js';
import type { DaemonConfig } from './config.js';

export interface NamespaceTarget {
  context: string;
  namespace: string;
}

export interface ServiceTarget extends NamespaceTarget {
  name: string;
}

export interface Plan {
  contexts: string[];
  namespaces: NamespaceTarget[];
  /** --service entries not covered by a forwarded namespace. */
  services: ServiceTarget[];
}

export const planTargets = async (
  config: DaemonConfig,
  clusters: ClusterProvider,
  logger: Logger,
): Promise<Plan> => {
  const contexts = config.contexts.length > 0 ? config.contexts : [clusters.currentContext()];
  for (const ctx of contexts) clusters.cluster(ctx); // CONTEXT_NOT_FOUND names the context
  const namespaces: NamespaceTarget[] = [];
  const seen = new Set<string>();
  const addNs = (context: string, namespace: string): void => {
    const k = `${context}/${namespace}`;
    if (seen.has(k)) return;
    seen.add(k);
    namespaces.push({ context, namespace });
  };
  for (const context of contexts) {
    if (config.allNamespaces) {
      // The context's own namespace first, as kubefwd does: the first namespace gets the short
      // names (`api-gateway`), and they belong to the namespace the user works in, not to the
      // alphabetically first one.
      const cluster = clusters.cluster(context);
      const names = (await cluster.listNamespaces()).map((n) => n.metadata.name).sort();
      const current = cluster.defaultNamespace;
      if (names.includes(current)) {
        logger.info(`Using namespace ${current} from current context ${context}.`);
        addNs(context, current);
      }
      for (const ns of names) addNs(context, ns);
    } else for (const ns of config.namespaces) addNs(context, ns);
  }
  const services: ServiceTarget[] = [];
  for (const p of config.services) {
    for (const context of p.context !== undefined ? [p.context] : contexts) {
      if (p.context !== undefined) clusters.cluster(context);
      if (p.name === '*') addNs(context, p.namespace);
      else if (!seen.has(`${context}/${p.namespace}`))
        services.push({ context, namespace: p.namespace, name: p.name });
    }
  }
  // One access check per namespace touched (namespaces and single services alike).
  const toCheck = new Map<string, NamespaceTarget>();
  for (const t of [...namespaces, ...services])
    toCheck.set(`${t.context}/${t.namespace}`, { context: t.context, namespace: t.namespace });
  for (const t of toCheck.values()) {
    logger.debug(`Checking access to namespace ${t.namespace} in context ${t.context}`);
    await ensureNamespaceExists(clusters.cluster(t.context), t.namespace, logger);
    const missing = await clusters.cluster(t.context).checkAccess(t.namespace);
    if (missing.length > 0)
      throw new KubefwdError(
        'PERMISSION_DENIED',
        `missing RBAC permission in namespace ${t.namespace} (context ${t.context}): ${missing.join(', ')}`,
        { field: t.namespace },
      );
  }
  // A selector the API server refuses (a field it cannot select on) would have the watch retry
  // for ever: one list with it, now, turns that into the error at start.
  const first = namespaces[0];
  if (first && (config.labelSelector || config.fieldSelector)) {
    const selectors = {
      ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
      ...(config.fieldSelector ? { fieldSelector: config.fieldSelector } : {}),
    };
    await clusters
      .cluster(first.context)
      .listServices(first.namespace, selectors)
      .catch((err: unknown) => {
        if (!(err instanceof KubefwdError) || err.code !== 'INVALID_INPUT') throw err;
        const field = config.fieldSelector ? '--field-selector' : '--selector';
        throw new KubefwdError('INVALID_INPUT', `the API server refuses ${field}: ${err.message}`, {
          field,
          hint: 'Services can be selected on metadata.name and metadata.namespace fields, and on any label (-l).',
          cause: err,
        });
      });
  }
  return { contexts, namespaces, services };
};
