// Serves a Hono app on a loopback address. Refuses anything but loopback (the API can start and
// stop forwards and read pod logs: it must never be reachable from the network).
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubefwdError, errorMessage } from '../../contract/errors.js';
import { isLoopbackHost } from '../../domain/ipv4.js';

export interface StartApiServerOptions {
  /** The Hono app (or anything with a fetch handler). */
  app: { fetch: (request: Request) => Response | Promise<Response> };
  /** A loopback IP (127.0.0.0/8 or ::1) or "localhost". */
  host: string;
  /** 0 = any free port. */
  port: number;
}

export interface RunningApiServer {
  /** Server root, e.g. "http://127.0.0.1:43121" (the API is under /api). */
  url: string;
  host: string;
  port: number;
  /** Stops accepting, ends open connections (SSE streams included); idempotent. */
  close(): Promise<void>;
}

export const isLoopback = isLoopbackHost;

/** Parses `--api-listen` ("127.0.0.1:0", "127.2.27.1:80", "[::1]:8080", ":8080" → 127.0.0.1). */
export const parseListen = (value: string): { host: string; port: number } => {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const host = m ? (m[1] ?? m[2] ?? '') || '127.0.0.1' : '';
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535))
    throw new KubefwdError('INVALID_INPUT', `--api-listen: "${value}" is not host:port (e.g. 127.0.0.1:0)`, {
      field: '--api-listen',
    });
  if (!isLoopback(host))
    throw new KubefwdError(
      'INVALID_INPUT',
      `--api-listen: ${host} is not a loopback address; the API listens on loopback only`,
      {
        field: '--api-listen',
      },
    );
  return { host, port };
};

export const startApiServer = async (options: StartApiServerOptions): Promise<RunningApiServer> => {
  if (!isLoopback(options.host))
    throw new KubefwdError(
      'INVALID_INPUT',
      `API host ${options.host} is not a loopback address; the API listens on loopback only`,
      {
        field: 'host',
      },
    );
  const server = createAdaptorServer({
    fetch: (req: Request) => options.app.fetch(req),
    overrideGlobalObjects: false,
  }) as Server;
  server.requestTimeout = 30_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const hostname = options.host.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(
          new KubefwdError('PORT_IN_USE', `API address ${options.host}:${options.port} is in use`, {
            cause: err,
            field: '--api-listen',
          }),
        );
      else if (err.code === 'EACCES')
        reject(
          new KubefwdError('NOT_ROOT', `binding the API to ${options.host}:${options.port} needs root`, {
            cause: err,
            field: '--api-listen',
          }),
        );
      else if (err.code === 'EADDRNOTAVAIL')
        reject(
          new KubefwdError(
            'INVALID_INPUT',
            `API address ${options.host} is not available on this machine: ${errorMessage(err)}`,
            {
              cause: err,
              field: '--api-listen',
            },
          ),
        );
      else
        reject(
          new KubefwdError('INTERNAL', `cannot start the API server: ${errorMessage(err)}`, { cause: err }),
        );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, hostname);
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
};
