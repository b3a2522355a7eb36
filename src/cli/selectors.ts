// Early checks of -l/-f so a typo is one clear line before anything starts, instead of a 400 from
// the API server in the middle of a run. The grammar is Kubernetes' (labels.Parse, fields.Parse).
import { KubefwdError } from '../contract/errors.js';

const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const PREFIX = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const KEY = new RegExp(`^(${PREFIX}/)?${NAME}$`);
const VALUE = new RegExp(`^(${NAME})?$`);

/** Splits at commas that are not inside parentheses. */
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
  return parts;
};

const labelRequirementOk = (req: string): boolean => {
  const r = req.trim();
  let m = /^!\s*(\S+)$/.exec(r);
  if (m) return KEY.test(m[1]!);
  m = /^(\S+?)\s+(in|notin)\s+\(([^()]*)\)$/.exec(r);
  if (m)
    return (
      KEY.test(m[1]!) &&
      m[3]!
        .split(',')
        .map((v) => v.trim())
        .every((v) => VALUE.test(v))
    );
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(r);
  if (m) return KEY.test(m[1]!) && VALUE.test(m[3]!);
  return KEY.test(r);
};

/** Throws INVALID_INPUT naming the flag and the bad part. Empty is fine (no selector). */
export const validateLabelSelector = (selector: string, flag = '--selector'): void => {
  if (selector.trim() === '') return;
  for (const part of splitTop(selector)) {
    if (!labelRequirementOk(part))
      throw new KubefwdError(
        'INVALID_INPUT',
        `invalid label selector "${selector}" for ${flag}: cannot parse "${part.trim()}"`,
        {
          field: flag,
          hint: 'Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas.',
        },
      );
  }
};

export const validateFieldSelector = (selector: string, flag = '--field-selector'): void => {
  if (selector.trim() === '') return;
  for (const part of selector.split(',')) {
    if (!/^\s*[A-Za-z][A-Za-z0-9.]*\s*(==|=|!=)\s*[^=!,\s]*\s*$/.test(part))
      throw new KubefwdError(
        'INVALID_INPUT',
        `invalid field selector "${selector}" for ${flag}: cannot parse "${part.trim()}"`,
        {
          field: flag,
          hint: 'Use field=value or field!=value separated by commas, e.g. metadata.name=api-gateway.',
        },
      );
  }
};
