// The API's listen address (--api-listen host:port). The --service/--exclude patterns are parsed
// by domain/service-patterns.
import { KubefwdError } from '../contract/errors.js';
import { isLoopbackHost } from '../domain/ipv4.js';

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
  const loopback = isLoopbackHost(host);
  if (!loopback)
    throw new KubefwdError('INVALID_INPUT', `${flag} ${text}: the API only listens on loopback addresses`, {
      field: flag,
      hint: 'Use an address in 127.0.0.0/8, e.g. 127.0.0.1:8080.',
    });
  return { host, port };
};
