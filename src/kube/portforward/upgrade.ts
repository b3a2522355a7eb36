// The HTTP/1.1 upgrade every port-forward transport starts with: POST + "Upgrade: SPDY/3.1", or
// GET + "Upgrade: websocket". Done by hand (not through `ws` or an Agent) so TLS material, auth
// headers and the kubeconfig proxy come from the ClusterConnection exactly as the REST client uses
// them, and so a refusal keeps the server's Status message (client-node loses it).
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { KubefwdError, errorMessage, type ErrorCode } from '../../contract/errors.js';
import type { AuthHeaders, ClusterConnection } from '../connection.js';
import { checkProxyUrl, connectViaProxy } from '../rest/proxy.js';
import { retryAfterMs } from '../rest/errors.js';

export interface UpgradeRequest {
  method: 'GET' | 'POST';
  /** Path below the server URL, with query, e.g. "/api/v1/namespaces/shop/pods/p/portforward". */
  path: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Names what is being opened, for messages: 'port-forward to pod shop/api-0'. */
  what: string;
}

export interface Upgraded {
  socket: Socket;
  head: Buffer;
  headers: IncomingMessage['headers'];
}

/**
 * A refused upgrade. `fallback` says whether another wire protocol may succeed where this one did
 * not (the server answered but not with this protocol), as opposed to failures every protocol
 * would share (credentials, RBAC, a missing pod, an unreachable server).
 */
export class UpgradeError extends KubefwdError {
  readonly httpStatus: number | undefined;
  readonly fallback: boolean;
  constructor(
    code: ErrorCode,
    message: string,
    init: {
      httpStatus?: number;
      fallback: boolean;
      cause?: unknown;
      hint?: string;
      retryAfterMs?: number | undefined;
    },
  ) {
    super(code, message, {
      ...(init.cause === undefined ? {} : { cause: init.cause }),
      ...(init.hint === undefined ? {} : { hint: init.hint }),
      retryAfterMs: init.retryAfterMs,
    });
    this.name = 'UpgradeError';
    this.httpStatus = init.httpStatus;
    this.fallback = init.fallback;
  }
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

const parseStatus = (body: string): StatusBody | undefined => {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null && (v as StatusBody).kind === 'Status') return v;
  } catch {
    // plain text or HTML
  }
  return undefined;
};

/** Maps a non-101 answer to an UpgradeError (pure; tested directly). */
export function refusedUpgrade(
  httpStatus: number,
  body: string,
  what: string,
  context: string,
  method: UpgradeRequest['method'],
  /** The answer's Retry-After, in ms (a 429's). */
  retryAfterMs?: number,
): UpgradeError {
  const status = parseStatus(body);
  const msg = (status?.message ?? body.trim().slice(0, 300)) || `HTTP ${httpStatus}`;
  const reason = status?.reason;
  const where = `(context "${context}")`;
  if (httpStatus === 401 || reason === 'Unauthorized')
    return new UpgradeError(
      'AUTH_FAILED',
      `the API server rejected the credentials for ${what} ${where}: ${msg}`,
      {
        httpStatus,
        fallback: false,
      },
    );
  // The API server authorizes an upgrade by its method: a WebSocket GET as "get pods/portforward"
  // (1.35 adds "create"), SPDY's POST as "create". A role with only "create" — the classic
  // port-forward role — is refused the GET but not the POST, so kubectl falls back to SPDY on any
  // refused WebSocket upgrade, and so do we on a refused GET.
  if (reason === 'Forbidden')
    return new UpgradeError('PERMISSION_DENIED', `permission denied for ${what} ${where}: ${msg}`, {
      httpStatus,
      fallback: method === 'GET',
      hint: 'Port-forwarding needs the RBAC permission "create pods/portforward" (SPDY); WebSocket port-forward also needs "get pods/portforward".',
    });
  // API Priority and Fairness turns requests away while the server is busy: every protocol alike,
  // so no fallback (`auto` would settle on a worse protocol for good). The forward tries again
  // after its backoff, at least as long as the server asked.
  if (httpStatus === 429 || reason === 'TooManyRequests')
    return new UpgradeError(
      'API_BUSY',
      `the API server is too busy for ${what} ${where} (429 Too Many Requests): ${msg}`,
      { httpStatus, fallback: false, retryAfterMs },
    );
  if (reason === 'NotFound' || (httpStatus === 404 && status !== undefined))
    return new UpgradeError('POD_NOT_FOUND', `${what} failed ${where}: ${msg}`, {
      httpStatus,
      fallback: false,
    });
  // Anything else — 400/403/404 in text, 426, 5xx — may be a server or proxy that does not speak
  // this protocol; kubectl falls back on any non-101 answer, and so do we.
  return new UpgradeError(
    'STREAM_ERROR',
    `unable to upgrade connection for ${what} ${where}: ${httpStatus} ${msg}`,
    {
      httpStatus,
      fallback: true,
    },
  );
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

/** Maps a socket-level failure to a KubefwdError (pure). */
export function connectFailure(err: unknown, what: string, server: string, context: string): UpgradeError {
  const rawCode = (err as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  const where = `${server} (context "${context}")`;
  if (TLS_CODES.test(code) || /certificate|self.signed|altnames/i.test(errorMessage(err)))
    return new UpgradeError('TLS_ERROR', `TLS with ${where} failed for ${what}: ${errorMessage(err)}`, {
      fallback: false,
      cause: err,
    });
  // Silence after the server took the connection (its TLS handshake done): it is there but slow,
  // often waiting on the node's kubelet. Silence before: it does not answer at all (stopped, a
  // VPN or network gone), which is the cluster being unreachable and wants that hint, not TIMEOUT's
  // "check network policies and pod health".
  if (code === 'UPGRADE_TIMEOUT')
    return new UpgradeError(
      'TIMEOUT',
      `${what}: ${where} took the request but did not answer: ${errorMessage(err)}`,
      {
        fallback: false,
        cause: err,
      },
    );
  if (code === 'ETIMEDOUT' || code === 'UPGRADE_NO_ANSWER')
    return new UpgradeError('API_UNREACHABLE', `${what}: ${where} does not answer: ${errorMessage(err)}`, {
      fallback: false,
      cause: err,
    });
  return new UpgradeError('API_UNREACHABLE', `${what}: cannot reach ${where}: ${errorMessage(err)}`, {
    fallback: false,
    cause: err,
  });
}

const readBody = (res: IncomingMessage, limit = 64 * 1024): Promise<string> =>
  new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < limit) parts.push(c);
      size += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8').slice(0, limit)));
    res.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });

/** Opens the TCP/TLS connection through the proxy (kubeconfig or environment; CONNECT), if any. */
const proxiedSocket = async (
  conn: ClusterConnection,
  url: URL,
  tls: ConnectionOptions,
  timeoutMs: number,
): Promise<Socket> => {
  const proxy = checkProxyUrl(conn.proxyUrl ?? '', conn.contextName, conn.proxySource);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const raw = await connectViaProxy(proxy, host, port, timeoutMs);
  if (url.protocol !== 'https:') return raw;
  return tlsSocket(conn, { ...tls, socket: raw });
};

/** A TLS connection that resumes the server's last session when the connection keeps one. */
const tlsSocket = (conn: ClusterConnection, tls: ConnectionOptions): Socket => {
  const cache = conn.tlsSessions;
  const session = cache?.get(tls);
  const socket = tlsConnect(session === undefined ? tls : { ...tls, session });
  if (cache !== undefined) socket.on('session', (s: Buffer) => cache.set(tls, s));
  return socket;
};

/**
 * Performs the upgrade; resolves with the raw socket after a 101, rejects with an UpgradeError.
 * A 401 drops the connection's cached credentials and tries once more, as the REST client does:
 * a rotated token file or a changed kubeconfig is then picked up at once, not after the cache ages.
 */
export async function upgrade(
  conn: ClusterConnection & { invalidateCredentials?: () => boolean },
  req: UpgradeRequest,
): Promise<Upgraded> {
  try {
    return await upgradeOnce(conn, req);
  } catch (err) {
    if (err instanceof UpgradeError && err.httpStatus === 401 && conn.invalidateCredentials?.() === true)
      return upgradeOnce(conn, req);
    throw err;
  }
}

async function upgradeOnce(conn: ClusterConnection, req: UpgradeRequest): Promise<Upgraded> {
  const base = new URL(conn.server);
  const url = new URL(base.pathname.replace(/\/+$/, '') + req.path, base);
  let tls: ConnectionOptions;
  let auth: AuthHeaders;
  try {
    [tls, auth] = await Promise.all([conn.tlsOptions(), conn.authHeaders()]);
  } catch (err) {
    if (err instanceof KubefwdError) throw err;
    throw new UpgradeError(
      'AUTH_FAILED',
      `credentials for ${req.what} (context "${conn.contextName}"): ${errorMessage(err)}`,
      {
        fallback: false,
        cause: err,
      },
    );
  }
  const preSocket =
    conn.proxyUrl !== undefined && conn.proxyUrl !== ''
      ? await proxiedSocket(conn, url, tls, req.timeoutMs).catch((err: unknown) => {
          throw err instanceof KubefwdError
            ? err
            : connectFailure(err, req.what, conn.server, conn.contextName);
        })
      : undefined;

  return new Promise<Upgraded>((resolve, reject) => {
    let settled = false;
    const fail = (err: UpgradeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      creq.destroy();
      preSocket?.destroy();
      reject(err);
    };
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    // The socket is ours, never an Agent's: `agent: false` builds a new Agent per request, and at
    // 2,000 pod sessions those Agents (each with a TLS session cache naming the CA) stayed alive
    // with their upgraded sockets (issue 18).
    const socket = (): Socket =>
      preSocket ??
      (url.protocol === 'https:'
        ? tlsSocket(conn, { ...tls, host: hostname, port })
        : netConnect({ host: hostname, port }));
    const options = {
      protocol: url.protocol,
      hostname,
      port,
      method: req.method,
      path: url.pathname + url.search,
      headers: { ...auth, ...req.headers, 'User-Agent': 'kubefwd-ts' },
      createConnection: socket,
    };
    const creq: ClientRequest = url.protocol === 'https:' ? httpsRequest(options) : httpRequest(options);
    // Whether the server took the connection (TLS handshake done, or TCP for http:): what a
    // timeout means depends on it (connectFailure).
    let reached = false;
    creq.once('socket', (s) => {
      // No I/O ran since the socket was made (only microtasks and this tick), so its handshake
      // is still ahead; a plain socket through a proxy is connected already.
      if (s instanceof TLSSocket) s.once('secureConnect', () => (reached = true));
      else if (s.connecting) s.once('connect', () => (reached = true));
      else reached = true;
    });
    const timer = setTimeout(() => {
      const within = `within ${req.timeoutMs % 1000 === 0 ? `${req.timeoutMs / 1000} s` : `${req.timeoutMs} ms`}`;
      const timeout = reached
        ? Object.assign(new Error(`no upgrade ${within}`), { code: 'UPGRADE_TIMEOUT' })
        : Object.assign(
            new Error(`no ${url.protocol === 'https:' ? 'TLS handshake' : 'connection'} ${within}`),
            { code: 'UPGRADE_NO_ANSWER' },
          );
      fail(connectFailure(timeout, req.what, conn.server, conn.contextName));
    }, req.timeoutMs);
    creq.on('upgrade', (res, socket, head) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve({ socket, head, headers: res.headers });
    });
    creq.on('response', (res) => {
      void readBody(res).then((body) =>
        fail(
          refusedUpgrade(
            res.statusCode ?? 0,
            body,
            req.what,
            conn.contextName,
            req.method,
            retryAfterMs(res.headers['retry-after']),
          ),
        ),
      );
    });
    creq.on('error', (err) => fail(connectFailure(err, req.what, conn.server, conn.contextName)));
    creq.end();
  });
}
