// The fault controls of the simulated cluster (SimControl), used in-process by tests and over HTTP
// (control-server.ts) by `kubefwd sim` users and out-of-process tests.
import { parseAllDocuments } from 'yaml';
import type { KPod } from '../contract/kube.js';
import type { KObj, ObjectStore } from './api/store.js';
import { RESOURCES, resourceByKind } from './api/resources.js';
import type { ResourceType } from './api/resources.js';
import type { SimApiServer } from './api/server.js';
import type { Authorizer } from './api/auth.js';
import { isPodReady } from './workload/endpoints.js';
import type { SimWorkloads } from './workload/cluster.js';
import type { BackendSpec } from './workload/backends.js';
import { parseBackendSpec } from './workload/backends.js';
import type { Counters, PortForwardHub } from './portforward/hub.js';

export type ProtocolSwitches = { tunnel?: boolean; spdy?: boolean; websocket?: boolean };

export interface SimControl {
  /** Create or replace the objects of a (multi-document) YAML or JSON manifest. */
  apply(yaml: string): Promise<void>;
  deleteObject(kind: string, namespace: string, name: string): Promise<void>;
  /** Delete a pod gracefully and wait until it is gone (a workload's controller replaces it). */
  deletePod(namespace: string, name: string): Promise<void>;
  setPodReady(namespace: string, name: string, ready: boolean): void;
  setBackend(namespace: string, pod: string, backend: BackendSpec, container?: string): Promise<void>;
  /** Destroy every open port-forward connection; returns how many. */
  cutStreams(): number;
  /** GOAWAY on every SPDY port-forward connection (streams in flight continue); returns how many. */
  goAway(): Promise<number>;
  /** Added to every port-forward read/write (and upgrade). */
  setLatency(ms: number): void;
  /** The next `count` port-forward upgrades get 429 with `Retry-After: retryAfterSeconds` (a busy server). */
  throttleUpgrades(count: number, retryAfterSeconds: number): void;
  setProtocols(p: ProtocolSwitches): void;
  /** SelfSubjectAccessReview says no, and the real call gets 403. */
  denyPermission(p: { verb: string; resource: string; namespace?: string }): void;
  /** Undo every denyPermission(). */
  allowAll(): void;
  /** How many SelfSubjectAccessReviews the API server has answered. */
  accessReviews(): number;
  /** Drop every watch/HTTP/port-forward connection and refuse for a moment; objects stay. */
  restartApi(): Promise<void>;
  /** Forget watch history (etcd compaction): watches from an older resourceVersion get 410. */
  compact(): void;
  pods(namespace: string): KPod[];
  waitForPodsReady(namespace: string, selector?: Record<string, string>, timeoutMs?: number): Promise<KPod[]>;
  counters(): Counters;
}

export interface ControlDeps {
  store: ObjectStore;
  workloads: SimWorkloads;
  api: SimApiServer;
  hub: PortForwardHub;
  authz: Authorizer;
  restartPauseMs: number;
}

/** Find a resource type by kind, plural or short name, case-insensitively ("Pod", "pods", "svc"). */
export function resourceFor(kind: string): ResourceType | undefined {
  const k = kind.toLowerCase();
  return RESOURCES.find(
    (r) => r.kind.toLowerCase() === k || r.name === k || r.singular === k || r.shortNames?.includes(k),
  );
}

/** Parse a multi-document YAML/JSON manifest into objects (List kinds are flattened). */
export function parseManifests(text: string): KObj[] {
  const out: KObj[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`);
    const v = doc.toJSON() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v))
      throw new Error('a manifest document must be an object with apiVersion and kind');
    const o = v as KObj & { items?: KObj[] };
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) out.push(...o.items);
    else out.push(o);
  }
  return out;
}

// Long as a table: one fault control per entry.
export function createControl(d: ControlDeps): SimControl {
  const applyOne = (o: KObj): void => {
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string')
      throw new Error(`manifest object ${JSON.stringify(o.metadata?.name ?? '')} lacks apiVersion or kind`);
    const r = resourceByKind(o.apiVersion, o.kind);
    if (!r || r.virtual)
      throw new Error(`the simulated cluster does not serve kind "${o.kind}" (${o.apiVersion})`);
    const ns = r.namespaced ? (o.metadata?.namespace ?? 'default') : undefined;
    if (ns !== undefined && !d.store.get('namespaces', undefined, ns))
      d.store.create(
        'namespaces',
        d.api.objects.admitNew(
          resourceFor('Namespace')!,
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          undefined,
        ),
      );
    const existing = o.metadata?.name ? d.store.get(r.name, ns, o.metadata.name) : undefined;
    if (existing) d.store.update(r.name, d.api.objects.admitReplace(r, o, ns, existing));
    else d.store.create(r.name, d.api.objects.admitNew(r, o, ns));
  };

  const waitForPodsReady = async (
    namespace: string,
    selector?: Record<string, string>,
    timeoutMs = 15_000,
  ): Promise<KPod[]> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const pods = d.workloads.podsMatching(namespace, selector);
      const workloadsSettled = ['deployments', 'statefulsets'].every((res) =>
        d.store.list(res, namespace).every((w) => {
          const labels =
            (w.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata
              ?.labels ?? {};
          if (selector && !Object.entries(selector).every(([k, v]) => labels[k] === v)) return true;
          const want = (w.spec as { replicas?: number }).replicas ?? 1;
          const owned = pods.filter((p) =>
            ((p.metadata.ownerReferences as { uid?: string; name?: string }[] | undefined) ?? []).some(
              (r) =>
                r.uid === w.metadata.uid ||
                (res === 'deployments' && r.name?.startsWith(`${w.metadata.name}-`)),
            ),
          );
          return owned.length === want;
        }),
      );
      if (
        workloadsSettled &&
        pods.length > 0 &&
        pods.every((p) => isPodReady(p) && p.metadata.deletionTimestamp === undefined)
      )
        return pods as unknown as KPod[];
      if (Date.now() > until)
        throw new Error(
          `pods in namespace ${namespace}${selector ? ` matching ${JSON.stringify(selector)}` : ''} not ready after ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  return {
    apply: async (yaml) => {
      const objs = parseManifests(yaml);
      // Namespaces first, as kubectl's ordering does.
      objs.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
      for (const o of objs) applyOne(o);
      await new Promise((r) => setImmediate(r));
    },
    deleteObject: async (kind, namespace, name) => {
      const r = resourceFor(kind);
      if (!r) throw new Error(`unknown kind "${kind}"`);
      const ns = r.namespaced ? namespace : undefined;
      if (!d.store.get(r.name, ns, name))
        throw new Error(`${r.name} "${name}" not found in namespace "${namespace}"`);
      if (r.name === 'pods') {
        await d.workloads.deletePod(namespace, name).done;
        return;
      }
      d.api.objects.deleteObject(r, ns, name);
      await new Promise((r) => setImmediate(r));
    },
    deletePod: async (namespace, name) => {
      await d.workloads.deletePod(namespace, name).done;
    },
    setPodReady: (namespace, name, ready) => d.workloads.setPodReady(namespace, name, ready),
    setBackend: async (namespace, pod, backend, container) =>
      d.workloads.setBackend(namespace, pod, parseBackendSpec(backend), container),
    cutStreams: () => d.hub.cutAll(),
    goAway: () => d.hub.goAwayAll(),
    setLatency: (ms) => {
      d.hub.latencyMs = Math.max(0, ms);
    },
    throttleUpgrades: (count, retryAfterSeconds) => {
      d.hub.throttle = { remaining: Math.max(0, count), retryAfterSeconds: Math.max(0, retryAfterSeconds) };
    },
    setProtocols: (p) => {
      for (const k of ['tunnel', 'spdy', 'websocket'] as const)
        if (p[k] !== undefined) d.hub.protocols[k] = p[k];
    },
    denyPermission: (p) => d.authz.deny(p),
    allowAll: () => d.authz.clear(),
    accessReviews: () => d.authz.reviews,
    restartApi: async () => d.api.restart(d.restartPauseMs),
    compact: () => d.store.compact(),
    pods: (namespace) => d.store.list('pods', namespace) as unknown as KPod[],
    waitForPodsReady,
    counters: () => structuredClone(d.hub.counters),
  };
}
