// The RBAC preflight: before forwarding a namespace, ask the API server (SelfSubjectAccessReview)
// whether this user may do everything kubefwd will do there, and name what is missing.
import { KubefwdError } from '../contract/errors.js';
import type { RestClient } from './rest/client.js';
import { KubeApiError } from './rest/errors.js';
import type { KubeLogger } from './types.js';

export interface Permission {
  verb: string;
  resource: string;
  subresource?: string;
}

/**
 * What kubefwd does in a namespace it forwards; each requirement is met by any one of its
 * permissions. Endpoints are not required: they are read only for services without a selector,
 * and a role without them limits kubefwd to the others (said once, engine/namespace-watch.ts).
 * Nor is "get pods": only the API's pod details and logs read a pod by name (a 403 there names it).
 */
export const REQUIRED_PERMISSIONS: readonly (readonly Permission[])[] = [
  [{ verb: 'list', resource: 'services' }],
  [{ verb: 'watch', resource: 'services' }],
  [{ verb: 'list', resource: 'pods' }],
  [{ verb: 'watch', resource: 'pods' }],
  // SPDY's upgrade is a POST ("create"), a WebSocket one a GET ("get"; 1.35 asks "create" too):
  // either lets one protocol through, and `auto` falls back from the one refused to the other.
  [
    { verb: 'create', resource: 'pods', subresource: 'portforward' },
    { verb: 'get', resource: 'pods', subresource: 'portforward' },
  ],
];

export const permissionName = (p: Permission): string =>
  `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''}`;

/** "create pods/portforward (or get pods/portforward)". */
const requirementName = (alternatives: readonly Permission[]): string =>
  alternatives.map((p, i) => (i === 0 ? permissionName(p) : `(or ${permissionName(p)})`)).join(' ');

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/** Returns the unmet requirements as "verb resource" (empty = all allowed). */
export async function checkAccess(
  rest: RestClient,
  namespace: string,
  logger: KubeLogger,
): Promise<string[]> {
  let reviewable = true;
  const allowed = async (p: Permission): Promise<boolean> => {
    try {
      const review = await rest.json<AccessReview>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              namespace,
              verb: p.verb,
              resource: p.resource,
              ...(p.subresource ? { subresource: p.subresource } : {}),
            },
          },
        },
        subject: { verb: 'create', resource: 'selfsubjectaccessreviews', namespace },
      });
      return review.status?.allowed === true;
    } catch (err) {
      // A server without the authorization API cannot be asked; the real calls will tell.
      if (err instanceof KubeApiError && (err.httpStatus === 404 || err.httpStatus === 405)) {
        if (reviewable)
          logger.debug(`access review unavailable in context "${rest.context}"; skipping the RBAC preflight`);
        reviewable = false;
        return true;
      }
      throw err instanceof KubefwdError ? err : new KubefwdError('INTERNAL', String(err), { cause: err });
    }
  };
  const results = await Promise.all(
    REQUIRED_PERMISSIONS.map(async (alternatives) => {
      // One review per requirement when the first permission is allowed (the usual case).
      for (const p of alternatives) if (await allowed(p)) return undefined;
      return requirementName(alternatives);
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}
