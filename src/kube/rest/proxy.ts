// The proxy to the API server: kubeconfig `proxy-url`, else the environment (HTTPS_PROXY,
// HTTP_PROXY, NO_PROXY) with Go's ProxyFromEnvironment rules, as kubectl. An HTTP(S) proxy is reached
// with CONNECT, so TLS to the API server stays end to end. SOCKS proxies are not supported (a
// clear error says so).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type Socket } from 'node:net';
import { KubefwdError } from '../../contract/errors.js';

/**
 * `source` names where the URL came from in messages: "proxy-url" (the kubeconfig, the default) or
 * the environment variable.
 */
export function checkProxyUrl(proxyUrl: string, context: string, source = 'proxy-url'): URL {
  const what =
    source === 'proxy-url' ? `proxy-url "${proxyUrl}" of context "${context}"` : `${source} "${proxyUrl}"`;
  let u: URL;
  try {
    u = new URL(proxyUrl);
  } catch (err) {
    throw new KubefwdError('KUBECONFIG_INVALID', `${what} is not a URL`, {
      cause: err,
      ...(source === 'proxy-url' ? {} : { hint: `Fix or unset ${source}.` }),
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `${what} uses ${u.protocol.replace(':', '')}; only http and https proxies are supported`,
      source === 'proxy-url' ? {} : { hint: `Use an http:// proxy in ${source}, or unset it.` },
    );
  }
  return u;
}

const envAny = (env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined => {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
};

const unbracket = (h: string): string => h.replace(/^\[|\]$/g, '');

const isLoopback = (ip: string): boolean =>
  isIP(ip) === 4 ? ip.startsWith('127.') : ip === '::1' || /^::ffff:127\./i.test(ip);

/** Splits "host:port", "[v6]:port", "v6" or "host" into host and port ('' when none). */
const splitHostPort = (entry: string): { host: string; port: string } => {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? '' };
  if (isIP(entry) === 6) return { host: entry, port: '' };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { host: m[1]!, port: m[2]! } : { host: entry, port: '' };
};

/**
 * Whether NO_PROXY exempts host:port, by Go's httpproxy rules (which kubectl uses): "*" exempts
 * everything; an IP or CIDR matches the server's address as written (no DNS lookup); "foo.com"
 * matches foo.com and its subdomains, ".foo.com" and "*.foo.com" only subdomains; an entry may
 * carry a port. localhost and loopback addresses are never proxied, whatever NO_PROXY says.
 */
export function bypassesProxy(hostname: string, port: number, noProxy: string): boolean {
  const host = unbracket(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || (isIP(host) !== 0 && isLoopback(host))) return true;
  const hostIp = isIP(host);
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      const [net, bits] = entry.split('/');
      const family = isIP(net ?? '');
      if (family === 0 || hostIp !== family) continue;
      const list = new BlockList();
      try {
        list.addSubnet(net!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      } catch {
        continue;
      }
      if (list.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
      continue;
    }
    const { host: eHost, port: ePort } = splitHostPort(entry);
    if (ePort !== '' && ePort !== String(port)) continue;
    if (isIP(eHost) !== 0) {
      if (hostIp !== 0 && eHost === host) return true;
      continue;
    }
    const domain = eHost.startsWith('*.') ? eHost.slice(1) : eHost;
    if (domain === '') continue;
    if (domain.startsWith('.')) {
      if (host.endsWith(domain)) return true;
    } else if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/**
 * The proxy the environment sets for this server, as Go's ProxyFromEnvironment: HTTPS_PROXY (or
 * https_proxy) for an https server, HTTP_PROXY (or http_proxy) for an http one, upper case first;
 * a value without a scheme means http://. `source` is the variable it came from, for messages.
 */
export function proxyFromEnvironment(
  env: NodeJS.ProcessEnv,
  server: string,
): { url: string; source: string } | undefined {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    return undefined;
  }
  const https = u.protocol === 'https:';
  const proxy = https ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (proxy === undefined) return undefined;
  const port = Number(u.port || (https ? 443 : 80));
  if (bypassesProxy(u.hostname, port, envAny(env, 'NO_PROXY', 'no_proxy')?.value ?? '')) return undefined;
  const value = proxy.value.trim();
  return { url: /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`, source: proxy.name };
}

/** Opens a raw TCP tunnel to host:port through the proxy. */
export function connectViaProxy(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: `${host}:${port}` };
    if (proxy.username) {
      const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers['Proxy-Authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`;
    }
    const req = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      headers,
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(
        Object.assign(
          new Error(
            `proxy ${proxy.host} refused CONNECT to ${host}:${port}: ${res.statusCode} ${res.statusMessage ?? ''}`,
          ),
          {
            code: 'ECONNREFUSED',
          },
        ),
      );
    });
    req.once('timeout', () =>
      req.destroy(Object.assign(new Error(`proxy ${proxy.host} timed out`), { code: 'ETIMEDOUT' })),
    );
    req.once('error', reject);
    req.end();
  });
}
