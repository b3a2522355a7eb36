// `--service` / `--exclude` patterns: `ns/name` or `ctx/ns/name`; any part may be `*`.
import { KubefwdError } from '../contract/errors.js';

export interface ServicePattern {
  context?: string;
  namespace: string;
  name: string;
}

export const parseServicePattern = (text: string, field = '--service'): ServicePattern => {
  const parts = text.trim().split('/');
  const ok = parts.every((p) => p.length > 0);
  if (ok && parts.length === 2) return { namespace: parts[0] ?? '', name: parts[1] ?? '' };
  if (ok && parts.length === 3)
    return { context: parts[0] ?? '', namespace: parts[1] ?? '', name: parts[2] ?? '' };
  throw new KubefwdError(
    'INVALID_INPUT',
    `invalid service "${text}" (expected namespace/name or context/namespace/name)`,
    {
      field,
    },
  );
};

const part = (pattern: string | undefined, value: string): boolean =>
  pattern === undefined || pattern === '*' || pattern === value;

export const patternMatches = (
  p: ServicePattern,
  context: string,
  namespace: string,
  name: string,
): boolean => part(p.context, context) && part(p.namespace, namespace) && part(p.name, name);
