// `kubefwd mcp --http`: the same server over Streamable HTTP, for clients that cannot spawn a process.
// Loopback by default; every request needs the bearer key (the daemon's, or --api-key /
// KUBEFWD_API_KEY), and Host and Origin must name this machine (DNS-rebinding protection), checked
// before anything reaches the MCP handler.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import { hostHeaderValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { KubefwdError } from '../contract/errors.js';

export interface McpHttpOptions {
  host: string;
  port: number;
  factory: () => McpServer;
  /** The key requests must carry; undefined when none is known yet (kubefwd not started, no --api-key). */
  expectedKey: () => Promise<string | undefined>;
  onError?: (err: Error) => void;
}

export interface McpHttpServer {
  /** e.g. "http://127.0.0.1:41234/mcp". */
  url: string;
  close(): Promise<void>;
}

const DEFAULT_PORT = 27227;

/** Parses `--http [addr:port]`: "" → loopback default; "8080" → 127.0.0.1:8080; "[::1]:9000"; "localhost:0"; "127.0.0.5". */
export const parseHttpAddress = (value: string | undefined): { host: string; port: number } => {
  const v = (value ?? '').trim();
  const bad = () =>
    new KubefwdError('INVALID_INPUT', `--http ${v}: expected [addr:]port, e.g. 127.0.0.1:${DEFAULT_PORT}`, {
      field: '--http',
    });
  let host = '127.0.0.1';
  let port = DEFAULT_PORT;
  if (v === '') return { host, port };
  const m =
    /^(?:(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*)):)?(\d{1,5})$/.exec(v) ??
    /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*))()$/.exec(v);
  if (!m) throw bad();
  host = m[1] ?? m[2] ?? host;
  if (m[3]) port = Number(m[3]);
  if (port > 65535) throw bad();
  return { host, port };
};

export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the presented bearer token with the expected key. */
export const bearerMatches = (header: string | undefined, key: string): boolean => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(key));
};

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const rpcError = (message: string) => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

export const startMcpHttpServer = async (opts: McpHttpOptions): Promise<McpHttpServer> => {
  const handler = createMcpHandler(opts.factory, {
    legacy: 'stateless',
    ...(opts.onError ? { onerror: opts.onError } : {}),
  });
  const node = toNodeHandler(handler, opts.onError ? { onerror: opts.onError } : {});
  const names = ['localhost', '127.0.0.1', '[::1]'];
  const bind = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  if (!names.includes(bind) && bind !== '0.0.0.0' && bind !== '[::]') names.push(bind);
  const checkHost = hostHeaderValidation(names);
  const checkOrigin = originValidation(names);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') return json(res, 404, rpcError('Not found: the MCP endpoint is /mcp'));
    if (!checkHost(req, res) || !checkOrigin(req, res)) return;
    const key = await opts.expectedKey();
    if (!key)
      return json(
        res,
        503,
        rpcError(
          'kubefwd is not running and no key is configured: start kubefwd (sudo -E kubefwd) or set KUBEFWD_API_KEY',
        ),
      );
    if (!bearerMatches(req.headers.authorization, key))
      return json(
        res,
        401,
        rpcError('Unauthorized: pass the kubefwd API key as "Authorization: Bearer <key>"'),
        {
          'www-authenticate': 'Bearer realm="kubefwd"',
        },
      );
    await node(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent) json(res, 500, rpcError('internal error'));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/mcp`,
    // Stops at once: no new connections, every open one (kept-alive, streaming, mid-call) ended now,
    // and the handler's own close bounded — a stop must not wait for a client or a slow daemon.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        handler.close().catch(() => undefined),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 250))),
      ]);
      clearTimeout(timer);
      await closed;
    },
  };
};
