// Credentials changed on disk while kubefwd runs: after a 401 the token file and the kubeconfig's
// entry for the user are read again at once and the call is retried — for REST calls and for the
// port-forward upgrades alike (the token file's one-minute cache must not keep a stale token).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simUserKubeconfig } from '../support/kubeconfig.js';
import { createClusterProvider } from '../../src/kube/index.js';
import { CA_CERT } from '../../src/sim/tls.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-creds-'));
let sim: SimCluster;

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'sample', readyDelayMs: 10, dir: join(dir, 'sim') });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const writeKubeconfig = (path: string, user: Record<string, unknown>) =>
  writeFileSync(path, simUserKubeconfig(sim.apiUrl, CA_CERT, user));

describe('credentials changed on disk are used after the next 401', () => {
  it('a token in the kubeconfig rewritten by a fresh login', async () => {
    const kc = join(dir, 'token.kubeconfig');
    writeKubeconfig(kc, { token: 'expired' });
    const p = createClusterProvider({ kubeconfigPath: kc, invokingUser: null });
    try {
      await expect(p.cluster().listNamespaces()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      writeKubeconfig(kc, { token: sim.token });
      expect((await p.cluster().listNamespaces()).length).toBeGreaterThan(0);
    } finally {
      p.close();
    }
  });

  it('a rotated tokenFile, for a port-forward upgrade within the file cache minute', async () => {
    const tokenPath = join(dir, 'token');
    writeFileSync(tokenPath, 'old-token');
    const kc = join(dir, 'tokenfile.kubeconfig');
    writeKubeconfig(kc, { tokenFile: tokenPath });
    const p = createClusterProvider({ kubeconfigPath: kc, invokingUser: null, transport: 'websocket' });
    try {
      // Caches the old token (the REST retry re-reads it, still old).
      await expect(p.cluster().listNamespaces()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      writeFileSync(tokenPath, sim.token);
      const [pod] = await sim.control.waitForPodsReady('shop', { app: 'api-gateway' });
      const session = p.cluster().openSession({ namespace: 'shop', name: pod!.metadata.name });
      try {
        await session.ready();
        // WebSocket v4 upgrades once per stream: this is the upgrade that must carry the new token.
        const stream = await session.openStream(8080);
        stream.destroy();
      } finally {
        session.close();
      }
    } finally {
      p.close();
    }
  });
});
