// The same kubeconfig given to kubectl and to kubefwd's kube client, against the simulated cluster:
// if kubectl works with it, kubefwd must too; if kubectl fails, kubefwd's error must say as much.
// The kubectl half of each case is skipped when kubectl is not on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterProvider } from '../../src/kube/index.js';
import { CA_CERT } from '../../src/sim/tls.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.warn('kubectl not found on PATH: skipping the kubectl half of the parity tests');

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-parity-'));
let sim: SimCluster;

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'empty', dir: join(dir, 'sim') });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Writes a one-context kubeconfig (JSON is YAML) for the sim; returns its path. */
function writeKubeconfig(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  name = `kc-${Math.random().toString(36).slice(2)}`,
): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: sim.apiUrl, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return path;
}

function kubectl(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, {
      env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function kubefwdList(path: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const p = createClusterProvider({ kubeconfigPath: path, invokingUser: null, requestTimeoutMs: 5000, env });
  try {
    return (await p.cluster().listNamespaces()).map((n) => n.metadata.name);
  } finally {
    p.close();
  }
}

describe('kubeconfig user keys as kubectl reads them', () => {
  it('tokenFile (relative to the kubeconfig) authenticates', async () => {
    writeFileSync(join(dir, 'token.txt'), `${sim.token}\n`);
    const path = writeKubeconfig({ 'certificate-authority-data': b64(CA_CERT) }, { tokenFile: 'token.txt' });
    if (hasKubectl) {
      const r = await kubectl(['--kubeconfig', path, 'get', 'ns', '-o', 'name']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('namespace/default');
    }
    expect(await kubefwdList(path)).toContain('default');
  });
});
