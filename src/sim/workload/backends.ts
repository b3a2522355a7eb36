// What sits behind a pod's container ports: real sockets on 127.0.0.1 so a port-forward carries
// real bytes. Kinds: http (answers JSON naming the pod; ?status=&size=&delay=), echo (byte-exact
// TCP echo), redis (RESP, redis.ts), postgres (protocol 3.0, postgres.ts), refuse (nothing
// listens), slow (accepts, never answers), proxy:HOST:PORT (a real local server behind the pod).
// redis and postgres echo a connection whose first bytes are not their protocol's (sniff.ts).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { classifyPostgres, servePostgres } from './postgres.js';
import { classifyRedis, RedisKeyspace, serveRedis } from './redis.js';
import { sniffThenServe } from './sniff.js';

export type BackendSpec = 'http' | 'echo' | 'redis' | 'postgres' | 'refuse' | 'slow' | `proxy:${string}`;

const KINDS = ['http', 'echo', 'redis', 'postgres', 'refuse', 'slow'] as const;

export const BACKEND_ANNOTATION = 'kubefwd.sim/backend';

export function parseBackendSpec(text: string): BackendSpec {
  const t = text.trim();
  const kind = KINDS.find((k) => k === t);
  if (kind !== undefined) return kind;
  const m = /^proxy:(.+):(\d{1,5})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 65535) return `proxy:${m[1]}:${m[2]}`;
  throw new Error(
    `unknown backend "${text}": use http, echo, redis, postgres, refuse, slow or proxy:HOST:PORT`,
  );
}

const ECHO_IMAGES = /mysql|mariadb|mongo|kafka|zookeeper|memcached|rabbitmq|nats|echo/i;

/** The backend of one container: per-container annotation, pod annotation, then the image name. */
export function chooseBackend(
  annotations: Record<string, string> | undefined,
  container: string,
  image: string | undefined,
): BackendSpec {
  const a = annotations ?? {};
  const specific = a[`${BACKEND_ANNOTATION}.${container}`];
  if (specific !== undefined) return parseBackendSpec(specific);
  const general = a[BACKEND_ANNOTATION];
  if (general !== undefined) return parseBackendSpec(general);
  if (image === undefined) return 'http';
  if (/postgres/i.test(image)) return 'postgres';
  if (/redis/i.test(image)) return 'redis';
  return ECHO_IMAGES.test(image) ? 'echo' : 'http';
}

export interface BackendContext {
  namespace: string;
  pod: string;
  container: string;
  /** Append one line to the container's log. */
  log(line: string): void;
}

export interface RunningBackend {
  readonly spec: BackendSpec;
  /** Where a connection to the container port goes; undefined = nothing listens (connection refused). */
  target(port: number): { host: string; port: number } | undefined;
  close(): Promise<void>;
}

const listen = async (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

/** Bodies above this many bytes are streamed, not built in memory. */
const STREAMED_BODY = 64 * 1024 * 1024;

/** The JSON the HTTP backend answers, padded to exactly `size` bytes when asked. */
export function httpBody(
  info: Record<string, unknown>,
  size: number | undefined,
): { body: Buffer; type: string } {
  const json = JSON.stringify(info);
  if (size === undefined) return { body: Buffer.from(json + '\n'), type: 'application/json' };
  const base = JSON.stringify({ ...info, pad: '' });
  if (size < base.length) return { body: Buffer.alloc(size, 'x'), type: 'text/plain' };
  return {
    body: Buffer.from(JSON.stringify({ ...info, pad: 'x'.repeat(size - base.length) })),
    type: 'application/json',
  };
}

/**
 * What one request to a simulated http pod may ask for. A request is anyone's who can reach the
 * forward, so every size is bounded: beyond these the pod answers 400 (or 413) naming the limit,
 * instead of building a body the process cannot hold (`?size=1073741824` used to crash `kubefwd sim`).
 */
export const HTTP_POD_LIMITS = {
  // Bodies above STREAMED_BODY are streamed with backpressure, so a large size costs no memory;
  // the bound only keeps a typo from tying a pod up for hours.
  size: 16 * 1024 * 1024 * 1024,
  delay: 600_000,
  requestBytes: 16 * 1024 * 1024,
} as const;

/** Parses `?status=&size=&delay=`; a string is the 400 message naming the parameter and its limit. */
export const parseHttpPodQuery = (
  q: URLSearchParams,
): { status: number; size: number | undefined; delay: number } | string => {
  const int = (name: string, min: number, max: number): number | undefined | string => {
    const text = q.get(name);
    if (text === null || text === '') return undefined;
    const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max
      ? n
      : `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(text.slice(0, 40))})`;
  };
  const status = int('status', 100, 599);
  const size = int('size', 0, HTTP_POD_LIMITS.size);
  const delay = int('delay', 0, HTTP_POD_LIMITS.delay);
  for (const v of [status, size, delay]) if (typeof v === 'string') return v;
  return {
    status: (status as number | undefined) ?? 200,
    size: size as number | undefined,
    delay: (delay as number | undefined) ?? 0,
  };
};

function httpHandler(ctx: BackendContext, port: number): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://pod');
    const refuse = (code: number, message: string): void => {
      if (!res.writable || res.headersSent) return;
      const body = Buffer.from(`${message}\n`);
      res.writeHead(code, {
        'content-type': 'text/plain',
        'content-length': body.length,
        'x-sim-pod': ctx.pod,
      });
      res.end(body);
    };
    const query = parseHttpPodQuery(url.searchParams);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received <= HTTP_POD_LIMITS.requestBytes) chunks.push(c);
    });
    req.on('end', () => {
      if (typeof query === 'string') return refuse(400, query);
      if (received > HTTP_POD_LIMITS.requestBytes)
        return refuse(413, `request body over ${HTTP_POD_LIMITS.requestBytes} bytes`);
      const { status: code, size, delay } = query;
      const respond = (): void => {
        const info = {
          pod: ctx.pod,
          namespace: ctx.namespace,
          container: ctx.container,
          port,
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          host: req.headers.host ?? '',
          requestBytes: received,
        };
        if (size !== undefined && size > STREAMED_BODY) {
          // Too big to hold (a GiB): the same JSON, its padding streamed with backpressure.
          if (!res.writable) return;
          res.writeHead(code, {
            'content-type': 'application/json',
            'content-length': size,
            'x-sim-pod': ctx.pod,
          });
          const head = Buffer.from(JSON.stringify({ ...info, pad: '' }).slice(0, -2));
          res.write(head);
          let left = size - head.length - 2;
          const pad = Buffer.alloc(1024 * 1024, 'x');
          const pump = (): void => {
            while (left > 0) {
              const n = Math.min(left, pad.length);
              left -= n;
              if (!res.write(n === pad.length ? pad : pad.subarray(0, n))) {
                res.once('drain', pump);
                return;
              }
            }
            res.end('"}');
          };
          res.once('close', () => (left = 0));
          pump();
          ctx.log(
            `${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${code} ${size}`,
          );
          return;
        }
        const { body, type } = httpBody(info, size);
        if (!res.writable) return;
        res.writeHead(code, { 'content-type': type, 'content-length': body.length, 'x-sim-pod': ctx.pod });
        res.end(body);
        ctx.log(
          `${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${code} ${body.length}`,
        );
      };
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  };
}

/** Start the backend of one container on its (TCP) ports. */
export async function startBackend(
  spec: BackendSpec,
  ctx: BackendContext,
  ports: readonly number[],
): Promise<RunningBackend> {
  if (spec === 'refuse') return { spec, target: () => undefined, close: async () => {} };
  if (spec.startsWith('proxy:')) {
    const m = /^proxy:(.+):(\d+)$/.exec(spec)!;
    const target = { host: m[1]!, port: Number(m[2]) };
    return { spec, target: (p) => (ports.includes(p) ? target : undefined), close: async () => {} };
  }
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const local = new Map<number, number>();
  // One keyspace per pod: every port and connection of it sees the same keys.
  const keyspace = spec === 'redis' ? new RedisKeyspace({ pod: ctx.pod }) : undefined;
  let nextPid = 100;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  try {
    for (const port of ports) {
      let server: net.Server;
      if (spec === 'http') {
        const hs = http.createServer(httpHandler(ctx, port));
        hs.keepAliveTimeout = 60_000;
        server = hs;
        hs.on('connection', track);
      } else if (spec === 'echo') {
        server = net.createServer((s) => {
          track(s);
          s.pipe(s);
        });
      } else if (spec === 'redis') {
        server = net.createServer((s) => {
          track(s);
          sniffThenServe(s, classifyRedis, (sock, first) => serveRedis(sock, keyspace!, first));
        });
      } else if (spec === 'postgres') {
        server = net.createServer((s) => {
          track(s);
          sniffThenServe(s, classifyPostgres, (sock, first) =>
            servePostgres(sock, { log: (l) => ctx.log(l), pid: nextPid++ }, first),
          );
        });
      } else {
        // slow: accept and hold, read and discard, never answer.
        server = net.createServer((s) => {
          track(s);
          s.resume();
        });
      }
      servers.push(server);
      local.set(port, await listen(server));
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  return {
    spec,
    target: (p) => {
      const lp = local.get(p);
      return lp === undefined ? undefined : { host: '127.0.0.1', port: lp };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
