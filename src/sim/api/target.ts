// Where a request path points: a discovery document, or a resource target (resource, namespace,
// name, subresource) as the API server's URL scheme spells it.
import { apiGroupDoc, resourceList } from './discovery.js';
import { noSuchResource, orNoSuchResource } from './requests.js';
import { resourceByName, type ResourceType } from './resources.js';

export interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parse the part of a resource URL after /api/v1 or /apis/{g}/{v}. */
export function parseTarget(group: string, version: string, segs: readonly string[]): Target | undefined {
  const [a, b, c, d, e] = segs;
  if (a === undefined) return undefined;
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    const r = resourceByName(group, version, c);
    if (r?.namespaced)
      return {
        resource: r,
        namespace: b,
        ...(d !== undefined ? { name: d } : {}),
        ...(e !== undefined ? { subresource: e } : {}),
      };
    if (group !== '' || c === undefined || !['status', 'finalize'].includes(c) || d !== undefined)
      return undefined;
  }
  const r = resourceByName(group, version, a);
  if (!r) return undefined;
  if (r.namespaced && b !== undefined) return undefined;
  return {
    resource: r,
    ...(b !== undefined ? { name: b } : {}),
    ...(c !== undefined ? { subresource: c } : {}),
  };
}

/**
 * A path under /api or /apis: the discovery document it names, or the target of a resource
 * request (`legacyWatch` for the old /watch/ prefix). Throws NotFound for anything else.
 */
export const routePath = (path: string): { doc: unknown } | { target: Target; legacyWatch: boolean } => {
  const segs = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs[1] !== undefined) {
    if (segs[2] === undefined) return { doc: orNoSuchResource(apiGroupDoc(segs[1])) };
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else throw noSuchResource();
  if (rest.length === 0) return { doc: orNoSuchResource(resourceList(group, version)) };
  // Legacy /watch/ prefix paths (…/watch/namespaces/x/pods): treat as watch=true.
  const legacyWatch = rest[0] === 'watch';
  const target = parseTarget(group, version, legacyWatch ? rest.slice(1) : rest);
  if (!target) throw noSuchResource();
  return { target, legacyWatch };
};
