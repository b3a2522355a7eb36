// The fault controls over HTTP (loopback, same bearer token as the API): JSON POST routes for
// `kubefwd sim` users and out-of-process tests. GET /counters and GET /pods?namespace= read state.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimControl } from './control.js';
import type { BackendSpec } from './workload/backends.js';

type Body = Record<string, unknown>;

const str = (b: Body, k: string): string => {
  const v = b[k];
  if (typeof v !== 'string' || v === '') throw new BadInput(`"${k}" (string) is required`);
  return v;
};

class BadInput extends Error {}

/** Bounds on what the control API accepts (a manifest of a few MiB is already very large). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_LATENCY_MS = 600_000;
export const CONTROL_ROUTES = [
  'POST /apply {yaml}',
  'POST /delete {kind, namespace, name}',
  'POST /delete-pod {namespace, name}',
  'POST /pod-ready {namespace, name, ready}',
  'POST /backend {namespace, pod, backend, container?}',
  'POST /cut-streams',
  'POST /goaway',
  'POST /latency {ms}',
  'POST /throttle-upgrades {count, retryAfterSeconds}',
  'POST /protocols {tunnel?, spdy?, websocket?}',
  'POST /deny {verb, resource, namespace?}',
  'POST /allow-all',
  'POST /restart-api',
  'POST /compact',
  'POST /wait-ready {namespace, selector?}',
  'GET /counters',
  'GET /pods?namespace=NS',
];

// Long as a table: one branch per fault-control route.
export async function startControlServer(
  control: SimControl,
  token: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const routes: Record<string, (b: Body, q: URLSearchParams) => Promise<unknown>> = {
    'POST /apply': async (b) => control.apply(str(b, 'yaml')),
    'POST /delete': async (b) =>
      control.deleteObject(str(b, 'kind'), (b.namespace as string | undefined) ?? '', str(b, 'name')),
    'POST /delete-pod': async (b) => control.deletePod(str(b, 'namespace'), str(b, 'name')),
    'POST /pod-ready': async (b) => {
      if (typeof b.ready !== 'boolean') throw new BadInput('"ready" (boolean) is required');
      control.setPodReady(str(b, 'namespace'), str(b, 'name'), b.ready);
    },
    'POST /backend': async (b) =>
      control.setBackend(
        str(b, 'namespace'),
        str(b, 'pod'),
        str(b, 'backend') as BackendSpec,
        b.container as string | undefined,
      ),
    'POST /cut-streams': async () => ({ count: control.cutStreams() }),
    'POST /goaway': async () => ({ count: await control.goAway() }),
    'POST /latency': async (b) => {
      if (typeof b.ms !== 'number' || !(b.ms >= 0 && b.ms <= MAX_LATENCY_MS))
        throw new BadInput(`"ms" (a number from 0 to ${MAX_LATENCY_MS}) is required`);
      control.setLatency(b.ms);
    },
    'POST /throttle-upgrades': async (b) => {
      const count = b.count;
      const after = b.retryAfterSeconds;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
        throw new BadInput('"count" (how many upgrades to turn away, 0 or more) is required');
      if (typeof after !== 'number' || !Number.isInteger(after) || after < 0 || after > 3600)
        throw new BadInput('"retryAfterSeconds" (a whole number from 0 to 3600) is required');
      control.throttleUpgrades(count, after);
    },
    'POST /protocols': async (b) => control.setProtocols(b),
    'POST /deny': async (b) =>
      control.denyPermission({
        verb: str(b, 'verb'),
        resource: str(b, 'resource'),
        ...(typeof b.namespace === 'string' ? { namespace: b.namespace } : {}),
      }),
    'POST /allow-all': async () => control.allowAll(),
    'POST /restart-api': async () => control.restartApi(),
    'POST /compact': async () => control.compact(),
    'POST /wait-ready': async (b) =>
      (
        await control.waitForPodsReady(str(b, 'namespace'), b.selector as Record<string, string> | undefined)
      ).map((p) => p.metadata.name),
    'GET /counters': async () => control.counters(),
    'GET /pods': async (_b, q) => control.pods(q.get('namespace') ?? ''),
  };
  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown): void => {
      const text = JSON.stringify(body ?? { ok: true });
      res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { error: 'missing or wrong bearer token' });
    const url = new URL(req.url ?? '/', 'http://control');
    const route = routes[`${req.method ?? 'GET'} ${url.pathname}`];
    if (!route) return send(404, { error: `no such route; routes: ${CONTROL_ROUTES.join('; ')}` });
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (received > MAX_BODY_BYTES) return send(413, { error: `body over ${MAX_BODY_BYTES} bytes` });
      let body: Body = {};
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() !== '') body = JSON.parse(text) as Body;
      } catch {
        return send(400, { error: 'body must be JSON' });
      }
      route(body, url.searchParams).then(
        (out) => send(200, out),
        (err: unknown) =>
          send(err instanceof BadInput ? 400 : 422, {
            error: err instanceof Error ? err.message : String(err),
          }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
