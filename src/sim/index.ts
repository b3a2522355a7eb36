// The simulated Kubernetes cluster: a real API server over HTTPS (bearer token or client cert),
// a store with watch history, workload controllers and a kubelet whose pods are backed by real
// sockets, all three port-forward protocols, and fault controls. See ARCHITECTURE.md decision 3.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ObjectStore } from './api/store.js';
import { SimApiServer } from './api/server.js';
import { Authorizer } from './api/auth.js';
import { SimWorkloads } from './workload/cluster.js';
import { NODE_NAME } from './workload/events.js';
import { PortForwardHub } from './portforward/hub.js';
import { KubeletUpstream } from './portforward/kubelet-upstream.js';
import { createControl } from './control.js';
import type { SimControl, ProtocolSwitches } from './control.js';
import { startControlServer } from './control-server.js';
import { renderKubeconfig } from './kubeconfig.js';
import { SAMPLE_SCENARIO, LEGACY_DB } from './scenario/sample.js';
import { SYSTEM_OBJECTS } from './scenario/system.js';
import { isPodReady } from './workload/endpoints.js';

export type { SimControl, ProtocolSwitches } from './control.js';
export type { BackendSpec } from './workload/backends.js';
export type { Counters } from './portforward/hub.js';
export { SAMPLE_SCENARIO } from './scenario/sample.js';
export { CA_CERT, CLIENT_CERT, CLIENT_KEY } from './tls.js';
export { CONTROL_ROUTES } from './control-server.js';

export interface SimOptions {
  /** 'sample' (default): the online shop; 'empty': only what every cluster has. */
  scenario?: 'sample' | 'empty';
  /** Extra YAML texts (multi-doc) applied after the scenario. */
  manifests?: string[];
  /** API port on 127.0.0.1; default 0 (random). */
  port?: number;
  /** Where to write `kubeconfig`; default a new temp dir. */
  dir?: string;
  /** Pod Pending→Ready delay; default 100 ms. */
  readyDelayMs?: number;
  /** Port-forward protocols served; default all on. */
  protocols?: ProtocolSwitches;
  /** Kubeconfig context (and cluster) name; default 'sim'. */
  contextName?: string;
  /** BOOKMARK period for watches with allowWatchBookmarks; default 10 s. */
  bookmarkIntervalMs?: number;
  /** How long a deleted pod stays Terminating; default 50 ms. */
  terminationDelayMs?: number;
  /** How long restartApi() refuses connections; default 300 ms. */
  restartPauseMs?: number;
  /**
   * Serve SPDY and tunnel port-forward through this kubelet-like server (http://127.0.0.1:PORT, e.g.
   * test/spdystream/server on moby/spdystream) instead of the sim's own; WebSocket v4 stays ours.
   */
  kubeletUpstream?: string;
  /**
   * End SPDY port-forward pairs as containerd does: when one direction ends, wait up to this long
   * for the other, then close (the kubelet's FIN comes up to this late; a client FIN does not
   * half-close the pod; after a client RST the pod's bytes keep coming). Default: ideal half-close.
   */
  finGraceMs?: number;
  /**
   * How a WebSocket port-forward (a GET) is authorized: as "get" and "create" on pods/portforward
   * (default; Kubernetes ≥ 1.35), or as "get" only (false; 1.31–1.34). SPDY's POST is "create".
   */
  websocketNeedsCreate?: boolean;
  /** Wait for the scenario's pods to be Ready before returning; default true. */
  waitReady?: boolean;
}

export interface SimCluster {
  kubeconfigPath: string;
  /** The kubeconfig text (bearer-token user). */
  kubeconfig: string;
  /** The same cluster with a client-certificate user instead of the token (not written to disk). */
  certKubeconfig: string;
  apiUrl: string;
  controlUrl: string;
  contextName: string;
  token: string;
  control: SimControl;
  /** Closes every socket, backend and timer. */
  stop(): Promise<void>;
}

// The simulated cluster's assembly: each part wired to the others in order.
export async function createSimCluster(opts: SimOptions = {}): Promise<SimCluster> {
  const contextName = opts.contextName ?? 'sim';
  const token = randomBytes(24).toString('base64url');
  const store = new ObjectStore();
  const hub = new PortForwardHub();
  if (opts.protocols)
    for (const k of ['tunnel', 'spdy', 'websocket'] as const)
      if (opts.protocols[k] !== undefined) hub.protocols[k] = opts.protocols[k];
  hub.finGraceMs = opts.finGraceMs;
  hub.websocketNeedsCreate = opts.websocketNeedsCreate ?? true;
  const authz = new Authorizer();
  const workloads = new SimWorkloads(store, {
    readyDelayMs: opts.readyDelayMs ?? 100,
    terminationDelayMs: opts.terminationDelayMs ?? 50,
  });
  const api = new SimApiServer({
    store,
    workloads,
    hub,
    authz,
    token,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 10_000,
  });
  const control = createControl({
    store,
    workloads,
    api,
    hub,
    authz,
    restartPauseMs: opts.restartPauseMs ?? 300,
  });
  let controlServer: { url: string; close(): Promise<void> } | undefined;
  try {
    store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: NODE_NAME,
        labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux' },
      },
      spec: {},
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.10' },
          { type: 'Hostname', address: NODE_NAME },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.4-sim',
          osImage: 'kubefwd simulated node',
          architecture: 'amd64',
          operatingSystem: 'linux',
        },
      },
    });
    for (const name of ['default', 'kube-system']) {
      store.create('serviceaccounts', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: name },
      });
    }
    await control.apply(SYSTEM_OBJECTS);
    if ((opts.scenario ?? 'sample') === 'sample') await control.apply(SAMPLE_SCENARIO);
    for (const m of opts.manifests ?? []) await control.apply(m);
    if (opts.kubeletUpstream !== undefined) {
      const upstream = new KubeletUpstream({
        url: opts.kubeletUpstream,
        dial: (ns, pod, port) => workloads.dial(ns, pod, port),
        hub,
      });
      await upstream.start();
      hub.upstream = upstream;
    }
    await api.listen(opts.port ?? 0);
    controlServer = await startControlServer(control, token);
    if (opts.waitReady !== false) await waitAllReady(control, store);
    if ((opts.scenario ?? 'sample') === 'sample') writeLegacyEndpoints(store);
  } catch (err) {
    await controlServer?.close();
    await hub.upstream?.close();
    await api.close();
    await workloads.stop();
    throw err;
  }
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kubefwd-sim-'));
  mkdirSync(dir, { recursive: true });
  const kubeconfigPath = join(dir, 'kubeconfig');
  const kubeconfig = renderKubeconfig({ server: api.url, contextName, token });
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  let stopped: Promise<void> | undefined;
  const cs = controlServer;
  return {
    kubeconfigPath,
    kubeconfig,
    certKubeconfig: renderKubeconfig({ server: api.url, contextName, clientCert: true }),
    apiUrl: api.url,
    controlUrl: cs.url,
    contextName,
    token,
    control,
    stop: () =>
      (stopped ??= (async () => {
        hub.cutAll();
        await hub.upstream?.close();
        await cs.close();
        await api.close();
        await workloads.stop();
        // A directory we made ourselves goes with us; one the caller named is theirs to keep.
        if (opts.dir === undefined) await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** Wait until every namespace's workloads are Ready (bounded; a scenario with a broken pod still starts). */
async function waitAllReady(control: SimControl, store: ObjectStore): Promise<void> {
  const namespaces = store.list('namespaces').map((n) => n.metadata.name);
  await Promise.all(
    namespaces
      .filter((ns) => store.list('deployments', ns).length + store.list('statefulsets', ns).length > 0)
      .map((ns) => control.waitForPodsReady(ns, undefined, 10_000).catch(() => undefined)),
  );
}

/** legacy-db: a Service without selector whose manual Endpoints point (with targetRef) at postgres. */
function writeLegacyEndpoints(store: ObjectStore): void {
  const pod = store
    .list('pods', LEGACY_DB.namespace)
    .find((p) => p.metadata.labels?.app === LEGACY_DB.targetSelector.app && isPodReady(p));
  const ip = (pod?.status as { podIP?: string } | undefined)?.podIP;
  if (!pod || !ip) return;
  store.create('endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: LEGACY_DB.service, namespace: LEGACY_DB.namespace },
    subsets: [
      {
        addresses: [
          {
            ip,
            nodeName: NODE_NAME,
            targetRef: {
              kind: 'Pod',
              namespace: LEGACY_DB.namespace,
              name: pod.metadata.name,
              uid: pod.metadata.uid ?? '',
            },
          },
        ],
        ports: [{ name: 'postgres', port: LEGACY_DB.port, protocol: 'TCP' }],
      },
    ],
  });
}
