// kubeconfig `proxy-url`: an HTTP(S) proxy reached with CONNECT, so TLS to the API server stays
// end to end. SOCKS proxies are not supported (a clear error says so).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { KubefwdError } from '../../contract/errors.js';

export function checkProxyUrl(proxyUrl: string, context: string): URL {
  let u: URL;
  try {
    u = new URL(proxyUrl);
  } catch (err) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `proxy-url "${proxyUrl}" of context "${context}" is not a URL`,
      {
        cause: err,
      },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `proxy-url "${proxyUrl}" of context "${context}" uses ${u.protocol.replace(':', '')}; only http and https proxies are supported`,
    );
  }
  return u;
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
