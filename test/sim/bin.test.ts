// `./bin/kubefwd sim` as a user runs it (needs the build: `npm test` builds first; skipped otherwise):
// loads -f manifests instead of the sample, prints one JSON line, serves, stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const built =
  existsSync(join(root, 'dist/src/cli/bin.js')) && existsSync(join(root, 'dist/src/cli/commands/sim.js'));
if (!built) console.warn('dist/ not built (run `npm run build`): skipping the ./bin/kubefwd sim test');

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-sim-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built)('./bin/kubefwd sim', () => {
  it('serves the -f manifests, prints one JSON line, exits 0 on SIGTERM', async () => {
    const manifest = join(dir, 'app.yaml');
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Namespace
metadata: { name: demo }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: demo }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: nginx, image: nginx, ports: [{ containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: demo }
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
`,
    );
    const child = spawn(
      process.execPath,
      [join(root, 'bin/kubefwd'), 'sim', '--dir', dir, '-f', manifest, '--ready-delay', '10'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      const line = await new Promise<string>((resolveLine, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolveLine(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`kubefwd sim exited ${code} before printing: ${out}`)));
      });
      const info = JSON.parse(line) as { kubeconfig: string; apiUrl: string; controlUrl: string };
      expect(info.kubeconfig).toBe(join(dir, 'kubeconfig'));
      const kc = new KubeConfig();
      kc.loadFromFile(info.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      const namespaces = (await core.listNamespace()).items.map((n) => n.metadata!.name);
      expect(namespaces).toContain('demo');
      expect(namespaces).not.toContain('shop');
      expect(
        (await core.listNamespacedService({ namespace: 'demo' })).items.map((s) => s.metadata!.name),
      ).toEqual(['web']);
    } finally {
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
