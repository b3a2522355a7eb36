// The simulated control plane and kubelet in one: after every change to the store, the workload
// controllers (controllers.ts), the endpoints controller and the kubelet (kubelet.ts) each make a
// pass, so API clients see the same watch events a real cluster produces. This file schedules
// those passes, deletes pods gracefully and namespaces completely, and keeps Events bounded.
import type net from 'node:net';
import type { KObj, ObjectStore, StoreEvent } from '../api/store.js';
import { matchesMap } from '../api/selectors.js';
import type { BackendSpec } from './backends.js';
import {
  collectGarbage,
  reconcileDeployments,
  reconcileReplicaSets,
  reconcileStatefulSets,
  reconcileWorkloadStatuses,
} from './controllers.js';
import { reconcileEndpoints } from './endpoints-controller.js';
import { recordEvent } from './events.js';
import { Kubelet, type PodRuntime } from './kubelet.js';
import type { ContainerLog } from './logs.js';
import { timestamp } from './owners.js';

export { ForwardError } from './kubelet.js';

export interface ClusterOptions {
  readyDelayMs: number;
  /** How long a deleted pod stays Terminating before it is removed. */
  terminationDelayMs: number;
}

/** Most Events kept at once (oldest deleted first). */
const EVENT_CAP = 2000;

/** What a namespace's deletion removes before the namespace itself. */
const NAMESPACED = [
  'deployments',
  'statefulsets',
  'replicasets',
  'services',
  'endpoints',
  'endpointslices',
  'pods',
  'events',
  'configmaps',
  'secrets',
  'serviceaccounts',
];

export class SimWorkloads {
  private readonly kubelet: Kubelet;
  private readonly deletions = new Map<string, { timer: NodeJS.Timeout; waiters: (() => void)[] }>();
  private scheduled = false;
  private readonly eventKeys: [string, string][] = [];
  private trimming = false;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: ClusterOptions,
  ) {
    this.kubelet = new Kubelet(store, opts.readyDelayMs);
    this.unsubscribe = store.subscribe((e) => this.onChange(e));
  }

  private onChange(e: StoreEvent): void {
    if (e.resource === 'events') {
      // Keep Events bounded (a real cluster expires them after an hour) so long runs do not grow.
      if (e.type === 'ADDED')
        this.eventKeys.push([e.object.metadata.namespace ?? '', e.object.metadata.name]);
      if (this.eventKeys.length > EVENT_CAP && !this.trimming) {
        this.trimming = true;
        setImmediate(() => this.trimEvents());
      }
      return;
    }
    if (e.resource === 'namespaces' && e.type === 'MODIFIED') {
      const phase = (e.object.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Terminating') setImmediate(() => this.finishNamespace(e.object.metadata.name));
    }
    this.schedule();
  }

  private trimEvents(): void {
    this.trimming = false;
    if (this.stopped) return;
    while (this.eventKeys.length > EVENT_CAP) {
      const [ns, name] = this.eventKeys.shift()!;
      if (this.store.get('events', ns, name)) this.store.delete('events', ns, name);
    }
  }

  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.reconcile();
    });
  }

  // ---- queries and actions of the API server and the control handle (the kubelet's) ----

  podRuntime(namespace: string, name: string): PodRuntime | undefined {
    return this.kubelet.podRuntime(namespace, name);
  }

  containerLog(namespace: string, pod: string, container: string): ContainerLog | undefined {
    return this.kubelet.containerLog(namespace, pod, container);
  }

  /** Open a TCP connection to a pod's port, as the kubelet's port-forward does, or throw its error text. */
  dial(namespace: string, podName: string, port: number): Promise<net.Socket> {
    return this.kubelet.dial(namespace, podName, port);
  }

  setBackend(namespace: string, podName: string, spec: BackendSpec, container?: string): Promise<void> {
    return this.kubelet.setBackend(namespace, podName, spec, container);
  }

  setPodReady(namespace: string, podName: string, ready: boolean): void {
    this.kubelet.setPodReady(namespace, podName, ready);
  }

  /** Pods (current store view) that match a selector map in a namespace. */
  podsMatching(namespace: string, selector?: Record<string, string>): KObj[] {
    return this.store
      .list('pods', namespace)
      .filter((p) => !selector || matchesMap(selector, p.metadata.labels));
  }

  /** Graceful deletion: Terminating (deletionTimestamp, not ready) now, removed after the delay. */
  deletePod(namespace: string, name: string): { object: KObj; done: Promise<void> } {
    const pod = this.store.get('pods', namespace, name);
    if (!pod) throw new Error(`pod ${namespace}/${name} not found`);
    const key = `${namespace}/${name}/${pod.metadata.uid ?? ''}`;
    const existing = this.deletions.get(key);
    if (existing) return { object: pod, done: new Promise((r) => existing.waiters.push(r)) };
    const entry = { timer: undefined as unknown as NodeJS.Timeout, waiters: [] as (() => void)[] };
    const done = new Promise<void>((r) => entry.waiters.push(r));
    const updated =
      this.store.mutate('pods', namespace, name, (p) => {
        p.metadata.deletionTimestamp = timestamp();
        p.metadata.deletionGracePeriodSeconds = 30;
        const status = (p.status ??= {}) as { conditions?: { type: string; status: string }[] };
        for (const c of status.conditions ?? [])
          if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'False';
      }) ?? pod;
    const rt = this.kubelet.runtimeOf(pod.metadata.uid ?? '');
    for (const c of rt?.containers.values() ?? [])
      recordEvent(this.store, updated, {
        reason: 'Killing',
        message: `Stopping container ${c.name}`,
        component: 'kubelet',
      });
    entry.timer = setTimeout(() => {
      this.deletions.delete(key);
      const cur = this.store.get('pods', namespace, name);
      if (cur && cur.metadata.uid === pod.metadata.uid) this.store.delete('pods', namespace, name);
      for (const w of entry.waiters) w();
    }, this.opts.terminationDelayMs);
    this.deletions.set(key, entry);
    return { object: updated, done };
  }

  /** Namespace deletion: remove everything in it, then the namespace itself. */
  private finishNamespace(name: string): void {
    for (const res of NAMESPACED)
      for (const o of this.store.list(res, name)) deleteIfThere(this.store, res, name, o.metadata.name);
    deleteIfThere(this.store, 'namespaces', undefined, name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    for (const d of this.deletions.values()) {
      clearTimeout(d.timer);
      for (const w of d.waiters) w();
    }
    this.deletions.clear();
    await this.kubelet.stop();
  }

  private reconcile(): void {
    const deletePod = (namespace: string, name: string): void => void this.deletePod(namespace, name);
    reconcileDeployments(this.store);
    reconcileReplicaSets(this.store, deletePod);
    reconcileStatefulSets(this.store, deletePod);
    collectGarbage(this.store, deletePod);
    this.kubelet.sync();
    reconcileEndpoints(this.store);
    reconcileWorkloadStatuses(this.store);
  }
}

const deleteIfThere = (
  store: ObjectStore,
  resource: string,
  namespace: string | undefined,
  name: string,
): void => {
  try {
    store.delete(resource, namespace, name);
  } catch {
    // already gone
  }
};
