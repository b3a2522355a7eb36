// The simulated Kubernetes API server: HTTPS, bearer-token (or client-certificate) auth, discovery,
// CRUD + list/watch on the resources of resources.ts, pod logs, SelfSubjectAccessReview, and the
// port-forward upgrade (portforward-upgrade.ts). This file routes a request to its handler; the
// pieces (paths, paging, scale, admission and deletion) live beside it.
import https from 'node:https';
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { ObjectStore, KObj } from './store.js';
import { StoreError } from './store.js';
import { supportedFields, groupVersion } from './resources.js';
import type { ResourceType } from './resources.js';
import { alreadyExists, ApiError, notFound, rawResponse, sendError, sendJson, statusBody } from './status.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { apiGroupList, apiVersions, SIM_VERSION } from './discovery.js';
import { SelectorError, parseFieldSelector, parseLabelSelector } from '../../domain/selectors.js';
import { fieldMatcher, matchesLabels } from './selectors.js';
import { serveWatch } from './watch.js';
import { serveLogs } from './logs.js';
import { toTable, wantsTable } from './tables.js';
import type { IncludeObject } from './tables.js';
import type { Authorizer } from './auth.js';
import { authenticated } from './auth.js';
import { applyJsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { canonicalJson } from './canonical-json.js';
import type { SimWorkloads } from '../workload/cluster.js';
import type { PortForwardHub } from '../portforward/hub.js';
import { CA_CERT, SERVER_CERT, SERVER_KEY } from '../tls.js';
import { reviewAccess } from './access-review.js';
import { whoAmI } from './whoami.js';
import { listPage } from './list-page.js';
import { APPLY_PATCH_MEDIA_TYPE, AppliedConfigs, readAppliedConfig } from './apply.js';
import { ObjectLifecycle } from './object-lifecycle.js';
import { KubernetesProtobufDecoder } from './protobuf/decode.js';
import { servePortForwardUpgrade } from './portforward-upgrade.js';
import {
  methodNotAllowed,
  noSuchResource,
  orNoSuchResource,
  parseJson,
  readBody,
  readObject,
  decodeObject,
  isDryRun,
  mediaTypeOf,
  nameMismatch,
  timeoutParam,
} from './requests.js';
import { requestedReplicas, SCALABLE, scaleView } from './scale.js';
import { routePath, type Target } from './target.js';

export { parseTarget } from './target.js';

export interface ApiServerDeps {
  store: ObjectStore;
  workloads: SimWorkloads;
  hub: PortForwardHub;
  authz: Authorizer;
  token: string;
  bookmarkIntervalMs: number;
}

/** One resource request, routed: what it targets and how it was asked. */
interface ResourceRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  t: Target;
  q: URLSearchParams;
  watch: boolean;
  /** `resource` or `resource/subresource`, as RBAC names it. */
  resName: string;
  /** The Table view the client asked for (kubectl get), if any. */
  table: IncludeObject | undefined;
}

export class SimApiServer {
  readonly server: https.Server;
  /** Admission and deletion, shared with the control handle. */
  readonly objects: ObjectLifecycle;
  private readonly sockets = new Set<net.Socket>();
  private readonly protobuf = new KubernetesProtobufDecoder();
  private readonly applied = new AppliedConfigs();
  private port = 0;
  private refusing = false;

  constructor(private readonly d: ApiServerDeps) {
    this.objects = new ObjectLifecycle(d.store, d.workloads);
    this.server = https.createServer({
      cert: SERVER_CERT,
      key: SERVER_KEY,
      ca: CA_CERT,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.keepAliveTimeout = 30_000;
    const track = (s: net.Socket): void => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server.on('connection', track);
    this.server.on('secureConnection', track);
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
    if (['/healthz', '/livez', '/readyz'].includes(path)) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/version') return sendJson(res, 200, SIM_VERSION);
    if (!authenticated(req, this.d.token)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    if (path === '/api') return sendJson(res, 200, apiVersions(`127.0.0.1:${this.port}`));
    if (path === '/apis') return sendJson(res, 200, apiGroupList());
    if (path === '/openapi/v3') return sendJson(res, 200, openApiRoot());
    if (path.startsWith('/openapi/v3/'))
      return sendJson(res, 200, orNoSuchResource(openApiGroupVersion(path.slice('/openapi/v3/'.length))));
    const route = routePath(path);
    if ('doc' in route) return sendJson(res, 200, route.doc);
    const { target: t, legacyWatch } = route;
    const q = url.searchParams;
    const sub = t.subresource;
    await this.dispatch({
      req,
      res,
      method: req.method ?? 'GET',
      t,
      q,
      watch: legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1',
      resName: sub ? `${t.resource.name}/${sub}` : t.resource.name,
      table: wantsTable(req.headers.accept)
        ? ((q.get('includeObject') as IncludeObject | null) ?? 'Metadata')
        : undefined,
    });
  }

  /** One branch per kind of API request, as the real API server routes them. */
  private async dispatch(rq: ResourceRequest): Promise<void> {
    const { req, res, method, t } = rq;
    const r = t.resource;
    const sub = t.subresource;
    if (r.virtual) {
      if (method !== 'POST' || t.name !== undefined) throw methodNotAllowed();
      const body = await readObject(req, this.protobuf);
      return sendJson(
        res,
        201,
        r.name === 'selfsubjectreviews' ? whoAmI() : reviewAccess(this.d.authz, body),
      );
    }
    if (sub === 'portforward') {
      this.authorize(method === 'POST' ? 'create' : 'get', t, rq.resName);
      throw new ApiError(400, 'BadRequest', 'Upgrade request required');
    }
    if (sub === 'scale' && SCALABLE.includes(r.name) && t.name !== undefined) return this.scale(rq);
    if (sub !== undefined && !(r.name === 'pods' && sub === 'log') && sub !== 'status')
      throw noSuchResource();
    if (method === 'GET') return t.name === undefined ? this.serveCollection(rq) : this.serveOne(rq);
    if (method === 'POST') return this.create(rq);
    if (method === 'PUT' || method === 'PATCH') return this.replace(rq);
    if (method === 'DELETE') return this.remove(rq);
    throw methodNotAllowed();
  }

  /** GET of a collection: a list (one page of it), or a watch. */
  private serveCollection({ req, res, t, q, watch, resName, table }: ResourceRequest): void {
    this.authorize(watch ? 'watch' : 'list', t, resName);
    const filter = this.filterFor(t.resource, q);
    if (!watch) return this.list(res, t, q, filter, table);
    serveWatch(req, res, this.d.store, {
      ...this.watchOptions(t, q, table),
      filter,
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
    });
  }

  /** GET of one object: the object (or its Table row), its log, or a watch of it alone. */
  private serveOne({ req, res, t, q, watch, resName, table }: ResourceRequest): void {
    if (watch) {
      // Watch of one object by path: same as fieldSelector=metadata.name=NAME.
      this.authorize('watch', t, resName);
      const base = this.filterFor(t.resource, q);
      const name = t.name;
      return serveWatch(req, res, this.d.store, {
        ...this.watchOptions(t, q, table),
        filter: (o) => o.metadata.name === name && base(o),
      });
    }
    this.authorize('get', t, resName);
    const obj = this.getOrThrow(t);
    if (t.subresource === 'log')
      return serveLogs(req, res, obj, q, (c) =>
        this.d.workloads.containerLog(t.namespace ?? '', t.name ?? '', c),
      );
    sendJson(
      res,
      200,
      table ? toTable(t.resource.kind, [obj], obj.metadata.resourceVersion ?? '', table) : obj,
    );
  }

  private watchOptions(t: Target, q: URLSearchParams, table: IncludeObject | undefined) {
    return {
      resource: t.resource,
      ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
      ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
      ...timeoutParam(q),
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: this.d.bookmarkIntervalMs,
      ...(table ? { table } : {}),
    };
  }

  private async create({ req, res, t, q, resName }: ResourceRequest): Promise<void> {
    if (t.name !== undefined) throw methodNotAllowed();
    this.authorize('create', t, resName);
    const obj = this.objects.admitNew(t.resource, await readObject(req, this.protobuf), t.namespace);
    sendJson(res, 201, this.storeNew(t.resource, obj, isDryRun(q)));
  }

  /** A new object stored (or, dry run, checked), AlreadyExists named as the API server names it. */
  private storeNew(r: ResourceType, obj: KObj, dryRun: boolean): KObj {
    try {
      return this.d.store.create(r.name, obj, { dryRun });
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'AlreadyExists')
        throw alreadyExists(r.name, obj.metadata.name, r.group);
      throw err;
    }
  }

  /** Server-side apply: create when absent, else merge (apply.ts). */
  private async serverSideApply({ req, res, t, q, resName }: ResourceRequest): Promise<void> {
    const r = t.resource;
    const name = t.name ?? '';
    const manager = q.get('fieldManager') ?? '';
    if (manager === '')
      throw new ApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    const config = readAppliedConfig(await readBody(req), name, r.kind);
    const dryRun = isDryRun(q);
    const existing = this.d.store.get(r.name, t.namespace, name);
    if (!existing) {
      this.authorize('create', t, resName);
      const stored = this.storeNew(r, this.objects.admitNew(r, config, t.namespace), dryRun);
      if (!dryRun) this.applied.remember(stored, config, manager);
      return sendJson(res, 201, stored);
    }
    this.authorize('patch', t, resName);
    const next = this.applied.merge(existing, config, manager);
    const stored = this.storeUpdate(
      r,
      this.objects.admitReplace(r, next, t.namespace, existing),
      existing,
      dryRun,
    );
    if (!dryRun) this.applied.remember(stored, config, manager);
    sendJson(res, 200, stored);
  }

  /** PUT (whole object, optimistic on resourceVersion) or PATCH (JSON or merge patch, or an apply). */
  private async replace(rq: ResourceRequest): Promise<void> {
    const { req, res, method, t, q, resName } = rq;
    const r = t.resource;
    if (t.name === undefined) throw methodNotAllowed();
    if (method === 'PATCH' && mediaTypeOf(req) === APPLY_PATCH_MEDIA_TYPE && t.subresource === undefined)
      return this.serverSideApply(rq);
    this.authorize(method === 'PUT' ? 'update' : 'patch', t, resName);
    const existing = this.getOrThrow(t);
    const body = await readBody(req);
    const next =
      method === 'PUT'
        ? (decodeObject(req, body, this.protobuf) as KObj)
        : patched(req, existing, parseJson(body));
    if (next?.metadata?.name !== undefined && next.metadata.name !== t.name)
      throw nameMismatch(next.metadata.name, t.name);
    const wantRv = next?.metadata?.resourceVersion;
    if (method === 'PUT' && wantRv && wantRv !== existing.metadata.resourceVersion)
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${r.name}${r.group ? `.${r.group}` : ''} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    const admitted =
      t.subresource === 'status'
        ? { ...existing, status: (next as { status?: unknown }).status }
        : this.objects.admitReplace(
            r,
            { ...next, metadata: { ...next.metadata, name: t.name } },
            t.namespace,
            existing,
          );
    sendJson(res, 200, this.storeUpdate(r, admitted, existing, isDryRun(q)));
  }

  /** An admitted update stored (or, dry run, only answered). */
  private storeUpdate(r: ResourceType, admitted: KObj, existing: KObj, dryRun: boolean): KObj {
    // A write that changes nothing is no write: same resourceVersion, no watch event (kubectl
    // patch then says "(no change)").
    if (unchanged(admitted, existing)) return existing;
    // A server-side dry run (kubectl diff, apply --dry-run=server) answers what would be stored.
    if (dryRun) {
      const { uid, creationTimestamp, resourceVersion } = existing.metadata;
      return { ...admitted, metadata: { ...admitted.metadata, uid, creationTimestamp, resourceVersion } };
    }
    return this.d.store.update(r.name, admitted);
  }

  /** DELETE of one object, or of every object a selector matches (deletecollection). */
  private async remove({ req, res, t, q, resName }: ResourceRequest): Promise<void> {
    const r = t.resource;
    const options = (await readObject(req, this.protobuf)) as
      { gracePeriodSeconds?: number; dryRun?: string[] } | undefined;
    const dryRun = isDryRun(q) || options?.dryRun?.includes('All') === true;
    if (options?.gracePeriodSeconds !== undefined)
      q.set('gracePeriodSeconds', String(options.gracePeriodSeconds));
    if (t.name === undefined) {
      this.authorize('deletecollection', t, resName);
      const items = this.d.store.list(r.name, t.namespace).filter(this.filterFor(r, q));
      if (!dryRun)
        for (const o of items) this.objects.deleteObject(r, o.metadata.namespace, o.metadata.name, q);
      return sendJson(res, 200, {
        kind: `${r.kind}List`,
        apiVersion: groupVersion(r),
        metadata: { resourceVersion: String(this.d.store.resourceVersion) },
        items,
      });
    }
    this.authorize('delete', t, resName);
    const existing = this.getOrThrow(t);
    sendJson(res, 200, dryRun ? existing : this.objects.deleteObject(r, t.namespace, t.name, q));
  }

  /** The scale subresource (`kubectl scale`): read or set spec.replicas through a Scale view. */
  private async scale({ req, res, method, t, q }: ResourceRequest): Promise<void> {
    const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : '';
    if (!verb) throw methodNotAllowed();
    this.authorize(verb, t, `${t.resource.name}/scale`);
    const existing = this.getOrThrow(t);
    if (method === 'GET') return sendJson(res, 200, scaleView(existing));
    const body = await readBody(req);
    const replicas = requestedReplicas(
      method,
      existing,
      method === 'PUT' ? decodeObject(req, body, this.protobuf) : parseJson(body),
    );
    const scaled = (o: KObj): void => {
      (o.spec as { replicas?: number }).replicas = replicas;
      o.metadata.generation = (o.metadata.generation ?? 1) + 1;
    };
    if (isDryRun(q)) {
      const preview = structuredClone(existing);
      scaled(preview);
      return sendJson(res, 200, scaleView(preview));
    }
    const updated = this.d.store.mutate(t.resource.name, t.namespace, t.name ?? '', scaled);
    sendJson(res, 200, scaleView(updated ?? existing));
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
    const rv = this.d.store.resourceVersion;
    const { items, next } = listPage(
      this.d.store.list(r.name, t.namespace).filter(filter),
      q,
      rv,
      (from) => this.d.store.since(from) === 'expired',
    );
    if (table)
      return sendJson(
        res,
        200,
        toTable(r.kind, items, String(rv), table, next ? { continue: next.continue } : {}),
      );
    const metadata = { resourceVersion: String(rv), ...next };
    sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata, items });
  }

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.refusing) {
      socket.destroy();
      return;
    }
    await servePortForwardUpgrade(
      {
        hub: this.d.hub,
        workloads: this.d.workloads,
        token: this.d.token,
        authorize: (verb, target, resourceName) => this.authorize(verb, target, resourceName),
        getOrThrow: (target) => this.getOrThrow(target),
      },
      req,
      socket,
      head,
    );
  }
}

/** Whether an admitted update equals the stored object but for what the store itself sets. */
const unchanged = (next: KObj, existing: KObj): boolean => {
  const { uid, creationTimestamp, resourceVersion } = existing.metadata;
  return (
    canonicalJson({ ...next, metadata: { ...next.metadata, uid, creationTimestamp, resourceVersion } }) ===
    canonicalJson(existing)
  );
};

/** A PATCH body applied to the object, by its content type. */
const patched = (req: http.IncomingMessage, existing: KObj, patch: unknown): KObj => {
  const ct = mediaTypeOf(req);
  if (ct === 'application/json-patch+json') return applyJsonPatch(existing, patch) as KObj;
  if (ct === 'application/merge-patch+json') return mergePatch(existing, patch) as KObj;
  if (ct === 'application/strategic-merge-patch+json') return strategicMergePatch(existing, patch) as KObj;
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
  );
};
