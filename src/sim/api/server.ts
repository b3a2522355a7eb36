// The simulated Kubernetes API server: HTTPS, bearer-token (or client-certificate) auth, discovery,
// CRUD + list/watch on the resources of resources.ts, pod logs, SelfSubjectAccessReview, and the
// port-forward upgrade in all three wire protocols (each switchable, refused like an older server).
import https from 'node:https';
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketByteStream } from '../../wire/websocket/index.js';
import type { ObjectStore, KObj } from './store.js';
import { StoreError } from './store.js';
import { RESOURCES, resourceByName, supportedFields, groupVersion } from './resources.js';
import type { ResourceType } from './resources.js';
import { ApiError, notFound, rawResponse, sendError, sendJson, statusBody } from './status.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { apiGroupDoc, apiGroupList, apiVersions, resourceList, SIM_VERSION } from './discovery.js';
import { SelectorError, parseFieldSelector, parseLabelSelector } from '../../domain/selectors.js';
import { fieldMatcher, matchesLabels } from './selectors.js';
import { admit } from './admission.js';
import { serveWatch } from './watch.js';
import { serveLogs } from './logs.js';
import { toTable, wantsTable } from './tables.js';
import type { IncludeObject } from './tables.js';
import type { Authorizer } from './auth.js';
import { authenticated } from './auth.js';
import { applyJsonPatch, mergePatch } from './patch.js';
import type { SimWorkloads } from '../workload/cluster.js';
import type { PortForwardHub } from '../portforward/hub.js';
import { parsePorts } from '../portforward/hub.js';
import { serveWebSocketV4 } from '../portforward/websocket-v4.js';
import { serveSpdyPortForward } from '../portforward/spdy-server.js';
import { acceptWebSocket, websocketRequestProblem } from './websocket-accept.js';
import { CA_CERT, SERVER_CERT, SERVER_KEY } from '../tls.js';

/** Longest watch a client may ask for; beyond it (or not a whole number) the answer is 400. */
const MAX_WATCH_TIMEOUT_SECONDS = 86_400;

const timeoutParam = (q: URLSearchParams): { timeoutSeconds?: number } => {
  const text = q.get('timeoutSeconds');
  if (text === null || text === '') return {};
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_WATCH_TIMEOUT_SECONDS))
    throw new ApiError(
      400,
      'BadRequest',
      `timeoutSeconds must be an integer from 0 to ${MAX_WATCH_TIMEOUT_SECONDS} (got ${JSON.stringify(text.slice(0, 40))})`,
    );
  return n > 0 ? { timeoutSeconds: n } : {};
};
export interface ApiServerDeps {
  store: ObjectStore;
  workloads: SimWorkloads;
  hub: PortForwardHub;
  authz: Authorizer;
  token: string;
  bookmarkIntervalMs: number;
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const V4_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];
const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Parse the part of a resource URL after /api/v1 or /apis/{g}/{v}. */
export function parseTarget(group: string, version: string, segs: readonly string[]): Target | undefined {
  const [a, b, c, d, e] = segs;
  if (a === undefined) return undefined;
  if (a === 'namespaces' && b !== undefined && c !== undefined) {
    const r = resourceByName(group, version, c);
    if (r?.namespaced)
      return {
        resource: r,
        namespace: b,
        ...(d !== undefined ? { name: d } : {}),
        ...(e !== undefined ? { subresource: e } : {}),
      };
    if (group !== '' || c === undefined || !['status', 'finalize'].includes(c) || d !== undefined)
      return undefined;
  }
  const r = resourceByName(group, version, a);
  if (!r) return undefined;
  if (r.namespaced && b !== undefined) return undefined;
  return {
    resource: r,
    ...(b !== undefined ? { name: b } : {}),
    ...(c !== undefined ? { subresource: c } : {}),
  };
}

const readBody = async (req: http.IncomingMessage, limit = 8 << 20): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new ApiError(413, 'BadRequest', 'request entity too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
};

const parseJson = (buf: Buffer): unknown => {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError(
      400,
      'BadRequest',
      `the body of the request could not be decoded as JSON: ${String(err)}`,
    );
  }
};

export class SimApiServer {
  readonly server: https.Server;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  private refusing = false;

  constructor(private readonly d: ApiServerDeps) {
    this.server = https.createServer({
      cert: SERVER_CERT,
      key: SERVER_KEY,
      ca: CA_CERT,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', (_err, s) => s.destroy());
    this.server.on('request', (req, res) => {
      this.d.hub.counters.requests++;
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      this.d.hub.counters.requests++;
      socket.on('error', () => socket.destroy());
      this.upgrade(req, socket, head).catch((err: unknown) => {
        const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err));
        if (!socket.destroyed)
          rawResponse(socket, e.code, 'Error', JSON.stringify(statusBody(e.code, e.reason, e.message)));
      });
    });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drop every connection (watches, port-forwards, keep-alive) and refuse new ones for a moment. */
  async restart(pauseMs: number): Promise<void> {
    this.refusing = true;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, pauseMs));
    await this.listen(this.port);
    this.refusing = false;
  }

  async close(): Promise<void> {
    // Upgraded sockets (port-forward, watches) are among these: destroying them ends every stream.
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof StoreError) e = new ApiError(err.code, err.reason, err.message);
    else if (err instanceof SelectorError) e = new ApiError(400, 'BadRequest', err.message);
    else
      e = new ApiError(
        500,
        'InternalError',
        `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
      );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, e);
  }

  private requireAuth(req: http.IncomingMessage): void {
    if (!authenticated(req, this.d.token)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  private authorize(verb: string, target: Target, resourceName: string): void {
    const group = target.resource.group;
    if (!this.d.authz.allowed(verb, resourceName, target.namespace))
      throw new ApiError(
        403,
        'Forbidden',
        this.d.authz.forbiddenMessage(verb, resourceName, group, target.namespace, target.name),
        {
          ...(target.name ? { name: target.name } : {}),
          kind: target.resource.name,
          ...(group ? { group } : {}),
        },
      );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.refusing) {
      res.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'https://sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/version') return sendJson(res, 200, SIM_VERSION);
    this.requireAuth(req);
    if (path === '/api') return sendJson(res, 200, apiVersions(`127.0.0.1:${this.port}`));
    if (path === '/apis') return sendJson(res, 200, apiGroupList());
    if (path === '/openapi/v3') return sendJson(res, 200, openApiRoot());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiGroupVersion(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, doc);
    }
    const segs = path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs[1] !== undefined) {
      if (segs[2] === undefined) {
        const doc = apiGroupDoc(segs[1]);
        if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, doc);
      }
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      const list = resourceList(group, version);
      if (!list) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, list);
    }
    // Legacy /watch/ prefix paths (…/watch/namespaces/x/pods): treat as watch=true.
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    const target = parseTarget(group, version, rest);
    if (!target) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const q = url.searchParams;
    const watch = legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
    await this.dispatch(req, res, method, target, q, watch);
  }

  // Long as a dispatcher: one branch per kind of API request, as the real API server routes them.
  private async dispatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    t: Target,
    q: URLSearchParams,
    watch: boolean,
  ): Promise<void> {
    const r = t.resource;
    const sub = t.subresource;
    const resName = sub ? `${r.name}/${sub}` : r.name;
    if (r.virtual) {
      if (method !== 'POST' || t.name !== undefined)
        throw new ApiError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
      const body = parseJson(await readBody(req)) as
        | {
            spec?: {
              resourceAttributes?: {
                verb?: string;
                resource?: string;
                subresource?: string;
                namespace?: string;
              };
            };
          }
        | undefined;
      const a = body?.spec?.resourceAttributes ?? {};
      const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
      const allowed = this.d.authz.allowed(a.verb ?? '', resource, a.namespace || undefined);
      this.d.authz.reviews += 1;
      return sendJson(res, 201, {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: body?.spec ?? {},
        status: {
          allowed,
          ...(allowed ? {} : { reason: 'denied by the simulated cluster (denyPermission)' }),
        },
      });
    }
    if (sub === 'portforward') {
      this.authorize(method === 'POST' ? 'create' : 'get', t, resName);
      throw new ApiError(400, 'BadRequest', 'Upgrade request required');
    }
    if (
      sub === 'scale' &&
      ['deployments', 'statefulsets', 'replicasets'].includes(r.name) &&
      t.name !== undefined
    )
      return this.scale(req, res, method, t);
    if (sub !== undefined && !(r.name === 'pods' && sub === 'log') && sub !== 'status')
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const table: IncludeObject | undefined = wantsTable(req.headers.accept)
      ? ((q.get('includeObject') as IncludeObject | null) ?? 'Metadata')
      : undefined;

    if (method === 'GET') {
      if (t.name === undefined) {
        this.authorize(watch ? 'watch' : 'list', t, resName);
        const filter = this.filterFor(r, q);
        if (watch)
          return serveWatch(req, res, this.d.store, {
            resource: r,
            ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
            filter,
            ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
            ...timeoutParam(q),
            allowBookmarks: q.get('allowWatchBookmarks') === 'true',
            bookmarkIntervalMs: this.d.bookmarkIntervalMs,
            ...(table ? { table } : {}),
            sendInitialEvents: q.get('sendInitialEvents') === 'true',
          });
        return this.list(res, t, q, filter, table);
      }
      if (watch) {
        // Watch of one object by path: same as fieldSelector=metadata.name=NAME.
        this.authorize('watch', t, resName);
        const base = this.filterFor(r, q);
        const name = t.name;
        return serveWatch(req, res, this.d.store, {
          resource: r,
          ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
          filter: (o) => o.metadata.name === name && base(o),
          ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
          ...timeoutParam(q),
          allowBookmarks: q.get('allowWatchBookmarks') === 'true',
          bookmarkIntervalMs: this.d.bookmarkIntervalMs,
          ...(table ? { table } : {}),
        });
      }
      this.authorize('get', t, resName);
      const obj = this.getOrThrow(t);
      if (sub === 'log') {
        serveLogs(req, res, obj, q, (c) => this.d.workloads.containerLog(t.namespace ?? '', t.name ?? '', c));
        return;
      }
      return sendJson(
        res,
        200,
        table ? toTable(r.kind, [obj], obj.metadata.resourceVersion ?? '', table) : obj,
      );
    }

    if (method === 'POST') {
      if (t.name !== undefined)
        throw new ApiError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
      this.authorize('create', t, resName);
      const body = parseJson(await readBody(req));
      const obj = this.admitNew(r, body, t.namespace);
      if (q.get('dryRun') === 'All') return sendJson(res, 201, obj);
      return sendJson(res, 201, this.d.store.create(r.name, obj));
    }

    if (method === 'PUT' || method === 'PATCH') {
      if (t.name === undefined)
        throw new ApiError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
      this.authorize(method === 'PUT' ? 'update' : 'patch', t, resName);
      const existing = this.getOrThrow(t);
      const body = await readBody(req);
      let next: KObj;
      if (method === 'PUT') next = parseJson(body) as KObj;
      else {
        const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const patch = parseJson(body);
        if (ct === 'application/json-patch+json') next = applyJsonPatch(existing, patch) as KObj;
        else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json')
          next = mergePatch(existing, patch) as KObj;
        else
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
          );
      }
      if (next?.metadata?.name !== undefined && next.metadata.name !== t.name)
        throw new ApiError(
          400,
          'BadRequest',
          `the name of the object (${next.metadata.name}) does not match the name on the URL (${t.name})`,
        );
      const wantRv = next?.metadata?.resourceVersion;
      if (method === 'PUT' && wantRv && wantRv !== existing.metadata.resourceVersion)
        throw new ApiError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${r.name}${r.group ? `.${r.group}` : ''} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      let stored: KObj;
      if (sub === 'status') {
        const merged = { ...existing, status: (next as { status?: unknown }).status };
        stored = this.d.store.update(r.name, merged);
      } else {
        const obj = admit(
          r,
          { ...next, metadata: { ...next.metadata, name: t.name } },
          t.namespace,
          this.admissionContext(),
          existing,
        );
        if (r.kind === 'Pod') obj.status = existing.status;
        stored = this.d.store.update(r.name, obj);
      }
      return sendJson(res, 200, stored);
    }

    if (method === 'DELETE') {
      if (t.name === undefined) {
        this.authorize('deletecollection', t, resName);
        const filter = this.filterFor(r, q);
        const items = this.d.store.list(r.name, t.namespace).filter(filter);
        for (const o of items) this.deleteObject(r, o.metadata.namespace, o.metadata.name, q);
        return sendJson(res, 200, {
          kind: `${r.kind}List`,
          apiVersion: groupVersion(r),
          metadata: { resourceVersion: String(this.d.store.resourceVersion) },
          items,
        });
      }
      this.authorize('delete', t, resName);
      this.getOrThrow(t);
      const body = parseJson(await readBody(req)) as { gracePeriodSeconds?: number } | undefined;
      if (body?.gracePeriodSeconds !== undefined)
        q.set('gracePeriodSeconds', String(body.gracePeriodSeconds));
      return sendJson(res, 200, this.deleteObject(r, t.namespace, t.name, q));
    }
    throw new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }

  /** The scale subresource (`kubectl scale`): an autoscaling/v1 Scale view of spec.replicas. */
  private async scale(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    t: Target,
  ): Promise<void> {
    const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : '';
    if (!verb)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    this.authorize(verb, t, `${t.resource.name}/scale`);
    const view = (o: KObj): unknown => {
      const spec = o.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          uid: o.metadata.uid,
          resourceVersion: o.metadata.resourceVersion,
          creationTimestamp: o.metadata.creationTimestamp,
        },
        spec: { replicas: spec.replicas ?? 1 },
        status: {
          replicas: (o.status as { replicas?: number } | undefined)?.replicas ?? 0,
          selector: Object.entries(spec.selector?.matchLabels ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
        },
      };
    };
    const existing = this.getOrThrow(t);
    if (method === 'GET') return sendJson(res, 200, view(existing));
    const body = parseJson(await readBody(req));
    const next = (method === 'PUT' ? body : mergePatch(view(existing), body)) as {
      spec?: { replicas?: unknown };
    };
    const replicas = next.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${t.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
      );
    const updated = this.d.store.mutate(t.resource.name, t.namespace, t.name ?? '', (o) => {
      (o.spec as { replicas?: number }).replicas = replicas;
      o.metadata.generation = (o.metadata.generation ?? 1) + 1;
    });
    return sendJson(res, 200, view(updated ?? existing));
  }

  private admissionContext(): { usedClusterIPs: () => Set<string> } {
    return {
      usedClusterIPs: () =>
        new Set(
          this.d.store
            .scan('services')
            .map((s) => (s.spec as { clusterIP?: string } | undefined)?.clusterIP ?? ''),
        ),
    };
  }

  /** Admission for create, shared by the API and the control handle's apply. */
  admitNew(r: ResourceType, body: unknown, namespace: string | undefined): KObj {
    const obj = admit(r, body, namespace, this.admissionContext());
    if (r.namespaced) {
      const ns = this.d.store.get('namespaces', undefined, obj.metadata.namespace ?? '');
      if (!ns) throw notFound('namespaces', obj.metadata.namespace ?? '');
      if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating')
        throw new ApiError(
          403,
          'Forbidden',
          `${r.name} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns.metadata.name} because it is being terminated`,
        );
    }
    return obj;
  }

  /** Admission for replace (apply of an existing object): keeps uid, status of pods, generation rules. */
  admitReplace(r: ResourceType, body: unknown, namespace: string | undefined, existing: KObj): KObj {
    const obj = admit(r, body, namespace, this.admissionContext(), existing);
    if (r.kind === 'Pod') obj.status = existing.status;
    return obj;
  }

  /** Delete as the API server does: pods gracefully, namespaces via Terminating. */
  deleteObject(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    q: URLSearchParams = new URLSearchParams(),
  ): KObj {
    if (r.name === 'pods' && q.get('gracePeriodSeconds') !== '0')
      return this.d.workloads.deletePod(namespace ?? '', name).object;
    if (r.name === 'namespaces') {
      if (PROTECTED_NAMESPACES.includes(name))
        throw new ApiError(
          403,
          'Forbidden',
          `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        );
      const updated = this.d.store.mutate('namespaces', undefined, name, (o) => {
        o.metadata.deletionTimestamp ??= now();
        o.status = { phase: 'Terminating' };
      });
      if (!updated) throw notFound('namespaces', name);
      return updated;
    }
    try {
      return this.d.store.delete(r.name, namespace, name);
    } catch (err) {
      if (err instanceof StoreError) throw notFound(r.name, name, r.group);
      throw err;
    }
  }

  private getOrThrow(t: Target): KObj {
    const o = this.d.store.get(t.resource.name, t.namespace, t.name ?? '');
    if (!o) throw notFound(t.resource.name, t.name ?? '', t.resource.group);
    return o;
  }

  private filterFor(r: ResourceType, q: URLSearchParams): (o: KObj) => boolean {
    const labels = q.get('labelSelector') ? parseLabelSelector(q.get('labelSelector')!) : [];
    const fields = q.get('fieldSelector')
      ? fieldMatcher(parseFieldSelector(q.get('fieldSelector')!), supportedFields(r))
      : () => true;
    return (o) => matchesLabels(labels, o.metadata.labels) && fields(o);
  }

  private list(
    res: http.ServerResponse,
    t: Target,
    q: URLSearchParams,
    filter: (o: KObj) => boolean,
    table: IncludeObject | undefined,
  ): void {
    const r = t.resource;
    let items = this.d.store.list(r.name, t.namespace).filter(filter);
    const rv = String(this.d.store.resourceVersion);
    const limit = Number(q.get('limit') ?? '0');
    let start = 0;
    const cont = q.get('continue');
    if (cont) {
      let parsed: { rv?: number; start?: number } = {};
      try {
        parsed = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as {
          rv?: number;
          start?: number;
        };
      } catch {
        throw new ApiError(
          400,
          'BadRequest',
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        );
      }
      if (this.d.store.since(parsed.rv ?? 0) === 'expired')
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
        );
      start = parsed.start ?? 0;
    }
    let next: string | undefined;
    let remaining: number | undefined;
    if (limit > 0 && items.length > start + limit) {
      next = Buffer.from(JSON.stringify({ rv: Number(rv), start: start + limit })).toString('base64url');
      remaining = items.length - start - limit;
    }
    items = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const meta = { resourceVersion: rv, ...(next ? { continue: next, remainingItemCount: remaining } : {}) };
    if (table) return sendJson(res, 200, toTable(r.kind, items, rv, table, next ? { continue: next } : {}));
    sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: meta, items });
  }

  // ---- port-forward upgrades ----

  // The three port-forward upgrades share authorisation and the pod lookup and differ only at the end.
  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    const hub = this.d.hub;
    const url = new URL(req.url ?? '/', 'https://sim');
    const refuse = (code: number, text: string, body: string, headers: Record<string, string> = {}): void => {
      hub.counters.upgrades.refused++;
      rawResponse(socket, code, text, body, 'text/plain; charset=utf-8', headers);
    };
    if (!authenticated(req, this.d.token)) {
      rawResponse(
        socket,
        401,
        'Unauthorized',
        JSON.stringify(statusBody(401, 'Unauthorized', 'Unauthorized')),
      );
      return;
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/.exec(url.pathname);
    if (!m) {
      rawResponse(
        socket,
        404,
        'Not Found',
        JSON.stringify(statusBody(404, 'NotFound', 'the server could not find the requested resource')),
      );
      return;
    }
    const namespace = decodeURIComponent(m[1]!);
    const name = decodeURIComponent(m[2]!);
    const target: Target = {
      resource: RESOURCES.find((r) => r.name === 'pods')!,
      namespace,
      name,
      subresource: 'portforward',
    };
    const verb = req.method === 'POST' ? 'create' : 'get';
    this.authorize(verb, target, 'pods/portforward');
    // Since Kubernetes 1.35 a WebSocket GET also needs `create` on pods/portforward.
    if (verb === 'get') this.authorize('create', target, 'pods/portforward');
    const pod = this.getOrThrow(target);
    if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName)
      throw new ApiError(400, 'BadRequest', `pod ${name} does not have a host assigned`);
    if (hub.latencyMs > 0) await new Promise((r) => setTimeout(r, hub.latencyMs));
    if (socket.destroyed) return;
    const dial = (port: number): Promise<net.Socket> => this.d.workloads.dial(namespace, name, port);
    const label = `pod ${namespace}/${name}`;
    const upgradeHeader = (req.headers.upgrade ?? '').toLowerCase();

    if (upgradeHeader === 'websocket') {
      const offered = (req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      const supported = [
        ...(hub.protocols.tunnel ? [TUNNEL_PROTOCOL] : []),
        ...(hub.protocols.websocket ? V4_PROTOCOLS : []),
      ];
      const chosen =
        offered.length === 0
          ? hub.protocols.websocket
            ? ''
            : undefined
          : offered.find((p) => supported.includes(p));
      if (chosen === undefined) {
        // What x/net/websocket (the kubelet's, behind an older API server) answers on a failed handshake.
        refuse(
          403,
          'Forbidden',
          `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`,
        );
        return;
      }
      let ports: number[] = [];
      if (chosen !== TUNNEL_PROTOCOL) {
        const parsed = parsePorts(url);
        if (typeof parsed === 'string') {
          refuse(400, 'Bad Request', parsed);
          return;
        }
        ports = parsed;
      }
      const problem = websocketRequestProblem(req);
      if (problem !== undefined) {
        refuse(400, 'Bad Request', problem);
        return;
      }
      if (chosen === TUNNEL_PROTOCOL) {
        // The tunnel is a byte stream: payloads are streamed, never reassembled into messages.
        hub.counters.upgrades.tunnel++;
        const ws = acceptWebSocket(req, socket, head, chosen, 'bytes');
        const pipe = new WebSocketByteStream(ws);
        pipe.on('error', () => pipe.destroy());
        if (hub.upstream !== undefined) {
          // As the API server does: the tunnel's bytes go to the kubelet's SPDY upgrade.
          pipe.once('close', () => ws.terminate());
          await hub.upstream.relay(pipe, namespace, name, () => {}).catch(() => ws.terminate());
          return;
        }
        serveSpdyPortForward(pipe, {
          dial,
          hub,
          label,
          finGraceMs: hub.finGraceMs,
          destroyTransport: () => ws.terminate(),
        });
        return;
      }
      hub.counters.upgrades.websocket++;
      const ws = acceptWebSocket(req, socket, head, chosen, 'messages');
      serveWebSocketV4(ws, { base64: chosen === 'v4.base64.channel.k8s.io', ports, dial, hub });
      return;
    }

    if (upgradeHeader === 'spdy/3.1') {
      const versions = ([] as string[])
        .concat(req.headers['x-stream-protocol-version'] ?? [])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '');
      if (!hub.protocols.spdy) {
        refuse(
          403,
          'Forbidden',
          `unable to upgrade: SPDY port-forwarding is not supported by this server (switched off in the simulated cluster)`,
          {
            'X-Accepted-Stream-Protocol-Versions': '',
          },
        );
        return;
      }
      if (versions.length === 0) {
        refuse(
          400,
          'Bad Request',
          'unable to upgrade: unable to negotiate protocol: X-Stream-Protocol-Version is required',
        );
        return;
      }
      if (!versions.includes('portforward.k8s.io')) {
        refuse(
          403,
          'Forbidden',
          `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server accepts ["portforward.k8s.io"]`,
          {
            'X-Accepted-Stream-Protocol-Versions': 'portforward.k8s.io',
          },
        );
        return;
      }
      if (hub.upstream !== undefined) {
        // The kubelet's own 101 is passed on, then the connection is spliced to it.
        hub.counters.upgrades.spdy++;
        if (head.length > 0) socket.unshift(head);
        await hub.upstream
          .relay(socket, namespace, name, (responseHead) => socket.write(responseHead))
          .catch((err: unknown) => {
            if (!socket.destroyed)
              rawResponse(socket, 502, 'Bad Gateway', err instanceof Error ? err.message : String(err));
          });
        return;
      }
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
      );
      hub.counters.upgrades.spdy++;
      if (head.length > 0) socket.unshift(head);
      serveSpdyPortForward(socket, { dial, hub, label, finGraceMs: hub.finGraceMs });
      return;
    }
    rawResponse(
      socket,
      400,
      'Bad Request',
      JSON.stringify(statusBody(400, 'BadRequest', `unsupported upgrade "${upgradeHeader}"`)),
    );
  }
}
