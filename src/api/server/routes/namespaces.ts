// Forwarded namespaces (a watcher per namespace × context): list, detail, add, remove.
import { z } from 'zod';
import {
  AddNamespaceRequest,
  AddNamespaceResponse,
  NamespacesListResponse,
  NamespaceViewSchema,
  RemoveResponse,
} from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { KubefwdError } from '../../../contract/errors.js';
import { fail } from '../respond.js';
import { parseNamespaceKey } from '../../../domain/keys.js';

const NsKeyParam = z.object({ key: z.string().min(1).max(512) });

/** `namespace.context` (domain/keys: contexts may contain dots); no/empty context → current. */
export const namespaceKeyParts = (key: string, current: string): { namespace: string; context: string } => {
  const parts = parseNamespaceKey(key, current);
  if (parts) return parts;
  // INVALID_KEY's own hint is about service keys; this one is a namespace's.
  throw new KubefwdError('INVALID_KEY', `Key must be in format 'namespace.context', got "${key}"`, {
    field: 'path.key',
    hint: 'Namespace keys are "namespace.context" (an empty context means the current one, e.g. "shop."); list them with GET /api/v1/namespaces.',
  });
};

export const namespaceRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/namespaces',
    tag: 'namespaces',
    summary: 'Namespaces being forwarded (with service counts)',
    response: NamespacesListResponse,
    handler: () => ({ namespaces: [...ctx.state.getSnapshot().namespaces] }),
  }),
  route({
    method: 'post',
    path: '/api/v1/namespaces',
    tag: 'namespaces',
    summary: 'Forward every service of a namespace (services are discovered asynchronously)',
    body: AddNamespaceRequest,
    response: AddNamespaceResponse,
    status: 201,
    errors: [404, 409, 502],
    handler: async ({ body }) => {
      const labelSelector = body.labelSelector ?? body.selector;
      const rec = await ctx.controller.addNamespace({
        namespace: body.namespace,
        ...(body.context ? { context: body.context } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(body.fieldSelector ? { fieldSelector: body.fieldSelector } : {}),
      });
      const services = ctx.state
        .getSnapshot()
        .services.filter((s) => s.namespace === rec.namespace && s.context === rec.context)
        .map((s) => s.key);
      return { key: rec.key, namespace: rec.namespace, context: rec.context, services };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/namespaces/:key',
    tag: 'namespaces',
    summary: 'One forwarded namespace; key is `namespace.context` (context may be empty: current)',
    params: NsKeyParam,
    response: NamespaceViewSchema,
    errors: [404],
    handler: ({ params }) => {
      const { namespace, context } = namespaceKeyParts(params.key, ctx.currentContext());
      return (
        ctx.state.getSnapshot().namespaces.find((n) => n.namespace === namespace && n.context === context) ??
        fail('NAMESPACE_NOT_FOUND', `namespace ${namespace}.${context} not found`, 'path.key')
      );
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/namespaces/:key',
    tag: 'namespaces',
    summary: 'Stop forwarding a namespace (its services, forwards and hosts entries go)',
    params: NsKeyParam,
    response: RemoveResponse,
    errors: [404],
    handler: async ({ params }) => {
      const { namespace, context } = namespaceKeyParts(params.key, ctx.currentContext());
      await ctx.controller.removeNamespace(namespace, context);
      return {
        removed: true as const,
        key: `${namespace}.${context}`,
        message: 'Namespace watcher stopped and services removed',
      };
    },
  }),
];
