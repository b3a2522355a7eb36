// `--service` / `--exclude` patterns: `namespace/name` or `context/namespace/name`; `*` matches
// anything in its position (`shop/*`). Parsed once by the CLI; the daemon's plan and the engine's
// exclusion test take the parsed pattern.
import { KubefwdError } from '../contract/errors.js';
import { isDnsLabel } from './names.js';

export interface ServicePattern {
  context?: string;
  namespace: string;
  name: string;
}

/** Kubeconfig context names are free-form (ARNs, `user@cluster`), but never hold '/' or white space. */
const CONTEXT = /^[^/\s]+$/;

/** Throws INVALID_INPUT naming `flag`. */
export const parseServicePattern = (text: string, flag = '--service'): ServicePattern => {
  const parts = text.split('/');
  const ok =
    (parts.length === 2 || parts.length === 3) &&
    parts.every((p, i) => p === '*' || (i === 0 && parts.length === 3 ? CONTEXT.test(p) : isDnsLabel(p)));
  if (!ok)
    throw new KubefwdError('INVALID_INPUT', `invalid service "${text}" for ${flag}`, {
      field: flag,
      hint: 'Name a service as namespace/name or context/namespace/name, e.g. shop/api-gateway.',
    });
  const [a, b, c] = parts as [string, string, string?];
  return c === undefined ? { namespace: a, name: b } : { context: a, namespace: b, name: c };
};

export const formatServicePattern = (p: ServicePattern): string =>
  `${p.context !== undefined ? `${p.context}/` : ''}${p.namespace}/${p.name}`;

const part = (pattern: string | undefined, value: string): boolean =>
  pattern === undefined || pattern === '*' || pattern === value;

export const patternMatches = (
  p: ServicePattern,
  context: string,
  namespace: string,
  name: string,
): boolean => part(p.context, context) && part(p.namespace, namespace) && part(p.name, name);
