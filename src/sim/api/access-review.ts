// SelfSubjectAccessReview, answered from the simulated authorizer (and
// counted, so a test sees how many reviews a preflight asked).
import type { Authorizer } from './auth.js';

interface ReviewBody {
  spec?: {
    resourceAttributes?: { verb?: string; resource?: string; subresource?: string; namespace?: string };
  };
}

export const reviewAccess = (authz: Authorizer, body: unknown): unknown => {
  const spec = (body as ReviewBody | undefined)?.spec;
  const a = spec?.resourceAttributes ?? {};
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
  const allowed = authz.allowed(a.verb ?? '', resource, a.namespace || undefined);
  authz.reviews += 1;
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: spec ?? {},
    status: {
      allowed,
      ...(allowed ? {} : { reason: 'denied by the simulated cluster (denyPermission)' }),
    },
  };
};
