// The simulated API server with @kubernetes/client-node 1.4 as the client, over real HTTPS:
// discovery, auth, lists with selectors and pagination, get/create/delete, watch (resume from a
// resourceVersion, 410 after compaction, bookmarks, timeoutSeconds), logs, access reviews, tables.
import https from 'node:https';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  Watch,
  type CoreV1Event,
  type V1Pod,
} from '@kubernetes/client-node';
import { createSimCluster, CA_CERT } from '../../src/sim/index.js';
import type { SimCluster } from '../../src/sim/index.js';
import { exchange, httpGet, openForward, spdyConnect } from './support/clients.js';

let sim: SimCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  sim = await createSimCluster({ readyDelayMs: 10, bookmarkIntervalMs: 50 });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await sim?.stop();
});

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, sim.apiUrl);
  return new Promise((resolve, reject) => {
    https
      .get(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, ca: CA_CERT, headers },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
      .on('error', reject);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
type WatchLog = { type: string; name: string; rv?: string; obj: Rec }[];

async function startWatch(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<{ events: WatchLog; done: Promise<unknown>; abort: () => void }> {
  const events: WatchLog = [];
  let resolveDone!: (e: unknown) => void;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  const ctl = await new Watch(kc).watch(
    path,
    query,
    (type, obj: Rec) =>
      events.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion, obj }),
    (err) => resolveDone(err ?? null),
  );
  return { events, done, abort: () => ctl.abort() };
}

describe('discovery, auth, TLS', () => {
  it('serves /version, /api, /apis (with apps/v1) and resource lists', async () => {
    expect(JSON.parse((await raw('/version')).body)).toMatchObject({ major: '1', minor: '32' });
    const auth = { authorization: `Bearer ${sim.token}` };
    expect(JSON.parse((await raw('/api', auth)).body)).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const groups = JSON.parse((await raw('/apis', auth)).body) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain('apps');
    const appsList = JSON.parse((await raw('/apis/apps/v1', auth)).body) as { resources: { name: string }[] };
    expect(appsList.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['deployments', 'statefulsets']),
    );
    const coreList = JSON.parse((await raw('/api/v1', auth)).body) as { resources: { name: string }[] };
    expect(coreList.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/portforward',
        'pods/log',
        'services',
        'endpoints',
        'events',
        'namespaces',
      ]),
    );
  });

  it('answers 401 Status without credentials and accepts the client certificate', async () => {
    const res = await raw('/api/v1/namespaces');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const certKc = new KubeConfig();
    certKc.loadFromString(sim.certKubeconfig);
    const list = await certKc.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('shop');
  });
});

describe('lists, gets, selectors', () => {
  it('lists namespaces, services and pods cluster-wide and per namespace', async () => {
    const ns = (await core.listNamespace()).items.map((n) => n.metadata!.name);
    expect(ns).toEqual(expect.arrayContaining(['default', 'kube-system', 'shop', 'analytics', 'sandbox']));
    const svcs = await core.listNamespacedService({ namespace: 'shop' });
    expect(svcs.items.map((s) => s.metadata!.name).sort()).toEqual([
      'api-gateway',
      'auth',
      'kafka',
      'legacy-db',
      'payments',
      'postgres',
      'redis',
      'statsd',
    ]);
    expect(Number(svcs.metadata!.resourceVersion)).toBeGreaterThan(0);
    const all = await core.listPodForAllNamespaces();
    expect(all.items.some((p) => p.metadata!.namespace === 'analytics')).toBe(true);
    expect((await core.listNamespacedPod({ namespace: 'sandbox' })).items).toEqual([]);
    const auth = await core.readNamespacedService({ namespace: 'shop', name: 'auth' });
    expect(auth.spec!.ports![0]).toMatchObject({ port: 443, targetPort: 'https', protocol: 'TCP' });
    expect((await core.readNamespacedService({ namespace: 'shop', name: 'payments' })).spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'payments.example.com',
    });
    expect((await core.readNamespacedService({ namespace: 'shop', name: 'kafka' })).spec!.clusterIP).toBe(
      'None',
    );
  });

  it('filters by equality and set-based label selectors and by field selectors', async () => {
    const eq = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=api-gateway' });
    expect(eq.items).toHaveLength(2);
    const set = await core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app in (redis,postgres),app!=nothing',
    });
    expect(set.items.map((p) => p.metadata!.labels!.app).sort()).toEqual(['postgres', 'redis']);
    const notin = await core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app notin (kafka,api-gateway),!nope',
    });
    expect(notin.items.every((p) => !['kafka', 'api-gateway'].includes(p.metadata!.labels!.app!))).toBe(true);
    const byName = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=kafka-1' });
    expect(byName.items.map((p) => p.metadata!.name)).toEqual(['kafka-1']);
    const byNs = await core.listServiceForAllNamespaces({ fieldSelector: 'metadata.namespace=analytics' });
    expect(byNs.items.map((s) => s.metadata!.name).sort()).toEqual(['events', 'reports']);
    await expect(
      core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.bogus=x' }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      core.listNamespacedPod({ namespace: 'shop', labelSelector: 'a in (' }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('paginates with limit and continue', async () => {
    const first = await core.listPodForAllNamespaces({ limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.metadata!._continue).toBeTruthy();
    const rest = await core.listPodForAllNamespaces({ limit: 100, _continue: first.metadata!._continue! });
    const all = await core.listPodForAllNamespaces();
    expect([...first.items, ...rest.items].map((p) => p.metadata!.name)).toEqual(
      all.items.map((p) => p.metadata!.name),
    );
  });

  it('answers 404 NotFound Status for a missing object', async () => {
    const err = (await core
      .readNamespacedPod({ namespace: 'shop', name: 'ghost' })
      .catch((e: unknown) => e)) as { code: number; body: string };
    expect(err.code).toBe(404);
    expect(JSON.parse(err.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "ghost" not found',
    });
  });

  it('serves Tables to kubectl-style Accept headers', async () => {
    const res = await raw('/api/v1/namespaces/shop/pods', {
      authorization: `Bearer ${sim.token}`,
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const t = JSON.parse(res.body) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c) => c.name).slice(0, 4)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
    ]);
    expect(t.rows.find((r) => r.cells[0] === 'kafka-0')?.cells.slice(1, 3)).toEqual(['1/1', 'Running']);
  });
});

describe('endpoints', () => {
  it('derives endpoints from ready pods with targetRef, named targetPorts and headless hostnames', async () => {
    const auth = await core.readNamespacedEndpoints({ namespace: 'shop', name: 'auth' });
    expect(auth.subsets![0]!.ports).toEqual([{ name: 'https', port: 8443, protocol: 'TCP' }]);
    expect(auth.subsets![0]!.addresses![0]!.targetRef).toMatchObject({ kind: 'Pod', namespace: 'shop' });
    const kafka = await core.readNamespacedEndpoints({ namespace: 'shop', name: 'kafka' });
    expect(kafka.subsets![0]!.addresses!.map((a) => a.hostname).sort()).toEqual([
      'kafka-0',
      'kafka-1',
      'kafka-2',
    ]);
    const legacy = await core.readNamespacedEndpoints({ namespace: 'shop', name: 'legacy-db' });
    expect(legacy.subsets![0]!.addresses![0]!.targetRef!.name).toMatch(/^postgres-/);
    expect(legacy.subsets![0]!.ports![0]!.port).toBe(5432);
  });

  it('moves a pod to notReadyAddresses when its readiness flips, and back', async () => {
    const redis = sim.control.pods('shop').find((p) => p.metadata.name.startsWith('redis-'))!.metadata.name;
    sim.control.setPodReady('shop', redis, false);
    await eventually(async () => {
      const ep = await core.readNamespacedEndpoints({ namespace: 'shop', name: 'redis' });
      expect(ep.subsets![0]!.addresses).toBeUndefined();
      expect(ep.subsets![0]!.notReadyAddresses![0]!.targetRef!.name).toBe(redis);
    });
    const events = await core.listNamespacedEvent({
      namespace: 'shop',
      fieldSelector: `involvedObject.name=${redis}`,
    });
    expect(events.items.map((e: CoreV1Event) => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'Started', 'Unhealthy']),
    );
    sim.control.setPodReady('shop', redis, true);
    await eventually(async () => {
      const ep = await core.readNamespacedEndpoints({ namespace: 'shop', name: 'redis' });
      expect(ep.subsets![0]!.addresses![0]!.targetRef!.name).toBe(redis);
    });
  });
});

describe('workloads through the API', () => {
  it('creates a namespace and a deployment; pods get generated names, become Ready, and go with it', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    await apps.createNamespacedDeployment({
      namespace: 'team-a',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
          },
        },
      },
    });
    const pods = await sim.control.waitForPodsReady('team-a', { app: 'web' });
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(p.metadata.name).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
    await expect(core.createNamespace({ body: { metadata: { name: 'team-a' } } })).rejects.toMatchObject({
      code: 409,
    });
    await apps.deleteNamespacedDeployment({ namespace: 'team-a', name: 'web' });
    await eventually(async () =>
      expect((await core.listNamespacedPod({ namespace: 'team-a' })).items).toEqual([]),
    );
    await core.deleteNamespace({ name: 'team-a' });
    await eventually(async () =>
      expect((await core.listNamespace()).items.map((n) => n.metadata!.name)).not.toContain('team-a'),
    );
  });

  it('replaces a deleted Deployment pod under a new name and a StatefulSet pod under the same name', async () => {
    const gw = (
      await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=api-gateway' })
    ).items.map((p) => p.metadata!.name!);
    await core.deleteNamespacedPod({ namespace: 'shop', name: gw[0]! });
    const after = await eventually(async () => {
      const ready = await sim.control.waitForPodsReady('shop', { app: 'api-gateway' });
      expect(ready.map((p) => p.metadata.name)).not.toContain(gw[0]);
      return ready;
    });
    expect(after).toHaveLength(2);
    const uid = (await core.readNamespacedPod({ namespace: 'shop', name: 'kafka-1' })).metadata!.uid;
    await sim.control.deletePod('shop', 'kafka-1');
    await eventually(async () => {
      const p = await core.readNamespacedPod({ namespace: 'shop', name: 'kafka-1' });
      expect(p.metadata!.uid).not.toBe(uid);
      expect(p.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    });
  });

  it('answers SelfSubjectAccessReview and enforces a denial with 403', async () => {
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const ask = async (verb: string): Promise<boolean | undefined> =>
      (
        await authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { namespace: 'analytics', verb, resource: 'pods' } } },
        })
      ).status?.allowed;
    expect(await ask('list')).toBe(true);
    sim.control.denyPermission({ verb: 'list', resource: 'pods', namespace: 'analytics' });
    try {
      expect(await ask('list')).toBe(false);
      expect(await ask('get')).toBe(true);
      const err = (await core.listNamespacedPod({ namespace: 'analytics' }).catch((e: unknown) => e)) as {
        code: number;
        body: string;
      };
      expect(err.code).toBe(403);
      expect(JSON.parse(err.body).message).toContain('cannot list resource "pods"');
    } finally {
      sim.control.allowAll();
    }
  });
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED from a resourceVersion and resumes from a later one', async () => {
    const list = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=redis' });
    const rv = list.metadata!.resourceVersion!;
    const victim = list.items[0]!.metadata!.name!;
    const w = await startWatch('/api/v1/namespaces/shop/pods', {
      resourceVersion: rv,
      labelSelector: 'app=redis',
    });
    await sim.control.deletePod('shop', victim);
    await eventually(() => {
      expect(w.events.some((e) => e.type === 'DELETED' && e.name === victim)).toBe(true);
      expect(w.events.some((e) => e.type === 'ADDED' && e.name !== victim)).toBe(true);
      expect(
        w.events.some((e) => e.type === 'MODIFIED' && e.name === victim && e.obj.metadata.deletionTimestamp),
      ).toBe(true);
    });
    w.abort();
    // Resume: a new watch from the RV of the first event replays everything after it, nothing before.
    const firstRv = w.events[0]!.rv!;
    const resumed = await startWatch('/api/v1/namespaces/shop/pods', {
      resourceVersion: firstRv,
      labelSelector: 'app=redis',
    });
    await eventually(() =>
      expect(resumed.events.map((e) => e.rv)).toEqual(
        expect.arrayContaining(w.events.slice(1).map((e) => e.rv)),
      ),
    );
    expect(resumed.events.map((e) => e.rv)).not.toContain(firstRv);
    resumed.abort();
  });

  it('answers a watch from a resourceVersion it never reached with "Too large resource version", as the watch cache', async () => {
    const now = Number((await core.listNamespacedService({ namespace: 'shop' })).metadata!.resourceVersion);
    const started = Date.now();
    const w = await startWatch('/api/v1/namespaces/shop/services', { resourceVersion: String(now + 100000) });
    await w.done;
    // The watch cache waits (3 s) for the resourceVersion before giving up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(w.events.map((e) => e.type)).toEqual(['ERROR']);
    expect(w.events[0]?.obj).toMatchObject({
      kind: 'Status',
      code: 504,
      reason: 'Timeout',
      message: expect.stringContaining('Too large resource version'),
      details: { causes: [{ reason: 'ResourceVersionTooLarge' }] },
    });
  });

  it('sends a 410 Expired ERROR event for a resourceVersion older than the history', async () => {
    const old = (await core.listNamespacedService({ namespace: 'shop' })).metadata!.resourceVersion!;
    await sim.control.setBackend(
      'shop',
      sim.control.pods('shop').find((p) => p.metadata.name.startsWith('postgres-'))!.metadata.name,
      'echo',
    );
    sim.control.setPodReady('shop', 'kafka-0', false);
    sim.control.compact();
    sim.control.setPodReady('shop', 'kafka-0', true);
    const w = await startWatch('/api/v1/namespaces/shop/pods', { resourceVersion: old });
    await w.done;
    const err = w.events.find((e) => e.type === 'ERROR');
    expect(err?.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    // A relist gives a fresh resourceVersion that can be watched again.
    const fresh = (await core.listNamespacedPod({ namespace: 'shop' })).metadata!.resourceVersion!;
    const again = await startWatch('/api/v1/namespaces/shop/pods', {
      resourceVersion: fresh,
      allowWatchBookmarks: true,
    });
    await eventually(() => expect(again.events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    again.abort();
  });

  it('sends synthetic ADDED events without a resourceVersion and honours timeoutSeconds', async () => {
    const w = await startWatch('/api/v1/namespaces/analytics/services', { timeoutSeconds: 1 });
    expect(await w.done).toBeNull();
    expect(
      w.events
        .filter((e) => e.type === 'ADDED')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['events', 'reports']);
  });

  it('ends watches when the API server restarts, and serves again after', async () => {
    const w = await startWatch('/api/v1/namespaces/shop/pods', {});
    await sim.control.restartApi();
    await w.done;
    const pods = await eventually(() => core.listNamespacedPod({ namespace: 'shop' }));
    expect(pods.items.length).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  const collect = (): { sink: Writable; text: () => string } => {
    let text = '';
    return {
      sink: new Writable({
        write(c: Buffer, _e, cb) {
          text += c.toString();
          cb();
        },
      }),
      text: () => text,
    };
  };

  it('logs one line per HTTP request; tailLines, timestamps, limitBytes and follow work', async () => {
    const pod = sim.control.pods('analytics').find((p) => p.metadata.name.startsWith('reports-'))!.metadata
      .name;
    const session = await spdyConnect(sim, 'analytics', pod);
    for (let i = 0; i < 3; i++)
      await exchange(openForward(session, 8080, i).data, httpGet(`/r${i}`), { end: false });
    const log = new Log(kc);
    const tail = collect();
    // client-node 1.4 never calls its `done` callback: wait for the sink to finish instead.
    const finished = new Promise<void>((resolve) => tail.sink.on('finish', () => resolve()));
    await log.log('analytics', pod, 'reports', tail.sink, { tailLines: 2, timestamps: true });
    await finished;
    const lines = tail.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*"GET \/r1 HTTP\/1\.1" 200/);
    const limited = await core.readNamespacedPodLog({ namespace: 'analytics', name: pod, limitBytes: 10 });
    expect(Buffer.byteLength(limited)).toBe(10);
    const since = await core.readNamespacedPodLog({ namespace: 'analytics', name: pod, sinceSeconds: 3600 });
    expect(since).toContain('GET /r2');
    const follow = collect();
    const ctl = await log.log('analytics', pod, 'reports', follow.sink, { follow: true, tailLines: 0 });
    await exchange(openForward(session, 8080, 9).data, httpGet('/followed'), { end: false });
    await eventually(() => expect(follow.text()).toContain('GET /followed'));
    ctl.abort();
    session.destroy();
  });

  it('asks for a container name on a multi-container pod', async () => {
    await sim.control.apply(`
apiVersion: v1
kind: Pod
metadata: { name: duo, namespace: sandbox }
spec:
  containers:
    - { name: a, image: busybox }
    - { name: b, image: busybox }
`);
    await sim.control.waitForPodsReady('sandbox');
    const err = (await core
      .readNamespacedPodLog({ namespace: 'sandbox', name: 'duo' })
      .catch((e: unknown) => e)) as { code: number; body: string };
    expect(err.code).toBe(400);
    expect(JSON.parse(err.body).message).toBe(
      'a container name must be specified for pod duo, choose one of: [a b]',
    );
    expect(await core.readNamespacedPodLog({ namespace: 'sandbox', name: 'duo', container: 'b' })).toContain(
      'container b started',
    );
    const pod: V1Pod = await core.readNamespacedPod({ namespace: 'sandbox', name: 'duo' });
    expect(pod.status!.phase).toBe('Running');
    await core.deleteNamespacedPod({ namespace: 'sandbox', name: 'duo' });
  });
});
