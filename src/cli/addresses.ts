// The API's listen address (--api-listen host:port) and the ns/name service patterns of --service
// and --exclude.
import { isIP } from 'node:net';
import { KubefwdError } from '../contract/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port` on a loopback address (the API is local-only). Port 0 picks a free one. */
export const parseListenAddress = (text: string, flag = '--api-listen'): ListenAddress => {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = m ? Number(m[3]) : NaN;
  if (!m || host === undefined || port > 65535)
    throw new KubefwdError('INVALID_INPUT', `invalid address "${text}" for ${flag}`, {
      field: flag,
      hint: 'Use host:port on a loopback address, e.g. 127.0.0.1:8080 (port 0 picks a free port).',
    });
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback)
    throw new KubefwdError('INVALID_INPUT', `${flag} ${text}: the API only listens on loopback addresses`, {
      field: flag,
      hint: 'Use an address in 127.0.0.0/8, e.g. 127.0.0.1:8080.',
    });
  return { host, port };
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CONTEXT = /^[^/\s]+$/;

/**
 * `ns/name` or `context/ns/name`; `*` matches any name in a position (`shop/*`). Throws naming
 * the flag.
 */
export const validateServicePattern = (pattern: string, flag: string): string => {
  const parts = pattern.split('/');
  const ok =
    (parts.length === 2 || parts.length === 3) &&
    parts.every((p, i) => p === '*' || (i === 0 && parts.length === 3 ? CONTEXT.test(p) : DNS_LABEL.test(p)));
  if (!ok)
    throw new KubefwdError('INVALID_INPUT', `invalid service "${pattern}" for ${flag}`, {
      field: flag,
      hint: 'Name a service as namespace/name or context/namespace/name, e.g. shop/api-gateway.',
    });
  return pattern;
};
