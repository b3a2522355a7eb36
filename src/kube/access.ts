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

/** What kubefwd does in a namespace it forwards. */
export const REQUIRED_PERMISSIONS: readonly Permission[] = [
  { verb: 'list', resource: 'services' },
  { verb: 'watch', resource: 'services' },
  { verb: 'list', resource: 'pods' },
  { verb: 'watch', resource: 'pods' },
  { verb: 'get', resource: 'pods' },
  { verb: 'get', resource: 'endpoints' },
  { verb: 'create', resource: 'pods', subresource: 'portforward' },
];

export const permissionName = (p: Permission): string =>
  `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''}`;

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/** Returns the missing permissions as "verb resource" (empty = all allowed). */
export async function checkAccess(
  rest: RestClient,
  namespace: string,
  logger: KubeLogger,
): Promise<string[]> {
  const results = await Promise.all(
    REQUIRED_PERMISSIONS.map(async (p) => {
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
        return review.status?.allowed === true ? undefined : permissionName(p);
      } catch (err) {
        // A server without the authorization API cannot be asked; the real calls will tell.
        if (err instanceof KubeApiError && (err.httpStatus === 404 || err.httpStatus === 405)) {
          logger.debug(`access review unavailable in context "${rest.context}"; skipping the RBAC preflight`);
          return undefined;
        }
        throw err instanceof KubefwdError ? err : new KubefwdError('INTERNAL', String(err), { cause: err });
      }
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}
