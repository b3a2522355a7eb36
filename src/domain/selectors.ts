// Kubernetes label and field selector grammar (apimachinery labels.Parse / fields.Parse), as sent
// in `labelSelector=` / `fieldSelector=` query parameters: parsed into requirements, with an error
// naming the part that does not parse. Shared by the command line (-l/-f are checked before
// anything starts, so a typo is one clear line instead of a 400 from the API server in the middle
// of a run) and the simulated API server (which also matches objects against them).
import { KubefwdError } from '../contract/errors.js';
import { DNS_SUBDOMAIN } from './names.js';

export type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export class SelectorError extends Error {
  /** The requirement (comma-separated part) that did not parse. */
  readonly part: string;
  constructor(message: string, part: string) {
    super(message);
    this.name = 'SelectorError';
    this.part = part;
  }
}

// A label key is an optional DNS-subdomain prefix and "/", then a name of at most 63 characters;
// a value is empty or such a name.
const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const PREFIX = DNS_SUBDOMAIN.source.slice(1, -1);
const KEY = new RegExp(`^(${PREFIX}/)?${NAME}$`);
const VALUE = new RegExp(`^(${NAME})?$`);

/** Splits at commas that are not inside parentheses; parts trimmed, empty ones kept. */
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
  return parts.map((p) => p.trim());
};

const checkKey = (k: string, part: string): string => {
  if (!KEY.test(k))
    throw new SelectorError(`unable to parse requirement: invalid label key "${k}" in "${part}"`, part);
  return k;
};
const checkValue = (v: string, part: string): string => {
  if (!VALUE.test(v))
    throw new SelectorError(`unable to parse requirement: invalid label value "${v}" in "${part}"`, part);
  return v;
};

/** `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. Throws SelectorError. Empty → no requirements. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitTop(text).map((part): LabelRequirement => {
    // The API server refuses "app=web," and "a,,b" (an identifier expected after ','); so do we,
    // before the first request rather than with a 400 in the middle of a run.
    if (part === '')
      throw new SelectorError(
        `unable to parse requirement: empty requirement in "${text}" (a stray comma?)`,
        part,
      );
    let m = /^!\s*(\S+)$/.exec(part);
    if (m) return { op: 'notexists', key: checkKey(m[1]!, part) };
    m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      if (m[3]!.trim() === '')
        throw new SelectorError(`unable to parse requirement: the values of "${part}" can't be empty`, part);
      // As Kubernetes parses it: "in (x,)" is {x, ""}.
      const values = m[3]!.split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, part));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, part), values };
    }
    m = /^([^=!<>\s]+)\s*(==|!=|=|<|>)\s*(\S*)$/.exec(part);
    if (m) {
      const key = checkKey(m[1]!, part);
      const v = m[3]!;
      if (m[2] === '<' || m[2] === '>') {
        if (!/^-?\d+$/.test(v))
          throw new SelectorError(`unable to parse requirement: "${v}" is not an integer`, part);
        return { op: m[2] === '<' ? 'lt' : 'gt', key, value: Number(v) };
      }
      return { op: m[2] === '!=' ? 'notin' : 'in', key, values: [checkValue(v, part)] };
    }
    if (/^\S+$/.test(part) && !/[=!()<>]/.test(part)) return { op: 'exists', key: checkKey(part, part) };
    throw new SelectorError(`unable to parse requirement: "${part}"`, part);
  });
}

/** `metadata.name=x,status.phase!=Failed`. Throws SelectorError. Empty → no requirements. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  // Unlike label selectors, Kubernetes skips empty parts of a field selector ("a=b," is a=b).
  return splitTop(text)
    .filter((part) => part !== '')
    .map((part) => {
      const m = /^([A-Za-z][-A-Za-z0-9_.]*)\s*(==|!=|=)\s*([^=!]*)$/.exec(part);
      if (!m) throw new SelectorError(`invalid selector: '${part}'; can't understand '${part}'`, part);
      return { field: m[1]!, value: m[3]!.trim(), negate: m[2] === '!=' };
    });
}

const check = (
  parse: (s: string) => unknown,
  kind: 'label' | 'field',
  selector: string,
  flag: string,
  hint: string,
): void => {
  try {
    parse(selector);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new KubefwdError(
      'INVALID_INPUT',
      `invalid ${kind} selector "${selector}" for ${flag}: cannot parse "${err.part}"`,
      { field: flag, hint },
    );
  }
};

/** Throws INVALID_INPUT naming the flag and the bad part. Empty is fine (no selector). */
export const validateLabelSelector = (selector: string, flag = '--selector'): void =>
  check(
    parseLabelSelector,
    'label',
    selector,
    flag,
    'Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas.',
  );

export const validateFieldSelector = (selector: string, flag = '--field-selector'): void =>
  check(
    parseFieldSelector,
    'field',
    selector,
    flag,
    'Use field=value or field!=value separated by commas, e.g. metadata.name=api-gateway.',
  );
