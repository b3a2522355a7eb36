// The kube adapter against the simulated cluster (a real API server over HTTPS): lists and gets,
// informers seeing adds/updates/deletes, 410 relists, recovery after an API restart, RBAC
// preflight, bad credentials, an unreachable server, pod logs.
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KPod, KService } from '../../src/contract/kube.js';
import {
  createClusterProvider,
  type InformerHandler,
  type KubeClusterProvider,
} from '../../src/kube/index.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';

let sim: SimCluster;
let provider: KubeClusterProvider;
const dir = mkdtempSync(join(tmpdir(), 'kubefwd-kube-sim-'));
const fastBackoff = { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 };

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'sample', readyDelayMs: 10, dir });
  provider = createClusterProvider({
    kubeconfigPath: sim.kubeconfigPath,
    invokingUser: null,
    backoff: fastBackoff,
  });
});

afterAll(async () => {
  provider?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls until `check` passes (no fixed sleeps); fails with the last assertion error. */
async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function recorder<T extends { metadata: { name: string } }>() {
  const log: string[] = [];
  const errors: string[] = [];
  const handler: InformerHandler<T> = {
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (o) => log.push(`update ${o.metadata.name}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
    onSynced: () => log.push('synced'),
    onError: (e) => errors.push(e.code),
  };
  return { log, errors, handler };
}

const serviceYaml = (name: string, port: number, ns = 'shop') => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector: { app: ${name} }
  ports:
  - { name: http, port: ${port}, targetPort: ${port} }
`;

/** A kubeconfig like the sim's but with one field changed. */
function variantKubeconfig(name: string, edit: (text: string) => string): string {
  const path = join(dir, name);
  writeFileSync(path, edit(readFileSync(sim.kubeconfigPath, 'utf8')));
  return path;
}

describe('kube adapter against the simulated cluster', () => {
  it('uses the sim context and lists namespaces, services, pods, endpoints and events', async () => {
    expect(provider.currentContext()).toBe(sim.contextName);
    const c = provider.cluster();
    const namespaces = (await c.listNamespaces()).map((n) => n.metadata.name);
    expect(namespaces).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'shop', 'analytics', 'sandbox']),
    );
    const services = (await c.listServices('shop')).map((s) => s.metadata.name);
    expect(services).toEqual(
      expect.arrayContaining([
        'api-gateway',
        'postgres',
        'redis',
        'auth',
        'kafka',
        'legacy-db',
        'payments',
        'statsd',
      ]),
    );
    const gw = await c.getService('shop', 'api-gateway');
    expect(gw.spec.ports?.[0]?.port).toBe(8080);
    await sim.control.waitForPodsReady('shop');
    const pods = await c.listPods('shop');
    expect(pods.length).toBe(sim.control.pods('shop').length);
    const one = pods[0]!;
    expect((await c.getPod('shop', one.metadata.name)).metadata.uid).toBe(one.metadata.uid);
    const legacy = await c.getEndpoints('shop', 'legacy-db');
    expect(legacy.subsets?.[0]?.addresses?.[0]?.targetRef?.kind).toBe('Pod');
    expect(Array.isArray(await c.listEvents('shop'))).toBe(true);
    expect(await c.listServices('sandbox')).toEqual([]);
  });

  it('filters with label and field selectors', async () => {
    const c = provider.cluster();
    const byName = await c.listServices('shop', { fieldSelector: 'metadata.name=postgres' });
    expect(byName.map((s) => s.metadata.name)).toEqual(['postgres']);
    const none = await c.listServices('shop', { labelSelector: 'no-such-label=x' });
    expect(none).toEqual([]);
  });

  it('maps not-found to the resource’s code', async () => {
    const c = provider.cluster();
    await expect(c.getService('shop', 'nope')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(c.getPod('shop', 'nope')).rejects.toMatchObject({ code: 'POD_NOT_FOUND' });
    await expect(c.podLogs('shop', 'nope', {})).rejects.toMatchObject({ code: 'POD_NOT_FOUND' });
  });

  it('reads pod logs with options', async () => {
    const c = provider.cluster();
    const [pod] = await sim.control.waitForPodsReady('shop', { app: 'api-gateway' });
    const text = await c.podLogs('shop', pod!.metadata.name, { tailLines: 5, timestamps: true });
    expect(typeof text).toBe('string');
    await expect(
      c.podLogs('shop', pod!.metadata.name, { container: 'no-such-container' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('a service informer sees adds, updates and deletes', async () => {
    const c = provider.cluster();
    const r = recorder<KService>();
    const inf = c.watchServices('shop', {}, r.handler);
    try {
      await inf.synced;
      const initial = inf.list().length;
      expect(r.log.filter((l) => l.startsWith('add')).length).toBe(initial);
      r.log.length = 0;
      await sim.control.apply(serviceYaml('informer-svc', 7000));
      await eventually(() => expect(r.log).toContain('add informer-svc'));
      await sim.control.apply(serviceYaml('informer-svc', 7001));
      await eventually(() => expect(r.log).toContain('update informer-svc'));
      expect(inf.list().find((s) => s.metadata.name === 'informer-svc')?.spec.ports?.[0]?.port).toBe(7001);
      await sim.control.deleteObject('Service', 'shop', 'informer-svc');
      await eventually(() => expect(r.log).toContain('delete informer-svc'));
      expect(inf.list().length).toBe(initial);
      expect(r.errors).toEqual([]);
    } finally {
      inf.stop();
    }
  });

  it('a pod informer sees a deleted pod and its replacement', async () => {
    const c = provider.cluster();
    const [victim] = await sim.control.waitForPodsReady('shop', { app: 'postgres' });
    const r = recorder<KPod>();
    const inf = c.watchPods('shop', r.handler);
    try {
      await inf.synced;
      r.log.length = 0;
      await sim.control.deletePod('shop', victim!.metadata.name);
      await eventually(() => expect(r.log).toContain(`delete ${victim!.metadata.name}`));
      await eventually(() => {
        const replacement = inf
          .list()
          .find((p) => p.metadata.labels?.app === 'postgres' && p.metadata.name !== victim!.metadata.name);
        expect(replacement?.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
      });
    } finally {
      inf.stop();
    }
  });

  it('recovers after the API server restarts, and relists (410) when history was compacted meanwhile', async () => {
    const c = provider.cluster();
    const r = recorder<KService>();
    const inf = c.watchServices('analytics', {}, r.handler);
    try {
      await inf.synced;
      r.log.length = 0;
      await c.listNamespaces(); // warm the keep-alive pool
      await sim.control.restartApi();
      // A one-off call right after the restart must not trip over a kept-alive socket that died.
      expect((await c.listNamespaces()).length).toBeGreaterThan(0);
      // Changes while the informer was cut off must still arrive (re-watch from its resourceVersion).
      await sim.control.apply(serviceYaml('after-restart', 7100, 'analytics'));
      await eventually(() => expect(r.log).toContain('add after-restart'));
      const control = sim.control as unknown as { compact?: () => void };
      if (typeof control.compact === 'function') {
        r.log.length = 0;
        const restart = sim.control.restartApi();
        await sim.control.deleteObject('Service', 'analytics', 'after-restart');
        await sim.control.apply(serviceYaml('after-compaction', 7101, 'analytics'));
        control.compact();
        await restart;
        await eventually(() =>
          expect(r.log).toEqual(
            expect.arrayContaining(['delete after-restart', 'add after-compaction', 'synced']),
          ),
        );
        await sim.control.deleteObject('Service', 'analytics', 'after-compaction');
      } else {
        console.warn('sim control has no compact(); 410 relist is covered by unit tests only');
        await sim.control.deleteObject('Service', 'analytics', 'after-restart');
      }
    } finally {
      inf.stop();
    }
  });

  it('checkAccess names the missing permission; the real call is denied too', async () => {
    const p = createClusterProvider({ kubeconfigPath: sim.kubeconfigPath, invokingUser: null });
    try {
      const c = p.cluster();
      expect(await c.checkAccess('analytics')).toEqual([]);
      sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'analytics' });
      // "get" alone lets a WebSocket port-forward through (Kubernetes 1.31–1.34): not refused here.
      expect(await c.checkAccess('analytics')).toEqual([]);
      sim.control.denyPermission({ verb: 'get', resource: 'pods/portforward', namespace: 'analytics' });
      sim.control.denyPermission({ verb: 'watch', resource: 'services', namespace: 'analytics' });
      expect(await c.checkAccess('analytics')).toEqual([
        'watch services',
        'create pods/portforward (or get pods/portforward)',
      ]);
      expect(await c.checkAccess('shop')).toEqual([]);
      sim.control.denyPermission({ verb: 'list', resource: 'services', namespace: 'sandbox' });
      await expect(c.listServices('sandbox')).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringMatching(/cannot list services in namespace "sandbox"/),
      });
    } finally {
      sim.control.allowAll();
      p.close();
    }
  });

  it('openSession delegates to the port-forward transport (HTTP through a pod)', async () => {
    const p = createClusterProvider({
      kubeconfigPath: sim.kubeconfigPath,
      invokingUser: null,
      transport: 'auto',
    });
    try {
      const [pod] = await sim.control.waitForPodsReady('shop', { app: 'api-gateway' });
      const session = p.cluster().openSession({ namespace: 'shop', name: pod!.metadata.name });
      await session.ready();
      expect(['tunnel', 'spdy', 'websocket']).toContain(session.transport);
      const stream = await session.openStream(8080);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((r) => stream.once('end', r));
      stream.end('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await ended;
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      expect(text).toContain(pod!.metadata.name);
      session.close();
    } finally {
      p.close();
    }
  });

  it('an informer whose watch is forbidden keeps retrying, reports it, and recovers when allowed', async () => {
    const c = provider.cluster();
    sim.control.denyPermission({ verb: 'watch', resource: 'services', namespace: 'sandbox' });
    const r = recorder<KService>();
    const inf = c.watchServices('sandbox', {}, r.handler);
    try {
      await inf.synced;
      await eventually(() =>
        expect(r.errors.filter((e) => e === 'PERMISSION_DENIED').length).toBeGreaterThanOrEqual(2),
      );
      sim.control.allowAll();
      await sim.control.apply(serviceYaml('late', 7200, 'sandbox'));
      await eventually(() => expect(r.log).toContain('add late'));
      await sim.control.deleteObject('Service', 'sandbox', 'late');
    } finally {
      sim.control.allowAll();
      inf.stop();
    }
  });

  it('a bad token → AUTH_FAILED', async () => {
    const path = variantKubeconfig('badtoken.yaml', (t) => t.split(sim.token).join('not-the-token'));
    const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null });
    try {
      await expect(p.cluster().listNamespaces()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    } finally {
      p.close();
    }
  });

  it('an exec plugin supplies the token', async () => {
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${sim.token}"}}'\n`,
      { mode: 0o755 },
    );
    const path = variantKubeconfig('exec.yaml', (t) =>
      t.replace(
        /^(\s*)token: .*$/m,
        (_m, ind: string) =>
          `${ind}exec:\n${ind}  apiVersion: client.authentication.k8s.io/v1\n${ind}  command: ${plugin}`,
      ),
    );
    const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null });
    try {
      expect((await p.cluster().listNamespaces()).length).toBeGreaterThan(0);
    } finally {
      p.close();
    }
  });

  it('an exec credential the server rejects is refreshed once (401 → re-run the plugin → retry)', async () => {
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    const plugin = join(dir, 'rotating.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho x >> ${counter}\nif [ "$(wc -l < ${counter})" -le 1 ]; then t=stale; else t=${sim.token}; fi\n` +
        `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'$t'"}}'\n`,
      { mode: 0o755 },
    );
    const path = variantKubeconfig('rotating.yaml', (t) =>
      t.replace(/^(\s*)token: .*$/m, (_m, ind: string) => `${ind}exec:\n${ind}  command: ${plugin}`),
    );
    const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null });
    try {
      expect((await p.cluster().listNamespaces()).length).toBeGreaterThan(0);
      expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      p.close();
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'under sudo the exec plugin runs as the invoking user: its cache in ~/.kube is not root-owned (kubefwd#285)',
    async () => {
      const home = join(dir, 'user-home');
      mkdirSync(join(home, '.kube'), { recursive: true });
      chmodSync(dir, 0o755);
      chownSync(home, 65534, 65534);
      chownSync(join(home, '.kube'), 65534, 65534);
      const plugin = join(dir, 'caching.sh');
      writeFileSync(
        plugin,
        `#!/bin/sh\nmkdir -p "$HOME/.kube/cache" && echo cached > "$HOME/.kube/cache/token"\n` +
          `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${sim.token}"}}'\n`,
        { mode: 0o755 },
      );
      const path = variantKubeconfig('sudo.yaml', (t) =>
        t.replace(/^(\s*)token: .*$/m, (_m, ind: string) => `${ind}exec:\n${ind}  command: ${plugin}`),
      );
      chmodSync(path, 0o644);
      const p = createClusterProvider({
        kubeconfigPath: path,
        env: {
          PATH: '/usr/bin:/bin',
          HOME: '/root',
          SUDO_UID: '65534',
          SUDO_GID: '65534',
          SUDO_USER: 'nobody',
        },
        invokingUser: { uid: 65534, gid: 65534, name: 'nobody', home, sudo: true },
      });
      try {
        expect((await p.cluster().listNamespaces()).length).toBeGreaterThan(0);
        const st = statSync(join(home, '.kube', 'cache', 'token'));
        expect([st.uid, st.gid]).toEqual([65534, 65534]);
      } finally {
        p.close();
      }
    },
  );

  it('a client certificate authenticates', async () => {
    const path = join(dir, 'cert.yaml');
    writeFileSync(path, sim.certKubeconfig);
    const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null });
    try {
      expect((await p.cluster().listNamespaces()).length).toBeGreaterThan(0);
    } finally {
      p.close();
    }
  });

  it('an unreachable API server → API_UNREACHABLE', async () => {
    const port = new URL(sim.apiUrl).port;
    const path = variantKubeconfig('unreachable.yaml', (t) =>
      t.split(`127.0.0.1:${port}`).join('127.0.0.1:1'),
    );
    const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null });
    try {
      await expect(p.cluster().listNamespaces()).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
      await expect(p.cluster().checkAccess('shop')).rejects.toMatchObject({ code: 'API_UNREACHABLE' });
    } finally {
      p.close();
    }
  });
});
