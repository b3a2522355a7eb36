// TLS as the kubeconfig says: CA data/file, client certificates, tls-server-name,
// insecure-skip-tls-verify — and a certificate the client cannot verify is TLS_ERROR, not a hang.
// Uses the simulated cluster's fixed test certificates (server SANs 127.0.0.1, ::1, localhost).
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterProvider, createKubeConnection } from '../../src/kube/index.js';
import { silentLogger } from '../../src/kube/types.js';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY, SERVER_CERT, SERVER_KEY } from '../../src/sim/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-tls-'));
let server: Server;
let url: string;
const seen: { auth?: string; clientCN?: string }[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer(
    { cert: SERVER_CERT, key: SERVER_KEY, ca: CA_CERT, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({
        auth: req.headers.authorization,
        clientCN: peer?.subject ? String(peer.subject.CN) : undefined,
      });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ kind: 'NamespaceList', items: [{ metadata: { name: 'default' } }], metadata: {} }),
      );
    },
  );
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function providerFor(cluster: Record<string, unknown>, user: Record<string, unknown> = { token: 'tok' }) {
  const path = join(dir, `kc-${Math.random().toString(36).slice(2)}.json`);
  // JSON is YAML: no quoting worries for PEM data.
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: url, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return createClusterProvider({ kubeconfigPath: path, invokingUser: null, requestTimeoutMs: 5000 });
}

async function listWith(cluster: Record<string, unknown>, user?: Record<string, unknown>) {
  const p = providerFor(cluster, user);
  try {
    return await p.cluster().listNamespaces();
  } finally {
    p.close();
  }
}

describe('TLS from the kubeconfig', () => {
  it('verifies the server with certificate-authority-data and sends the bearer token', async () => {
    const ns = await listWith({ 'certificate-authority-data': b64(CA_CERT) });
    expect(ns.map((n) => n.metadata.name)).toEqual(['default']);
    expect(seen.at(-1)?.auth).toBe('Bearer tok');
  });

  it('reads certificate-authority and client certificate files relative to the kubeconfig', async () => {
    writeFileSync(join(dir, 'ca.crt'), CA_CERT);
    writeFileSync(join(dir, 'client.crt'), CLIENT_CERT);
    writeFileSync(join(dir, 'client.key'), CLIENT_KEY);
    await listWith(
      { 'certificate-authority': 'ca.crt' },
      { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    );
    expect(seen.at(-1)?.auth).toBeUndefined();
    expect(seen.at(-1)?.clientCN).toBeTruthy();
  });

  it('client certificate data', async () => {
    await listWith(
      { 'certificate-authority-data': b64(CA_CERT) },
      { 'client-certificate-data': b64(CLIENT_CERT), 'client-key-data': b64(CLIENT_KEY) },
    );
    expect(seen.at(-1)?.clientCN).toBeTruthy();
  });

  it('an unknown CA → TLS_ERROR naming the server', async () => {
    await expect(listWith({})).rejects.toMatchObject({
      code: 'TLS_ERROR',
      message: expect.stringContaining(`TLS with the API server ${url} (context "ctx") failed`),
    });
  });

  it('tls-server-name is used for verification', async () => {
    await expect(
      listWith({ 'certificate-authority-data': b64(CA_CERT), 'tls-server-name': 'localhost' }),
    ).resolves.toHaveLength(1);
    await expect(
      listWith({ 'certificate-authority-data': b64(CA_CERT), 'tls-server-name': 'kubernetes.example' }),
    ).rejects.toMatchObject({ code: 'TLS_ERROR' });
  });

  it('insecure-skip-tls-verify accepts any certificate', async () => {
    await expect(listWith({ 'insecure-skip-tls-verify': true })).resolves.toHaveLength(1);
  });
});

describe('TLS material read into the connection (createKubeConnection)', () => {
  const resolved = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) => ({
    name: 'ctx',
    namespace: 'default',
    clusterName: 'c',
    cluster: { server: 'https://127.0.0.1:6443/', ...cluster },
    userName: 'u',
    user,
    source: '/k',
  });
  const deps = (files: Record<string, string> = {}) => ({
    env: {},
    home: '/h',
    invokingUser: undefined,
    clock: { now: () => 0, setTimeout: () => ({ cancel: () => undefined }) },
    logger: silentLogger,
    readFile: (p: string) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return Buffer.from(v);
    },
  });

  it('from data: CA, client cert/key; servername only for a DNS host', async () => {
    const c = createKubeConnection(
      resolved(
        { 'client-certificate-data': b64(CLIENT_CERT), 'client-key-data': b64(CLIENT_KEY) },
        { 'certificate-authority-data': b64(CA_CERT) },
      ),
      deps(),
    );
    const tls = await c.tlsOptions();
    expect(tls.ca?.toString()).toBe(CA_CERT);
    expect(tls.cert?.toString()).toBe(CLIENT_CERT);
    expect(tls.key).toEqual(Buffer.from(CLIENT_KEY));
    expect(tls.rejectUnauthorized).toBe(true);
    expect(tls.servername).toBeUndefined();
    const named = createKubeConnection(resolved({}, { server: 'https://api.example.com' }), deps());
    expect((await named.tlsOptions()).servername).toBe('api.example.com');
  });

  it('from files, tls-server-name, proxy-url; insecure-skip-tls-verify alone', async () => {
    const c = createKubeConnection(
      resolved(
        { 'client-certificate': '/c.crt', 'client-key': '/c.key' },
        {
          'certificate-authority': '/ca.crt',
          'tls-server-name': 'kubernetes',
          'proxy-url': 'http://proxy:3128',
        },
      ),
      deps({ '/ca.crt': CA_CERT, '/c.crt': CLIENT_CERT, '/c.key': CLIENT_KEY }),
    );
    const tls = await c.tlsOptions();
    expect(tls.ca?.toString()).toBe(CA_CERT);
    expect(tls.servername).toBe('kubernetes');
    expect(c.proxyUrl).toBe('http://proxy:3128');
    const insecure = createKubeConnection(resolved({}, { 'insecure-skip-tls-verify': true }), deps());
    const itls = await insecure.tlsOptions();
    expect(itls.rejectUnauthorized).toBe(false);
    expect(itls.ca).toBeUndefined();
  });

  it('says what is wrong with the TLS material, naming the kubeconfig key (as kubectl refuses it)', async () => {
    const fails = (user: Record<string, unknown>, cluster: Record<string, unknown>, files = {}) =>
      createKubeConnection(resolved(user, cluster), deps(files)).tlsOptions();
    await expect(
      fails({}, { 'insecure-skip-tls-verify': true, 'certificate-authority': '/ca.crt' }),
    ).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: expect.stringContaining(
        'sets both insecure-skip-tls-verify and certificate-authority: specifying a root certificates file with the insecure flag is not allowed',
      ),
    });
    await expect(fails({}, { 'certificate-authority-data': '!!notbase64' })).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: 'certificate-authority-data of context "ctx" is not valid base64',
    });
    await expect(
      fails({}, { 'certificate-authority': '/ca.crt' }, { '/ca.crt': 'hello\n' }),
    ).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: expect.stringContaining(
        'certificate-authority file /ca.crt of cluster "c" (context "ctx") could not be parsed',
      ),
    });
    await expect(
      fails(
        { 'client-certificate-data': b64(CLIENT_CERT), 'client-key-data': b64(SERVER_KEY) },
        { 'certificate-authority-data': b64(CA_CERT) },
      ),
    ).rejects.toMatchObject({
      code: 'KUBECONFIG_INVALID',
      message: expect.stringContaining(
        'client-key-data of user "u" (context "ctx") does not match its client-certificate-data',
      ),
    });
  });
});
