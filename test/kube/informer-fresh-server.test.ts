// An API server that comes back at the same address with fresh state (its resourceVersions reset,
// other pods): the informers must relist, not keep re-watching from a resourceVersion the new
// server never had. Two simulated clusters on one port stand for the server before and after.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { KPod, KService } from '../../src/contract/kube.js';
import { createClusterProvider, type InformerHandler } from '../../src/kube/index.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-fresh-server-'));
const sims: SimCluster[] = [];

afterAll(async () => {
  for (const s of sims) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

const names = <T extends { metadata: { name: string } }>(xs: T[]) => xs.map((x) => x.metadata.name).sort();
const handler = <T>(): InformerHandler<T> => ({
  onAdd: () => undefined,
  onUpdate: () => undefined,
  onDelete: () => undefined,
});

const fresh = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Service
metadata: { name: newcomer, namespace: shop }
spec:
  selector: { app: newcomer }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: newcomer, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: newcomer } }
  template:
    metadata: { labels: { app: newcomer } }
    spec: { containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }] }
`;

describe('informers after the API server came back with fresh state', () => {
  it('relist: vanished pods and services go, the new ones come', async () => {
    const before = await createSimCluster({ scenario: 'sample', readyDelayMs: 10, dir: join(dir, 'a') });
    sims.push(before);
    const port = Number(new URL(before.apiUrl).port);
    // The client certificate user: both clusters share the sim's fixed CA and client certificate.
    const kc = join(dir, 'kubeconfig');
    writeFileSync(kc, before.certKubeconfig);
    const provider = createClusterProvider({
      kubeconfigPath: kc,
      invokingUser: null,
      backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
    });
    const c = provider.cluster();
    const pods = c.watchPods('shop', handler<KPod>());
    const services = c.watchServices('shop', {}, handler<KService>());
    try {
      await Promise.all([pods.synced, services.synced]);
      expect(names(services.list())).toContain('api-gateway');
      // Many more writes than the fresh cluster will have: its resourceVersions stay below ours.
      for (let i = 0; i < 40; i++) before.control.setPodReady('shop', 'kafka-0', i % 2 === 1);
      await vi.waitFor(() => expect(pods.list().length).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
      await before.stop();
      sims.splice(sims.indexOf(before), 1);

      const after = await createSimCluster({
        scenario: 'empty',
        manifests: [fresh],
        port,
        readyDelayMs: 10,
        dir: join(dir, 'b'),
      });
      sims.push(after);
      const expectedPods = names(after.control.pods('shop'));
      expect(expectedPods).toHaveLength(1);
      await vi.waitFor(
        () => {
          expect(names(services.list())).toEqual(['newcomer']);
          expect(names(pods.list())).toEqual(expectedPods);
        },
        { timeout: 15_000, interval: 50 },
      );
    } finally {
      pods.stop();
      services.stop();
      provider.close();
    }
  });
});
