// The simulated kubelet: "runs" each pod of the store by starting real backend sockets after a
// delay, reports its status (Pending, then Running and Ready), serves its containers' logs and
// the port-forward dial into it, and tears it down when the pod is gone.
import net from 'node:net';
import { createHash } from 'node:crypto';
import type { KObj, ObjectStore } from '../api/store.js';
import { chooseBackend, startBackend } from './backends.js';
import type { BackendSpec, RunningBackend } from './backends.js';
import { NODE_NAME, recordEvent } from './events.js';
import { ContainerLog } from './logs.js';
import { timestamp } from './owners.js';
import { markRunning, pendingPodStatus } from './pod-status.js';

interface ContainerRuntime {
  name: string;
  image: string | undefined;
  tcpPorts: number[];
  log: ContainerLog;
  backend?: RunningBackend;
  spec: BackendSpec;
}

export interface PodRuntime {
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

/** The error text a kubelet writes on the port-forward error stream. */
export class ForwardError extends Error {}

const HOST_IP = '10.0.0.10';

export class Kubelet {
  private readonly runtimes = new Map<string, PodRuntime>();
  private nextIp = 10;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly readyDelayMs: number,
  ) {}

  podRuntime(namespace: string, name: string): PodRuntime | undefined {
    for (const r of this.runtimes.values())
      if (r.namespace === namespace && r.name === name && !r.gone) return r;
    return undefined;
  }

  /** The runtime of a pod by uid, gone or not (its containers name the Killing events). */
  runtimeOf(uid: string): PodRuntime | undefined {
    return this.runtimes.get(uid);
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
      c.backend = await startBackend(spec, backendContext(rt, c), c.tcpPorts);
      c.log.append(`[sim] backend switched to ${spec}`);
    }
  }

  setPodReady(namespace: string, podName: string, ready: boolean): void {
    const rt = this.podRuntime(namespace, podName);
    if (!rt) throw new Error(`pod ${namespace}/${podName} not found`);
    rt.forcedReady = ready;
    if (rt.running) this.writeRunningStatus(rt);
  }

  /** Starts the pods the store has and this kubelet does not; tears down those it no longer has. */
  sync(): void {
    const seen = new Set<string>();
    const fresh: KObj[] = [];
    for (const pod of this.store.scan('pods')) {
      const uid = pod.metadata.uid ?? '';
      seen.add(uid);
      if (!this.runtimes.has(uid)) fresh.push(structuredClone(pod));
    }
    for (const pod of fresh) this.schedulePod(pod);
    for (const rt of [...this.runtimes.values()]) {
      if (!seen.has(rt.uid)) {
        this.runtimes.delete(rt.uid);
        this.track(this.teardown(rt));
      }
    }
  }

  async stop(): Promise<void> {
    await this.pending.catch(() => {});
    await Promise.all([...this.runtimes.values()].map((r) => this.teardown(r)));
    this.runtimes.clear();
  }

  private track(p: Promise<void>): void {
    this.pending = Promise.all([this.pending, p.catch(() => {})]).then(() => {});
  }

  /** A new pod: its runtime, an IP and node, Pending status; its containers start after the delay. */
  private schedulePod(pod: KObj): void {
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
      containers.set(c.name, {
        name: c.name,
        image: c.image,
        tcpPorts: (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort),
        log: new ContainerLog(),
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
      p.status = pendingPodStatus([...containers.values()], podIP, HOST_IP, timestamp());
    });
    if (scheduled)
      recordEvent(this.store, scheduled, {
        reason: 'Scheduled',
        message: `Successfully assigned ${ns}/${name} to ${NODE_NAME}`,
        component: 'default-scheduler',
      });
    rt.timer = setTimeout(() => this.track(this.start(rt)), this.readyDelayMs);
  }

  private async start(rt: PodRuntime): Promise<void> {
    delete rt.timer;
    for (const c of rt.containers.values()) {
      if (rt.gone) return;
      try {
        c.backend = await startBackend(c.spec, backendContext(rt, c), c.tcpPorts);
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
      for (const c of rt.containers.values())
        for (const [reason, message] of [
          ['Pulled', `Container image "${c.image ?? ''}" already present on machine`],
          ['Created', `Created container ${c.name}`],
          ['Started', `Started container ${c.name}`],
        ] as const)
          recordEvent(this.store, pod, { reason, message, component: 'kubelet' });
    }
  }

  private writeRunningStatus(rt: PodRuntime): KObj | undefined {
    const ready = rt.forcedReady ?? true;
    let becameUnready = false;
    const pod = this.store.mutate('pods', rt.namespace, rt.name, (p) => {
      if (p.metadata.uid !== rt.uid || p.metadata.deletionTimestamp !== undefined) return;
      becameUnready = markRunning(
        p.status as Parameters<typeof markRunning>[0],
        ready,
        [...rt.containers.keys()],
        timestamp,
      );
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
}

const backendContext = (
  rt: PodRuntime,
  c: ContainerRuntime,
): { namespace: string; pod: string; container: string; log: (l: string) => void } => ({
  namespace: rt.namespace,
  pod: rt.name,
  container: c.name,
  log: (l) => c.log.append(l),
});

function safeBackend(pod: KObj, container: string, image: string | undefined): BackendSpec {
  try {
    return chooseBackend(pod.metadata.annotations, container, image);
  } catch {
    return 'http';
  }
}
