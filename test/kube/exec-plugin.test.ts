// Exec credential plugins run for real against the simulated cluster: what the user sees while a
// plugin waits for a login (its stderr, live), a plugin that hangs (named, and stopped on close),
// and a plugin that fails (its stderr in the error, no blame on the cluster).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simUserKubeconfig } from '../support/kubeconfig.js';
import { KubefwdError } from '../../src/contract/errors.js';
import { createClusterProvider } from '../../src/kube/index.js';
import { CA_CERT } from '../../src/sim/tls.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-exec-e2e-'));
let sim: SimCluster;

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'empty', dir: join(dir, 'sim') });
});

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A plugin script (sh) and a kubeconfig that uses it. */
function withPlugin(name: string, body: string, exec: Record<string, unknown> = {}): string {
  const script = join(dir, name);
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  const kc = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    kc,
    simUserKubeconfig(sim.apiUrl, CA_CERT, {
      exec: {
        command: script,
        apiVersion: 'client.authentication.k8s.io/v1',
        interactiveMode: 'IfAvailable',
        ...exec,
      },
    }),
  );
  return kc;
}

const sink = () => {
  const chunks: Buffer[] = [];
  return { write: (c: Buffer) => chunks.push(c), text: () => Buffer.concat(chunks).toString('utf8') };
};

describe('exec credential plugins, for real', () => {
  it("passes the plugin's stderr through while it runs (a device-code prompt), then uses its token", async () => {
    const go = join(dir, 'go');
    const kc = withPlugin(
      'device-login.sh',
      `echo "open https://login.example/device and enter code ABCD-1234" >&2
while [ ! -e ${go} ]; do sleep 0.05; done
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "${sim.token}"`,
    );
    const err = sink();
    const p = createClusterProvider({
      kubeconfigPath: kc,
      invokingUser: null,
      pluginStderr: err,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    try {
      const listing = p.cluster().listNamespaces();
      // Seen while the plugin still waits for the login, not only after it failed.
      await vi.waitFor(() => expect(err.text()).toContain('enter code ABCD-1234'), {
        timeout: 5000,
        interval: 20,
      });
      writeFileSync(go, '');
      expect((await listing).map((n) => n.metadata.name)).toContain('default');
    } finally {
      p.close();
    }
  });

  it('a plugin that hangs: the deadline names the plugin, not the API server; close() stops it', async () => {
    const pidFile = join(dir, 'hang.pid');
    const kc = withPlugin('hang.sh', `echo $$ > ${pidFile}\nexec sleep 60`);
    const p = createClusterProvider({
      kubeconfigPath: kc,
      invokingUser: null,
      pluginStderr: sink(),
      requestTimeoutMs: 700,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    try {
      const err = (await p
        .cluster()
        .listNamespaces()
        .catch((e: unknown) => e)) as KubefwdError;
      expect(err).toBeInstanceOf(KubefwdError);
      expect(err.message).toContain(`the exec credential plugin ${join(dir, 'hang.sh')}`);
      expect(err.message).toContain('did not finish within 700 ms');
      expect(err.message).not.toContain('did not answer');
      expect(err.hint).toMatch(/login/);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(existsSync(`/proc/${pid}`) || process.platform !== 'linux').toBe(true);
      p.close();
      if (process.platform === 'linux')
        await vi.waitFor(() => expect(existsSync(`/proc/${pid}`)).toBe(false), {
          timeout: 5000,
          interval: 20,
        });
    } finally {
      p.close();
    }
  });
});
