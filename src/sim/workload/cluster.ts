// The simulated control plane and kubelet in one: the ReplicaSet/Deployment/StatefulSet
// controllers, the endpoints controller, garbage collection, and a kubelet that "runs" each pod by
// starting real backend sockets after a delay and reporting status. Every change goes through the
// store, so API clients see the same watch events a real cluster produces.
import net from 'node:net';
import { createHash } from 'node:crypto';
import type { KObj, ObjectStore, StoreEvent } from '../api/store.js';
import { matchesMap } from '../api/selectors.js';
import { ContainerLog } from './logs.js';
import { chooseBackend, startBackend } from './backends.js';
import type { BackendSpec, RunningBackend } from './backends.js';
import { computeEndpointSubsets, isPodReady } from './endpoints.js';
import { NODE_NAME, recordEvent } from './events.js';
import { randomSuffix, templateHash } from './names.js';

export interface ClusterOptions {
  readyDelayMs: number;
  /** How long a deleted pod stays Terminating before it is removed. */
  terminationDelayMs: number;
}

interface ContainerRuntime {
  name: string;
  image: string | undefined;
  tcpPorts: number[];
  log: ContainerLog;
  backend?: RunningBackend;
  spec: BackendSpec;
}

interface PodRuntime {
  uid: string;
  namespace: string;
  name: string;
  sandboxId: string;
  containers: Map<string, ContainerRuntime>;
  running: boolean;
  gone: boolean;
  forcedReady?: boolean;
  timer?: NodeJS.Timeout;
  connections: Set<net.Socket>;
}

interface Owner {
  kind: string;
  name: string;
  uid: string;
  apiVersion: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

const ts = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const controllerOf = (o: KObj): Owner | undefined =>
  ((o.metadata.ownerReferences as Owner[] | undefined) ?? []).find((r) => r.controller);

const ownerRef = (o: KObj): Owner => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** Most Events kept at once (oldest deleted first). */
const EVENT_CAP = 2000;

/** The error text a kubelet writes on the port-forward error stream. */
export class ForwardError extends Error {}

export class SimWorkloads {
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly deletions = new Map<string, { timer: NodeJS.Timeout; waiters: (() => void)[] }>();
  private scheduled = false;
  private readonly eventKeys: [string, string][] = [];
  private trimming = false;
  private stopped = false;
  private nextIp = 10;
  private readonly unsubscribe: () => void;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: ClusterOptions,
  ) {
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

  // ---- queries used by the API server and the control handle ----

  podRuntime(namespace: string, name: string): PodRuntime | undefined {
    for (const r of this.runtimes.values())
      if (r.namespace === namespace && r.name === name && !r.gone) return r;
    return undefined;
  }

  containerLog(namespace: string, pod: string, container: string): ContainerLog | undefined {
    return this.podRuntime(namespace, pod)?.containers.get(container)?.log;
  }

  /** Open a TCP connection to a pod's port, as the kubelet's port-forward does, or throw its error text. */
  async dial(namespace: string, podName: string, port: number): Promise<net.Socket> {
    const rt = this.podRuntime(namespace, podName);
    const pod = this.store.get('pods', namespace, podName);
    const sandbox = rt?.sandboxId ?? createHash('sha256').update(`${namespace}/${podName}`).digest('hex');
    const prefix = `error forwarding port ${port} to pod ${sandbox}, uid : `;
    if (!rt || !pod)
      throw new ForwardError(`${prefix}failed to find sandbox "${sandbox}" in store: not found`);
    if (!rt.running)
      throw new ForwardError(
        `${prefix}container not running (pod ${namespace}/${podName} is not running yet)`,
      );
    let target: { host: string; port: number } | undefined;
    for (const c of rt.containers.values()) target ??= c.backend?.target(port);
    const refused = `${prefix}failed to execute portforward in network namespace "/var/run/netns/cni-${sandbox.slice(0, 8)}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
    if (!target) throw new ForwardError(refused);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(target.port, target.host);
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', () => reject(new ForwardError(refused)));
    });
    if (rt.gone) {
      socket.destroy();
      throw new ForwardError(refused);
    }
    rt.connections.add(socket);
    socket.on('close', () => rt.connections.delete(socket));
    return socket;
  }

  async setBackend(namespace: string, podName: string, spec: BackendSpec, container?: string): Promise<void> {
    const rt = this.podRuntime(namespace, podName);
    if (!rt) throw new Error(`pod ${namespace}/${podName} not found`);
    const targets = [...rt.containers.values()].filter(
      (c) => container === undefined || c.name === container,
    );
    if (targets.length === 0) throw new Error(`container ${container ?? ''} is not valid for pod ${podName}`);
    for (const c of targets) {
      c.spec = spec;
      if (!rt.running) continue;
      const old = c.backend;
      delete c.backend;
      await old?.close();
      c.backend = await startBackend(spec, this.backendContext(rt, c), c.tcpPorts);
      c.log.append(`[sim] backend switched to ${spec}`);
    }
  }

  setPodReady(namespace: string, podName: string, ready: boolean): void {
    const rt = this.podRuntime(namespace, podName);
    if (!rt) throw new Error(`pod ${namespace}/${podName} not found`);
    rt.forcedReady = ready;
    if (rt.running) this.writeRunningStatus(rt);
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
        p.metadata.deletionTimestamp = ts();
        p.metadata.deletionGracePeriodSeconds = 30;
        const status = (p.status ??= {}) as { conditions?: { type: string; status: string }[] };
        for (const c of status.conditions ?? [])
          if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'False';
      }) ?? pod;
    const rt = this.runtimes.get(pod.metadata.uid ?? '');
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
    for (const res of [
      'deployments',
      'statefulsets',
      'replicasets',
      'services',
      'endpoints',
      'pods',
      'events',
      'configmaps',
      'secrets',
      'serviceaccounts',
    ]) {
      for (const o of this.store.list(res, name)) {
        try {
          this.store.delete(res, name, o.metadata.name);
        } catch {
          // already gone
        }
      }
    }
    try {
      this.store.delete('namespaces', undefined, name);
    } catch {
      // already gone
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    for (const d of this.deletions.values()) {
      clearTimeout(d.timer);
      for (const w of d.waiters) w();
    }
    this.deletions.clear();
    await this.pending.catch(() => {});
    await Promise.all([...this.runtimes.values()].map((r) => this.teardown(r)));
    this.runtimes.clear();
  }

  // ---- reconcile ----

  private reconcile(): void {
    this.reconcileDeployments();
    this.reconcileReplicaSets();
    this.reconcileStatefulSets();
    this.collectGarbage();
    this.runKubelet();
    this.reconcileEndpoints();
    this.reconcileStatuses();
  }

  private createPod(
    owner: KObj,
    name: string,
    template: PodTemplate,
    extraLabels: Record<string, string>,
    extraSpec: Record<string, unknown>,
    component: string,
    message: string,
  ): void {
    const ns = owner.metadata.namespace ?? 'default';
    if (this.store.get('pods', ns, name)) return;
    const pod: KObj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [ownerRef(owner)],
      },
      spec: structuredClone({ ...(template.spec ?? {}), ...extraSpec }),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
    if (owner.kind === 'ReplicaSet') pod.metadata.generateName = `${owner.metadata.name}-`;
    this.store.create('pods', pod);
    recordEvent(this.store, owner, {
      reason: 'SuccessfulCreate',
      message: message.replace('%s', name),
      component,
    });
  }

  private ownedPods(owner: KObj): KObj[] {
    return this.store
      .list('pods', owner.metadata.namespace)
      .filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
  }

  private reconcileDeployments(): void {
    for (const d of this.store.list('deployments')) {
      if (d.metadata.deletionTimestamp !== undefined) continue;
      const spec = d.spec as { replicas?: number; template?: PodTemplate; selector?: unknown };
      const hash = templateHash(spec.template);
      const rsName = `${d.metadata.name}-${hash}`;
      const ns = d.metadata.namespace;
      const owned = this.store.list('replicasets', ns).filter((r) => controllerOf(r)?.uid === d.metadata.uid);
      for (const old of owned.filter((r) => r.metadata.name !== rsName))
        this.store.delete('replicasets', ns, old.metadata.name);
      const replicas = spec.replicas ?? 1;
      const current = owned.find((r) => r.metadata.name === rsName);
      const template: PodTemplate = structuredClone(spec.template ?? {});
      template.metadata = {
        ...(template.metadata ?? {}),
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      };
      if (!current) {
        this.store.create('replicasets', {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: rsName,
            namespace: ns,
            labels: { ...(template.metadata.labels ?? {}) },
            annotations: {
              'deployment.kubernetes.io/revision': '1',
              'deployment.kubernetes.io/desired-replicas': String(replicas),
            },
            ownerReferences: [ownerRef(d)],
          },
          spec: { replicas, selector: spec.selector, template },
          status: { replicas: 0 },
        });
        recordEvent(this.store, d, {
          reason: 'ScalingReplicaSet',
          message: `Scaled up replica set ${rsName} from 0 to ${replicas}`,
          component: 'deployment-controller',
        });
      } else if ((current.spec as { replicas?: number }).replicas !== replicas) {
        this.store.mutate('replicasets', ns, rsName, (r) => {
          (r.spec as { replicas?: number }).replicas = replicas;
        });
      }
    }
  }

  private reconcileReplicaSets(): void {
    for (const rs of this.store.list('replicasets')) {
      const spec = rs.spec as { replicas?: number; template?: PodTemplate };
      const replicas = spec.replicas ?? 1;
      const pods = this.ownedPods(rs).filter((p) => p.metadata.deletionTimestamp === undefined);
      for (let i = pods.length; i < replicas; i++) {
        let name = `${rs.metadata.name}-${randomSuffix()}`;
        while (this.store.get('pods', rs.metadata.namespace, name))
          name = `${rs.metadata.name}-${randomSuffix()}`;
        this.createPod(rs, name, spec.template ?? {}, {}, {}, 'replicaset-controller', 'Created pod: %s');
      }
      if (pods.length > replicas) {
        const extra = pods
          .sort((a, b) =>
            (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
          )
          .slice(0, pods.length - replicas);
        for (const p of extra) {
          this.deletePod(p.metadata.namespace ?? '', p.metadata.name);
          recordEvent(this.store, rs, {
            reason: 'SuccessfulDelete',
            message: `Deleted pod: ${p.metadata.name}`,
            component: 'replicaset-controller',
          });
        }
      }
    }
  }

  private reconcileStatefulSets(): void {
    for (const s of this.store.list('statefulsets')) {
      const spec = s.spec as { replicas?: number; template?: PodTemplate; serviceName?: string };
      const replicas = spec.replicas ?? 1;
      const ns = s.metadata.namespace;
      const revision = `${s.metadata.name}-${templateHash(spec.template)}`;
      for (let i = 0; i < replicas; i++) {
        const name = `${s.metadata.name}-${i}`;
        if (this.store.get('pods', ns, name)) continue;
        this.createPod(
          s,
          name,
          spec.template ?? {},
          {
            'statefulset.kubernetes.io/pod-name': name,
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': revision,
          },
          { hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
          'statefulset-controller',
          `create Pod %s in StatefulSet ${s.metadata.name} successful`,
        );
      }
      for (const p of this.ownedPods(s)) {
        const m = /-(\d+)$/.exec(p.metadata.name);
        if (m && Number(m[1]) >= replicas && p.metadata.deletionTimestamp === undefined) {
          this.deletePod(ns ?? '', p.metadata.name);
          recordEvent(this.store, s, {
            reason: 'SuccessfulDelete',
            message: `delete Pod ${p.metadata.name} in StatefulSet ${s.metadata.name} successful`,
            component: 'statefulset-controller',
          });
        }
      }
    }
  }

  /** Owned objects whose controller is gone are deleted (foreground GC, simplified). */
  private collectGarbage(): void {
    const alive = new Set<string>();
    for (const r of ['deployments', 'replicasets', 'statefulsets'])
      for (const o of this.store.list(r)) alive.add(o.metadata.uid ?? '');
    for (const rs of this.store.list('replicasets')) {
      const owner = controllerOf(rs);
      if (owner && !alive.has(owner.uid))
        this.store.delete('replicasets', rs.metadata.namespace, rs.metadata.name);
    }
    for (const p of this.store.list('pods')) {
      const owner = controllerOf(p);
      if (
        owner &&
        !alive.has(owner.uid) &&
        p.metadata.deletionTimestamp === undefined &&
        owner.kind !== 'Node'
      )
        this.deletePod(p.metadata.namespace ?? '', p.metadata.name);
    }
    // Endpoints of a deleted selector Service go with it.
    for (const ep of this.store.list('endpoints')) {
      const managed = ep.metadata.labels?.['endpoints.kubernetes.io/managed-by'] === 'endpoint-controller';
      if (managed && !this.store.get('services', ep.metadata.namespace, ep.metadata.name))
        this.store.delete('endpoints', ep.metadata.namespace, ep.metadata.name);
    }
  }

  private runKubelet(): void {
    const seen = new Set<string>();
    const fresh: KObj[] = [];
    for (const pod of this.store.scan('pods')) {
      const uid = pod.metadata.uid ?? '';
      seen.add(uid);
      if (!this.runtimes.has(uid)) fresh.push(structuredClone(pod));
    }
    for (const pod of fresh) this.admit(pod);
    for (const rt of [...this.runtimes.values()]) {
      if (!seen.has(rt.uid)) {
        this.runtimes.delete(rt.uid);
        this.track(this.teardown(rt));
      }
    }
  }

  private track(p: Promise<void>): void {
    this.pending = Promise.all([this.pending, p.catch(() => {})]).then(() => {});
  }

  // The API server's defaulting and validation, one resource kind after another.
  private admit(pod: KObj): void {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const uid = pod.metadata.uid ?? '';
    const containers = new Map<string, ContainerRuntime>();
    const specContainers =
      (
        pod.spec as {
          containers?: {
            name: string;
            image?: string;
            ports?: { containerPort: number; protocol?: string }[];
          }[];
        }
      )?.containers ?? [];
    for (const c of specContainers) {
      const log = new ContainerLog();
      containers.set(c.name, {
        name: c.name,
        image: c.image,
        tcpPorts: (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort),
        log,
        spec: safeBackend(pod, c.name, c.image),
      });
    }
    const rt: PodRuntime = {
      uid,
      namespace: ns,
      name,
      sandboxId: createHash('sha256').update(uid).digest('hex'),
      containers,
      running: false,
      gone: false,
      connections: new Set(),
    };
    this.runtimes.set(uid, rt);
    const podIP = `10.244.${Math.floor(this.nextIp / 250)}.${(this.nextIp % 250) + 2}`;
    this.nextIp++;
    const scheduled = this.store.mutate('pods', ns, name, (p) => {
      const spec = p.spec as { nodeName?: string };
      spec.nodeName ??= NODE_NAME;
      const now = ts();
      p.status = {
        phase: 'Pending',
        conditions: [
          { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          {
            type: 'Ready',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${[...containers.keys()].join(' ')}]`,
          },
          {
            type: 'ContainersReady',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${[...containers.keys()].join(' ')}]`,
          },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        ],
        hostIP: '10.0.0.10',
        hostIPs: [{ ip: '10.0.0.10' }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: now,
        qosClass: 'BestEffort',
        containerStatuses: [...containers.values()].map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
      };
    });
    if (scheduled)
      recordEvent(this.store, scheduled, {
        reason: 'Scheduled',
        message: `Successfully assigned ${ns}/${name} to ${NODE_NAME}`,
        component: 'default-scheduler',
      });
    rt.timer = setTimeout(() => this.track(this.start(rt)), this.opts.readyDelayMs);
  }

  private backendContext(
    rt: PodRuntime,
    c: ContainerRuntime,
  ): { namespace: string; pod: string; container: string; log: (l: string) => void } {
    return { namespace: rt.namespace, pod: rt.name, container: c.name, log: (l) => c.log.append(l) };
  }

  private async start(rt: PodRuntime): Promise<void> {
    delete rt.timer;
    for (const c of rt.containers.values()) {
      if (rt.gone) return;
      try {
        c.backend = await startBackend(c.spec, this.backendContext(rt, c), c.tcpPorts);
      } catch (err) {
        c.log.append(`[sim] backend failed to start: ${String(err)}`);
      }
      c.log.append(`[sim] container ${c.name} started (image ${c.image ?? 'none'}, backend ${c.spec})`);
      if (c.tcpPorts.length > 0)
        c.log.append(`[sim] listening on ${c.tcpPorts.map((p) => `:${p}`).join(', ')}`);
    }
    if (rt.gone) {
      await this.teardown(rt);
      return;
    }
    rt.running = true;
    const pod = this.writeRunningStatus(rt);
    if (pod) {
      for (const c of rt.containers.values()) {
        recordEvent(this.store, pod, {
          reason: 'Pulled',
          message: `Container image "${c.image ?? ''}" already present on machine`,
          component: 'kubelet',
        });
        recordEvent(this.store, pod, {
          reason: 'Created',
          message: `Created container ${c.name}`,
          component: 'kubelet',
        });
        recordEvent(this.store, pod, {
          reason: 'Started',
          message: `Started container ${c.name}`,
          component: 'kubelet',
        });
      }
    }
  }

  private writeRunningStatus(rt: PodRuntime): KObj | undefined {
    const ready = rt.forcedReady ?? true;
    let becameUnready = false;
    const pod = this.store.mutate('pods', rt.namespace, rt.name, (p) => {
      if (p.metadata.uid !== rt.uid || p.metadata.deletionTimestamp !== undefined) return;
      const status = p.status as {
        phase?: string;
        conditions?: {
          type: string;
          status: string;
          reason?: string;
          message?: string;
          lastTransitionTime?: string;
        }[];
        containerStatuses?: { name: string; ready: boolean; started?: boolean; state?: unknown }[];
      };
      status.phase = 'Running';
      for (const c of status.conditions ?? []) {
        if (c.type !== 'Ready' && c.type !== 'ContainersReady') continue;
        const want = ready ? 'True' : 'False';
        if (c.status !== want) {
          if (c.status === 'True') becameUnready = true;
          c.status = want;
          c.lastTransitionTime = ts();
        }
        if (ready) {
          delete c.reason;
          delete c.message;
        } else {
          c.reason = 'ContainersNotReady';
          c.message = `containers with unready status: [${[...rt.containers.keys()].join(' ')}]`;
        }
      }
      for (const cs of status.containerStatuses ?? []) {
        cs.ready = ready;
        cs.started = true;
        const st = cs.state as { running?: unknown } | undefined;
        if (!st?.running) cs.state = { running: { startedAt: ts() } };
      }
    });
    if (pod && becameUnready)
      recordEvent(this.store, pod, {
        reason: 'Unhealthy',
        type: 'Warning',
        message: 'Readiness probe failed: (simulated) readiness set to false',
        component: 'kubelet',
      });
    return pod;
  }

  private async teardown(rt: PodRuntime): Promise<void> {
    rt.gone = true;
    rt.running = false;
    if (rt.timer) clearTimeout(rt.timer);
    for (const s of rt.connections) s.destroy();
    await Promise.all(
      [...rt.containers.values()].map(async (c) => {
        const b = c.backend;
        delete c.backend;
        await b?.close();
        c.log.end();
      }),
    );
  }

  private reconcileEndpoints(): void {
    // Group pods by namespace once: a Service only selects pods of its own namespace.
    const podsByNs = new Map<string, KObj[]>();
    for (const p of this.store.scan('pods')) {
      const key = p.metadata.namespace ?? '';
      const list = podsByNs.get(key);
      if (list) list.push(p);
      else podsByNs.set(key, [p]);
    }
    for (const svc of this.store.scan('services')) {
      const subsets = computeEndpointSubsets(svc, podsByNs.get(svc.metadata.namespace ?? '') ?? []);
      if (subsets === undefined) continue;
      const ns = svc.metadata.namespace;
      const name = svc.metadata.name;
      const existing = this.store.scan('endpoints', ns).find((e) => e.metadata.name === name);
      if (!existing) {
        this.store.create('endpoints', {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: {
            name,
            namespace: ns,
            labels: {
              ...(svc.metadata.labels ?? {}),
              'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
            },
          },
          subsets,
        });
      } else if (JSON.stringify(existing.subsets ?? []) !== JSON.stringify(subsets)) {
        this.store.mutate('endpoints', ns, name, (e) => {
          e.subsets = subsets;
        });
      }
    }
  }

  private reconcileStatuses(): void {
    const pods = this.store.list('pods');
    const counts = (owner: KObj): { replicas: number; ready: number } => {
      const owned = pods.filter(
        (p) => controllerOf(p)?.uid === owner.metadata.uid && p.metadata.deletionTimestamp === undefined,
      );
      return { replicas: owned.length, ready: owned.filter(isPodReady).length };
    };
    for (const rs of this.store.list('replicasets')) {
      const c = counts(rs);
      this.store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (r) => {
        r.status = {
          replicas: c.replicas,
          fullyLabeledReplicas: c.replicas,
          readyReplicas: c.ready,
          availableReplicas: c.ready,
          observedGeneration: r.metadata.generation ?? 1,
        };
      });
    }
    for (const d of this.store.list('deployments')) {
      const rss = this.store
        .list('replicasets', d.metadata.namespace)
        .filter((r) => controllerOf(r)?.uid === d.metadata.uid);
      let replicas = 0;
      let ready = 0;
      for (const rs of rss) {
        const c = counts(rs);
        replicas += c.replicas;
        ready += c.ready;
      }
      const want = (d.spec as { replicas?: number }).replicas ?? 1;
      this.store.mutate('deployments', d.metadata.namespace, d.metadata.name, (o) => {
        const prev = (
          o.status as
            { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined
        )?.conditions;
        const availableNow = ready >= want ? 'True' : 'False';
        const prevAvail = prev?.find((c) => c.type === 'Available');
        o.status = {
          observedGeneration: o.metadata.generation ?? 1,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
          conditions: [
            {
              type: 'Available',
              status: availableNow,
              reason: availableNow === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
              message:
                availableNow === 'True'
                  ? 'Deployment has minimum availability.'
                  : 'Deployment does not have minimum availability.',
              lastTransitionTime: prevAvail?.status === availableNow ? prevAvail.lastTransitionTime : ts(),
            },
          ],
        };
      });
    }
    for (const s of this.store.list('statefulsets')) {
      const c = counts(s);
      this.store.mutate('statefulsets', s.metadata.namespace, s.metadata.name, (o) => {
        o.status = {
          observedGeneration: o.metadata.generation ?? 1,
          replicas: c.replicas,
          readyReplicas: c.ready,
          availableReplicas: c.ready,
          currentReplicas: c.replicas,
          updatedReplicas: c.replicas,
        };
      });
    }
  }

  /** Pods (current store view) that match a selector map in a namespace. */
  podsMatching(namespace: string, selector?: Record<string, string>): KObj[] {
    return this.store
      .list('pods', namespace)
      .filter((p) => !selector || matchesMap(selector, p.metadata.labels));
  }
}

function safeBackend(pod: KObj, container: string, image: string | undefined): BackendSpec {
  try {
    return chooseBackend(pod.metadata.annotations, container, image);
  } catch {
    return 'http';
  }
}
