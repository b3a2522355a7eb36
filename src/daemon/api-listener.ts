// The REST API's socket. Bound before the engine starts so a taken address is a clear error while
// nothing has changed yet; requests are answered 503 until the app is attached. Closing ends open
// connections (SSE streams would otherwise hold shutdown forever).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { PrivilegedListen } from '../os/listener.js';

type Fetch = (request: Request) => Response | Promise<Response>;

export interface ApiListener {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 in brackets). */
  readonly url: string;
  attach(fetch: Fetch): void;
  close(): Promise<void>;
}

/**
 * Caps on the API's connections, so that clients of the API (the TUI, MCP, curl, a browser, or a
 * runaway script) cannot take the file descriptors the forwards need: 1,100 idle API connections
 * once made every forward fail. Every client is on loopback — most of them on 127.0.0.1 — so a cap
 * per client address locked every client out together (64 open event streams from one script
 * and the health check, the dashboard and MCP got a reset). At the cap, a new connection takes the
 * place of the oldest one with no request in flight; when every one is busy, it is answered 503.
 */
export const API_CONNECTION_LIMITS = {
  total: 256,
  idleMs: 120_000,
  keepAliveMs: 5_000,
} as const;

/**
 * The connection cap and the event-stream cap for an open-file limit: a quarter of the limit for
 * the API (each forwarded connection takes two descriptors), half of that for streams, so streams
 * never fill the API and requests always find room.
 */
export const apiLimitsFor = (fileLimit: number | undefined): { total: number; streams: number } => {
  const total = Math.max(16, Math.min(API_CONNECTION_LIMITS.total, Math.floor((fileLimit ?? Infinity) / 4)));
  return { total, streams: Math.floor(total / 2) };
};

/** How long open connections (event streams) get to finish when the API closes. */
const CLOSE_GRACE_MS = 200;

/** Connections over the cap held for their 503 answer at once; beyond, they are closed unanswered. */
const MAX_OVERFLOW = 16;

/** The answer to a request on a connection over the cap when every other connection is busy. */
const BUSY = {
  success: false,
  error: {
    code: 'NOT_READY',
    message: 'every kubefwd API connection is busy (open event streams or requests in flight)',
    hint: 'Close event streams you no longer read, then retry.',
  },
};

export interface ListenApiOptions {
  /** Told each time a connection is closed because of a cap. */
  onRefused?: (why: string) => void;
  limits?: Partial<Record<keyof typeof API_CONNECTION_LIMITS, number>>;
  /** Binds what this process may not (the privileged helper: 127.2.27.1:80 as the user). */
  privileged?: PrivilegedListen;
}

// One closure on purpose: the bound server, refused-connection counting and attach share its state.
export const listenApi = (host: string, port: number, options: ListenApiOptions = {}): Promise<ApiListener> =>
  new Promise((resolve, reject) => {
    const limits = { ...API_CONNECTION_LIMITS, ...options.limits };
    let handler: ((req: IncomingMessage, res: ServerResponse) => unknown) | undefined;
    // Connections over the cap while every other one is busy: their request gets a 503, then they close.
    const overflow = new Set<Socket>();
    const server = createServer((req, res) => {
      if (overflow.has(req.socket)) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(BUSY));
        return;
      }
      if (!handler) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ success: false, error: { code: 'NOT_READY', message: 'kubefwd is starting' } }),
        );
        return;
      }
      void handler(req, res);
    });
    // SSE streams stay open for hours (their keep-alive comments every 30 s keep them from idling out).
    server.requestTimeout = 0;
    server.headersTimeout = 30_000;
    server.keepAliveTimeout = limits.keepAliveMs;
    // A connection with no traffic at all for this long is closed.
    server.timeout = limits.idleMs;
    // Open connections, oldest first, each with its requests in flight.
    const open = new Map<Socket, { inFlight: number }>();
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const c = open.get(req.socket);
      if (!c) return;
      c.inFlight++;
      res.once('close', () => c.inFlight--);
    });
    server.on('connection', (socket: Socket) => {
      if (open.size >= limits.total) {
        const idle = [...open].find(([, c]) => c.inFlight === 0)?.[0];
        if (idle) {
          open.delete(idle);
          idle.destroy();
          options.onRefused?.(`closed an idle API connection to make room (more than ${limits.total} open)`);
        } else if (overflow.size >= MAX_OVERFLOW) {
          socket.destroy();
          options.onRefused?.(`closed a connection: all ${limits.total} API connections are busy`);
          return;
        } else {
          overflow.add(socket);
          socket.setTimeout(5_000, () => socket.destroy());
          socket.once('close', () => overflow.delete(socket));
          options.onRefused?.(`answered 503: all ${limits.total} API connections are busy`);
          return;
        }
      }
      open.set(socket, { inFlight: 0 });
      socket.once('close', () => open.delete(socket));
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = `${host}:${port}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new KubefwdError('PORT_IN_USE', `${where} is already in use (the REST API address)`, {
              field: '--api-listen',
              hint: 'Stop the program holding it, or choose another address with --api-listen host:port.',
            })
          : err.code === 'EACCES'
            ? new KubefwdError('NOT_ROOT', `binding the REST API to ${where} needs root`, {
                field: '--api-listen',
                hint: 'Run with sudo -E, or pass --api-listen 127.0.0.1:0.',
              })
            : new KubefwdError('INTERNAL', `cannot listen on ${where}: ${errorMessage(err)}`, {
                field: '--api-listen',
              }),
      );
    };
    const ready = (actual: number, closeSocket: () => void): void => {
      const h = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        host,
        port: actual,
        url: actual === 80 ? `http://${h}` : `http://${h}:${actual}`,
        attach(fetch) {
          handler = getRequestListener(fetch);
        },
        close() {
          closing ??= new Promise<void>((done) => {
            if (server.listening) server.close(() => done());
            else {
              closeSocket();
              done();
            }
            // Event streams end by themselves after ShutdownComplete: a moment for that last
            // event to be written, then whatever is still open is cut.
            server.closeIdleConnections();
            if (open.size === 0) server.closeAllConnections();
            else setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
          });
          return closing;
        },
      });
    };
    server.once('error', (err: NodeJS.ErrnoException) => {
      const privileged = options.privileged;
      if (!privileged || (err.code !== 'EACCES' && err.code !== 'EPERM' && err.code !== 'EADDRNOTAVAIL')) {
        onError(err);
        return;
      }
      // Through the helper: its listener's connections are served by this HTTP server.
      privileged(host, port, (socket) => server.emit('connection', socket)).then(
        (l) => ready(l.port, () => void l.close()),
        reject,
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      const addr = server.address();
      ready(typeof addr === 'object' && addr !== null ? addr.port : port, () => undefined);
    });
  });

/**
 * Binds the API where asked. The well-known address (kubefwd.internal, 127.2.27.1:80) is one per
 * machine: when another kubefwd holds it, this one takes a free loopback port instead and says so,
 * rather than refusing to start. An address given with --api-listen is kept or refused.
 */
export const listenApiOrFallback = async (
  listen: (host: string, port: number) => Promise<ApiListener>,
  want: { host: string; port: number; wellKnown: boolean },
  warn: (message: string) => void,
): Promise<{ api: ApiListener; wellKnown: boolean }> => {
  try {
    return { api: await listen(want.host, want.port), wellKnown: want.wellKnown };
  } catch (err) {
    if (!want.wellKnown || !(err instanceof KubefwdError) || err.code !== 'PORT_IN_USE') throw err;
    const api = await listen('127.0.0.1', 0);
    warn(
      `${want.host}:${want.port} (kubefwd.internal) is taken, most likely by another kubefwd: this one's REST API listens on ${api.url} instead (kubefwd mcp, tui and open find it; --api-listen chooses an address)`,
    );
    return { api, wellKnown: false };
  }
};
