// PATCH bodies: JSON merge patch (RFC 7386; strategic merge patch is treated the same, which is
// right for maps and scalars — labels, annotations, replicas — and replaces lists), and JSON patch
// (RFC 6902: add, remove, replace, test).
import { ApiError } from './status.js';

const isObj = (v: unknown): v is Record<string, unknown> =>
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
