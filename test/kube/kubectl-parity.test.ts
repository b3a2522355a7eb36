// The same kubeconfig given to kubectl and to kubefwd's kube client, against the simulated cluster:
// if kubectl works with it, kubefwd must too; if kubectl fails, kubefwd's error must say as much.
// The kubectl half of each case is skipped when kubectl is not on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
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

/**
 * A loopback HTTP CONNECT proxy that alone resolves *.test (to 127.0.0.1), so a server named
 * kube.test is reachable only through it; `tunnels` lists the CONNECT targets it served.
 */
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];
const proxySockets = new Set<Socket>();

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'empty', dir: join(dir, 'sim') });
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: { url?: string }, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const m = /^(.*):(\d+)$/.exec(target);
    const host = m?.[1] ?? '';
    const upstream = connect(Number(m?.[2]), host.endsWith('.test') ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      proxySockets.add(s);
      s.on('close', () => proxySockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of proxySockets) s.destroy();
  await new Promise<void>((r) => proxy?.close(() => r()));
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Writes a one-context kubeconfig (JSON is YAML) for the sim; returns its path. */
function writeKubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const path = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
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

describe('the proxy from the environment, as kubectl (Go ProxyFromEnvironment)', () => {
  /** The sim under a name only the proxy resolves; its certificate names localhost. */
  const viaName = () =>
    writeKubeconfig(
      {
        server: sim.apiUrl.replace('127.0.0.1', 'kube.test'),
        'certificate-authority-data': b64(CA_CERT),
        'tls-server-name': 'localhost',
      },
      { token: sim.token },
    );
  // Both spellings of each variable are cleared, so the test does not depend on the caller's shell.
  const clean = {
    HTTPS_PROXY: '',
    https_proxy: '',
    HTTP_PROXY: '',
    http_proxy: '',
    NO_PROXY: '',
    no_proxy: '',
  };

  it.each(['HTTPS_PROXY', 'https_proxy'])('%s carries the requests through the proxy', async (name) => {
    const path = viaName();
    const env = { ...clean, [name]: proxyUrl };
    const port = new URL(sim.apiUrl).port;
    if (hasKubectl) {
      const r = await kubectl(['--kubeconfig', path, 'get', 'ns', '-o', 'name'], env);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('namespace/default');
    }
    tunnels.length = 0;
    expect(await kubefwdList(path, env)).toContain('default');
    expect(tunnels).toContain(`kube.test:${port}`);
  });

  it('NO_PROXY (a domain suffix) exempts the server: both then fail to resolve kube.test', async () => {
    const path = viaName();
    const env = { ...clean, HTTPS_PROXY: proxyUrl, no_proxy: 'example.com, .test' };
    if (hasKubectl) {
      const r = await kubectl(['--kubeconfig', path, 'get', 'ns', '-o', 'name', '--request-timeout=5s'], env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/kube\.test/);
    }
    tunnels.length = 0;
    await expect(kubefwdList(path, env)).rejects.toMatchObject({
      code: 'API_UNREACHABLE',
      message: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/),
    });
    expect(tunnels).toEqual([]);
  });

  it('a loopback server is never proxied, as in Go', async () => {
    const path = writeKubeconfig({ 'certificate-authority-data': b64(CA_CERT) }, { token: sim.token });
    tunnels.length = 0;
    expect(await kubefwdList(path, { ...clean, HTTPS_PROXY: proxyUrl })).toContain('default');
    expect(tunnels).toEqual([]);
  });
});

describe('kubeconfigs kubectl refuses: kubefwd says as much', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp, RegExp][] = [
    [
      'a CA with insecure-skip-tls-verify',
      { 'certificate-authority-data': b64(CA_CERT), 'insecure-skip-tls-verify': true },
      { token: 'x' },
      /specifying a root certificates file with the insecure flag is not allowed/,
      /specifying a root certificates file with the insecure flag is not allowed/,
    ],
    [
      'certificate-authority-data that is not base64',
      { 'certificate-authority-data': '!!notbase64' },
      { token: 'x' },
      /illegal base64 data/,
      /certificate-authority-data of context "ctx" is not valid base64/,
    ],
    [
      'the removed gcp auth-provider',
      { 'certificate-authority-data': b64(CA_CERT) },
      { 'auth-provider': { name: 'gcp' } },
      /gcp auth plugin has been removed[\s\S]*gke-gcloud-auth-plugin/,
      /auth-provider "gcp", which kubectl and client-go removed .*gke-gcloud-auth-plugin/,
    ],
    [
      'the removed azure auth-provider',
      { 'certificate-authority-data': b64(CA_CERT) },
      { 'auth-provider': { name: 'azure' } },
      /azure auth plugin has been removed[\s\S]*kubelogin/,
      /auth-provider "azure", which kubectl and client-go removed .*kubelogin/,
    ],
  ];
  it.each(cases)('%s', async (_what, cluster, user, kubectlSays, kubefwdSays) => {
    const path = writeKubeconfig(cluster, user);
    if (hasKubectl) {
      const r = await kubectl(['--kubeconfig', path, 'get', 'ns']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(kubectlSays);
    }
    const err = (await kubefwdList(path).catch((e: unknown) => e)) as { code?: string; message?: string };
    expect(err.code).toBe('KUBECONFIG_INVALID');
    expect(err.message).toMatch(kubefwdSays);
  });
});

describe('proxy-url with an IP server', () => {
  it("connects without Node's DEP0123 warning (no TLS ServerName set to an IP)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? w.message);
    process.on('warning', onWarning);
    try {
      const path = writeKubeconfig(
        { 'certificate-authority-data': b64(CA_CERT), 'proxy-url': proxyUrl },
        { token: sim.token },
      );
      tunnels.length = 0;
      expect(await kubefwdList(path)).toContain('default');
      expect(tunnels).toEqual([new URL(sim.apiUrl).host]);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('DEP0123');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
