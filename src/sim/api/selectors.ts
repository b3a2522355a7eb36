// Label and field selectors as the API server parses them (`labelSelector=a=b,c!=d,e in (x,y),!f`,
// `fieldSelector=metadata.name=x`). Pure functions: parse once per request, match per object.

export type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type Matcher = (obj: unknown) => boolean;

export class SelectorError extends Error {}

/** Split on commas that are not inside parentheses. */
const splitTop = (s: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
};

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const checkKey = (k: string, whole: string): string => {
  if (!KEY.test(k))
    throw new SelectorError(`unable to parse requirement: invalid label key "${k}" in "${whole}"`);
  return k;
};
const checkValue = (v: string, whole: string): string => {
  if (!VALUE.test(v))
    throw new SelectorError(`unable to parse requirement: invalid label value "${v}" in "${whole}"`);
  return v;
};

export function parseLabelSelector(text: string): LabelRequirement[] {
  return splitTop(text).map((part): LabelRequirement => {
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) return { op: 'notexists', key: checkKey(m[1]!, part) };
    m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v, i, all) => v !== '' || all.length === 1);
      values.forEach((v) => checkValue(v, part));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, part), values };
    }
    m = /^([^=!<>\s]+)\s*(==|!=|=|<|>)\s*(\S*)$/.exec(part);
    if (m) {
      const key = checkKey(m[1]!, part);
      const v = m[3]!;
      if (m[2] === '<' || m[2] === '>') {
        const n = Number(v);
        if (!/^-?\d+$/.test(v))
          throw new SelectorError(`unable to parse requirement: "${v}" is not an integer`);
        return { op: m[2] === '<' ? 'lt' : 'gt', key, value: n };
      }
      return { op: m[2] === '!=' ? 'notin' : 'in', key, values: [checkValue(v, part)] };
    }
    if (/^\S+$/.test(part) && !/[=!()<>]/.test(part)) return { op: 'exists', key: checkKey(part, part) };
    throw new SelectorError(`unable to parse requirement: "${part}"`);
  });
}

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

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTop(text).map((part) => {
    const m = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${part}'; can't understand '${part}'`);
    return { field: m[1]!, value: m[3]!.trim(), negate: m[2] === '!=' };
  });
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
    if (!supported.includes(r.field)) throw new SelectorError(`field label not supported: ${r.field}`);
  }
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}
