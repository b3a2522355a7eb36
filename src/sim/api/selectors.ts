// Label and field selectors as the API server applies them (`labelSelector=a=b,c!=d,e in (x,y),!f`,
// `fieldSelector=metadata.name=x`). Pure functions: parse once per request (the grammar,
// src/wire/selectors.ts, is shared with the command line), match per object.
import { SelectorError, type FieldRequirement, type LabelRequirement } from '../../domain/selectors.js';

export type Matcher = (obj: unknown) => boolean;

export function matchesLabels(
  reqs: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
        return has && /^-?\d+$/.test(v!) && Number(v) > r.value;
      case 'lt':
        return has && /^-?\d+$/.test(v!) && Number(v) < r.value;
    }
  });
}

/** A map selector (Service.spec.selector, matchLabels) matches when every pair is present. */
export function matchesMap(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

const fieldValue = (obj: unknown, path: string): string => {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
};

/** Throws SelectorError naming the field when the resource does not support it (as the API server does). */
export function fieldMatcher(reqs: readonly FieldRequirement[], supported: readonly string[]): Matcher {
  for (const r of reqs) {
    if (!supported.includes(r.field))
      throw new SelectorError(`field label not supported: ${r.field}`, r.field);
  }
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}
