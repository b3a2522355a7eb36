// A small Kubernetes REST client over node:https: JSON and text requests with a deadline, and
// line-streamed responses (watch). Auth and TLS come from the ClusterConnection on every request, so
// refreshed exec/OIDC credentials are picked up; a 401 drops cached credentials and retries once.
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { KubefwdError } from '../../contract/errors.js';
import type { AuthHeaders, ClusterConnection } from '../connection.js';
import { apiStatusError, networkError, retryAfterMs, type RequestSubject } from './errors.js';
import { checkProxyUrl, connectViaProxy } from './proxy.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RestRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** For messages and error codes: what the call does. */
  subject: RequestSubject;
  /** Whole-request deadline (json/text) or idle deadline (stream). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RestClient {
  readonly context: string;
  json<T>(req: RestRequest): Promise<T>;
  text(req: RestRequest): Promise<string>;
  /**
   * Streams the response line by line (newline-delimited JSON of a watch). Resolves when the server
   * ends the stream, rejects on an HTTP error, a network error or the idle timeout; an abort via
   * `signal` resolves. `onOpen` is called once the server has accepted the request (2xx headers).
   */
  lines(req: RestRequest, onLine: (line: string) => void, onOpen?: () => void): Promise<void>;
  /** Closes the kept-alive connections no request uses (they may be dead): the next request dials. */
  dropIdleConnections(): void;
  close(): void;
}

export interface RestClientOptions {
  /** Default deadline of a non-streaming request. */
  requestTimeoutMs?: number;
  userAgent?: string;
}

/** The part of our connection that can drop cached credentials (optional on a plain ClusterConnection). */
type MaybeInvalidating = ClusterConnection & {
  invalidateCredentials?: () => boolean;
  /** What a request still waits for before it is sent (a running exec plugin). */
  pendingCredential?: () => string | undefined;
  close?: () => void;
};

export const buildUrl = (server: string, path: string, query?: Query): URL => {
  const base = new URL(server);
  const prefix = base.pathname.replace(/\/+$/, '');
  const u = new URL(base.origin);
  u.pathname = `${prefix}${path}`;
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
  return u;
};

class AbortedError extends Error {}

// One closure on purpose: request, watch and upgrade share the connection, its auth and its retry state.
export function createRestClient(conn: MaybeInvalidating, opts: RestClientOptions = {}): RestClient {
  const context = conn.contextName;
  const defaultTimeout = opts.requestTimeoutMs ?? 30_000;
  const userAgent = opts.userAgent ?? 'kubefwd-ts';
  const secure = new URL(conn.server).protocol === 'https:';
  const proxy = conn.proxyUrl ? checkProxyUrl(conn.proxyUrl, context, conn.proxySource) : undefined;
  // One keep-alive pool: node keys sockets by the TLS options, so credential changes get new sockets.
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const open = new Set<ClientRequest>();
  let closed = false;

  // One request's life: retries, timeouts and the body share its state.
  const start = async (
    req: RestRequest,
    attempt: number,
    onRequest?: (r: ClientRequest) => void,
  ): Promise<{ res: IncomingMessage; request: ClientRequest }> => {
    if (closed) throw new KubefwdError('API_UNREACHABLE', `the client for context "${context}" is closed`);
    const url = buildUrl(conn.server, req.path, req.query);
    let tls: ConnectionOptions;
    let auth: AuthHeaders;
    try {
      [tls, auth] = await Promise.all([conn.tlsOptions(), conn.authHeaders()]);
    } catch (err) {
      throw err instanceof KubefwdError ? err : networkError(err, conn.server, context, req.subject);
    }
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: AuthHeaders = {
      Accept: 'application/json, */*',
      'User-Agent': userAgent,
      ...auth,
      ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}),
    };
    const options: RequestOptions = {
      method: req.method ?? 'GET',
      headers,
      ...(secure ? tls : {}),
    };
    if (proxy) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = Number(url.port || (secure ? 443 : 80));
      options.agent = undefined;
      options.createConnection = ((_o: unknown, cb: (err: Error | null, s?: Socket) => void) => {
        connectViaProxy(proxy, host, port, req.timeoutMs ?? defaultTimeout).then(
          (raw) => {
            if (!secure) return cb(null, raw);
            // SNI carries a DNS name only (RFC 6066): Node warns (DEP0123) when given an IP.
            const sni = tls.servername || isIP(host) !== 0 ? {} : { servername: host };
            const s = tlsConnect({ ...tls, socket: raw, ...sni });
            s.once('secureConnect', () => cb(null, s));
            s.once('error', (e: Error) => cb(e));
          },
          (e: Error) => cb(e),
        );
        return undefined;
      }) as unknown as RequestOptions['createConnection'];
    } else options.agent = agent;

    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(url, options);
      open.add(request);
      onRequest?.(request);
      request.once('close', () => open.delete(request));
      const onAbort = () => request.destroy(new AbortedError('aborted'));
      if (req.signal) {
        if (req.signal.aborted) onAbort();
        else req.signal.addEventListener('abort', onAbort, { once: true });
        request.once('close', () => req.signal?.removeEventListener('abort', onAbort));
      }
      request.once('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed meanwhile (e.g. an API server restart): node's
        // documented remedy is to retry an idempotent request once on a fresh socket.
        if (
          request.reusedSocket &&
          err.code === 'ECONNRESET' &&
          attempt === 0 &&
          (req.method ?? 'GET') === 'GET'
        ) {
          start(req, 1, onRequest).then(resolve, reject);
          return;
        }
        reject(err);
      });
      request.once('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve({ res, request });
          return;
        }
        // Read the (bounded) error body, then map it.
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 65536) chunks.push(c);
          size += c.length;
        });
        res.once('error', (e) => reject(e));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 401 && attempt === 0 && conn.invalidateCredentials?.()) {
            start(req, 1, onRequest).then(resolve, reject);
            return;
          }
          const err = apiStatusError(status, text, req.subject, context);
          err.retryAfterMs = retryAfterMs(res.headers['retry-after']);
          reject(err);
        });
      });
      request.end(body);
    });
  };

  const mapError = (err: unknown, req: RestRequest): Error =>
    err instanceof KubefwdError || err instanceof AbortedError
      ? err
      : networkError(err, conn.server, context, req.subject);

  const collect = async (req: RestRequest): Promise<string> => {
    const timeoutMs = req.timeoutMs ?? defaultTimeout;
    let timer: NodeJS.Timeout | undefined;
    let current: ClientRequest | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        current?.destroy();
        // No request yet means the credentials were not ready: blaming the API server would send
        // the user to check the network while a login prompt waits for them.
        const waitingFor = current === undefined ? conn.pendingCredential?.() : undefined;
        reject(
          waitingFor !== undefined
            ? new KubefwdError(
                'AUTH_FAILED',
                `${waitingFor} (user of context "${context}") did not finish within ${timeoutMs} ms, so nothing was sent to the API server`,
                {
                  hint: 'If the plugin waits for a login (a browser page, a device code it printed), complete it; else run the plugin by hand to see why it hangs.',
                },
              )
            : new KubefwdError(
                'API_UNREACHABLE',
                `the API server ${conn.server} (context "${context}") did not answer within ${timeoutMs} ms`,
              ),
        );
      }, timeoutMs);
      timer.unref?.();
    });
    const work = (async () => {
      const { res } = await start(req, 0, (r) => (current = r));
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    })();
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      if (err instanceof AbortedError)
        throw new KubefwdError('API_UNREACHABLE', `request to context "${context}" was cancelled`);
      throw mapError(err, req);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    context,
    async json<T>(req: RestRequest): Promise<T> {
      const text = await collect(req);
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new KubefwdError(
          'API_UNREACHABLE',
          `the API server of context "${context}" sent invalid JSON for ${req.path}`,
          {
            cause: err,
          },
        );
      }
    },
    text: collect,
    async lines(req, onLine, onOpen) {
      let started: { res: IncomingMessage; request: ClientRequest };
      try {
        started = await start(req, 0);
      } catch (err) {
        if (err instanceof AbortedError) return;
        throw mapError(err, req);
      }
      const { res, request } = started;
      onOpen?.();
      const idleMs = req.timeoutMs ?? 0;
      await new Promise<void>((resolve, reject) => {
        let buf = '';
        let settled = false;
        let idle: NodeJS.Timeout | undefined;
        const finish = (err?: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(idle);
          if (err === undefined || err instanceof AbortedError) resolve();
          else reject(mapError(err, req));
        };
        const arm = () => {
          if (idleMs <= 0) return;
          clearTimeout(idle);
          idle = setTimeout(() => {
            const e = new KubefwdError(
              'API_UNREACHABLE',
              `the watch stream from ${conn.server} (context "${context}") was silent for ${idleMs} ms`,
            );
            request.destroy(e);
            finish(e);
          }, idleMs);
          idle.unref?.();
        };
        arm();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          arm();
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line !== '') {
              try {
                onLine(line);
              } catch (err) {
                request.destroy();
                finish(err);
                return;
              }
            }
            nl = buf.indexOf('\n');
          }
        });
        res.once('end', () => {
          const rest = buf.trim();
          if (rest !== '' && !settled) {
            try {
              onLine(rest);
            } catch (err) {
              finish(err);
              return;
            }
          }
          finish();
        });
        res.once('error', (e) => finish(e));
        res.once('close', () => {
          // A connection cut mid-stream closes without 'end'.
          if (!res.complete)
            finish(
              request.destroyed && req.signal?.aborted
                ? undefined
                : Object.assign(new Error('watch connection closed'), { code: 'ECONNRESET' }),
            );
        });
        request.once('error', (e) => finish(e));
      });
    },
    dropIdleConnections() {
      for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
    },
    close() {
      closed = true;
      conn.close?.();
      for (const r of open) r.destroy();
      open.clear();
      agent.destroy();
    },
  };
}
