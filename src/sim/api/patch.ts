// PATCH bodies: JSON merge patch (RFC 7386), strategic merge patch (the merge patch, except that
// the lists the Kubernetes API tags with a patchMergeKey are merged element by element, with the
// $patch, $setElementOrder, $retainKeys and $deleteFromPrimitiveList directives kubectl sends), and
// JSON patch (RFC 6902: add, remove, replace, test).
import { ApiError } from './status.js';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder') || k.startsWith('$retainKeys')) continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The lists a strategic merge patch merges by key (the API types' patchMergeKey tags). */
const KEYED_LISTS: Record<string, string> = {
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
};

/**
 * How a strategic merge patch treats the list at `path` (the map keys down to it): merged by a key,
 * merged as a set of scalars, or replaced (every list without a patch strategy).
 */
const listStrategy = (path: readonly string[]): { key: string } | 'set' | undefined => {
  const field = path.at(-1) ?? '';
  if (CONTAINER_LISTS.has(field)) return { key: 'name' };
  if (field === 'ports') {
    if (CONTAINER_LISTS.has(path.at(-2) ?? '')) return { key: 'containerPort' };
    // A Service's spec.ports (an Endpoints subset's ports are atomic).
    return path.length === 2 && path[0] === 'spec' ? { key: 'port' } : undefined;
  }
  if (field === 'finalizers' && path.length === 2 && path[0] === 'metadata') return 'set';
  const key = KEYED_LISTS[field];
  return key === undefined ? undefined : { key };
};

const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

/** Strategic merge patch as the API server applies it to the built-in kinds. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return smpValue(target, patch, []);
}

function smpValue(target: unknown, patch: unknown, path: readonly string[]): unknown {
  if (isObj(patch)) return smpMap(target, patch, path);
  if (Array.isArray(patch)) return smpList(target, patch, path);
  return structuredClone(patch);
}

function smpMap(target: unknown, patch: Record<string, unknown>, path: readonly string[]): unknown {
  const directive = patch.$patch;
  const clean = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
  if (directive === 'replace') return smpMap(undefined, clean, path);
  const out: Record<string, unknown> = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(clean)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (isObj(v) && v.$patch === 'delete') delete out[k];
    else out[k] = smpValue(out[k], v, [...path, k]);
  }
  for (const [k, v] of Object.entries(clean)) {
    if (
      k.startsWith(DELETE_PRIMITIVES) &&
      Array.isArray(v) &&
      Array.isArray(out[k.slice(DELETE_PRIMITIVES.length)])
    ) {
      const field = k.slice(DELETE_PRIMITIVES.length);
      const gone = new Set(v.map((x) => JSON.stringify(x)));
      out[field] = (out[field] as unknown[]).filter((x) => !gone.has(JSON.stringify(x)));
    } else if (k.startsWith(ORDER) && Array.isArray(v)) {
      const field = k.slice(ORDER.length);
      if (Array.isArray(out[field]))
        out[field] = ordered(out[field] as unknown[], v, listStrategy([...path, field]));
    }
  }
  const retain = clean.$retainKeys;
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function smpList(target: unknown, patch: unknown[], path: readonly string[]): unknown[] {
  const strategy = listStrategy(path);
  const replace = patch.some((x) => isObj(x) && x.$patch === 'replace');
  const items = patch.filter((x) => !(isObj(x) && x.$patch === 'replace'));
  if (strategy === undefined || replace || !Array.isArray(target))
    return items.filter((x) => !(isObj(x) && x.$patch === 'delete')).map((x) => smpValue(undefined, x, path));
  if (strategy === 'set') {
    const out = structuredClone(target);
    const seen = new Set(out.map((x) => JSON.stringify(x)));
    for (const x of items) if (!seen.has(JSON.stringify(x))) out.push(structuredClone(x));
    return out;
  }
  const { key } = strategy;
  const out: unknown[] = structuredClone(target);
  const indexOf = (item: unknown): number =>
    isObj(item) ? out.findIndex((o) => isObj(o) && o[key] === item[key]) : -1;
  for (const item of items) {
    const i = indexOf(item);
    if (isObj(item) && item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = smpValue(out[i], item, path);
    else out.push(smpValue(undefined, item, path));
  }
  return out;
}

/** A merged list in the order `$setElementOrder` gives; elements it does not name follow. */
function ordered(list: unknown[], order: unknown[], strategy: ReturnType<typeof listStrategy>): unknown[] {
  const id = (x: unknown): string =>
    JSON.stringify(typeof strategy === 'object' && isObj(x) ? x[strategy.key] : x);
  const rank = new Map(order.map((x, i) => [id(x), i]));
  return [...list].sort((a, b) => (rank.get(id(a)) ?? order.length) - (rank.get(id(b)) ?? order.length));
}

const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new ApiError(400, 'BadRequest', 'a JSON patch must be an array of operations');
  const doc = structuredClone(target);
  for (const raw of ops as { op?: string; path?: string; value?: unknown }[]) {
    const path = raw.path ?? '';
    const parts = path.split('/').slice(1).map(unescape);
    const last = parts.pop();
    if (last === undefined) throw new ApiError(400, 'BadRequest', `invalid JSON patch path "${path}"`);
    let parent: unknown = doc;
    for (const p of parts) {
      parent = Array.isArray(parent) ? parent[Number(p)] : isObj(parent) ? parent[p] : undefined;
      if (parent === undefined)
        throw new ApiError(422, 'Invalid', `JSON patch path "${path}" does not exist`);
    }
    const container = parent as Record<string, unknown> | unknown[];
    // RFC 6902: remove and replace need the target to exist (add needs only its parent).
    const present = Array.isArray(container)
      ? /^\d+$/.test(last) && Number(last) < container.length
      : Object.prototype.hasOwnProperty.call(container, last);
    if ((raw.op === 'remove' || raw.op === 'replace') && !present)
      throw new ApiError(
        422,
        'Invalid',
        `error in ${raw.op} for path: '${path}': Unable to ${raw.op} nonexistent key: ${last}: missing value`,
      );
    switch (raw.op) {
      case 'add':
      case 'replace':
        if (Array.isArray(container)) {
          const i = last === '-' ? container.length : Number(last);
          if (raw.op === 'add') container.splice(i, 0, raw.value);
          else container[i] = raw.value;
        } else container[last] = raw.value;
        break;
      case 'remove':
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last];
        break;
      case 'test': {
        const cur = Array.isArray(container) ? container[Number(last)] : container[last];
        if (JSON.stringify(cur) !== JSON.stringify(raw.value))
          throw new ApiError(422, 'Invalid', `JSON patch test failed at "${path}"`);
        break;
      }
      default:
        throw new ApiError(400, 'BadRequest', `unsupported JSON patch operation "${String(raw.op)}"`);
    }
  }
  return doc;
}
