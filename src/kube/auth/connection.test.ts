import { describe, expect, it } from 'vitest';
import { silentLogger } from '../types.js';
import type { ResolvedContext } from '../kubeconfig/load.js';
import type { UserConfig, ClusterConfig } from '../kubeconfig/schema.js';
import { createKubeConnection } from './connection.js';

const ctx = (user: UserConfig, cluster: Partial<ClusterConfig> = {}): ResolvedContext => ({
  name: 'ctx',
  namespace: 'default',
  clusterName: 'c',
  cluster: { server: 'https://127.0.0.1:6443/', ...cluster },
  userName: 'u',
  user,
  source: '/k',
});

const deps = (files: Record<string, string> = {}, now = { t: 0 }) => ({
  env: {},
  home: '/h',
  invokingUser: undefined,
  clock: { now: () => now.t, setTimeout: () => ({ cancel: () => undefined }) },
  logger: silentLogger,
  readFile: (p: string) => {
    const v = files[p];
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return Buffer.from(v);
  },
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('createKubeConnection', () => {
  it('bearer token, trimmed server URL, impersonation headers', async () => {
    const c = createKubeConnection(
      ctx({
        token: 'abc',
        as: 'admin',
        'as-groups': ['ops', 'dev'],
        'as-user-extra': { scopes: ['x', 'y'] },
      }),
      deps(),
    );
    expect(c.server).toBe('https://127.0.0.1:6443');
    expect(c.contextName).toBe('ctx');
    expect(await c.authHeaders()).toEqual({
      Authorization: 'Bearer abc',
      'Impersonate-User': 'admin',
      'Impersonate-Group': ['ops', 'dev'],
      'Impersonate-Extra-scopes': ['x', 'y'],
    });
  });

  it('basic auth', async () => {
    const c = createKubeConnection(ctx({ username: 'a', password: 'b' }), deps());
    expect((await c.authHeaders()).Authorization).toBe(`Basic ${b64('a:b')}`);
  });

  it('tokenFile is re-read after a minute or after invalidation', async () => {
    const files = { '/tok': 'one\n' };
    const now = { t: 0 };
    const c = createKubeConnection(ctx({ tokenFile: '/tok' }), deps(files, now));
    expect((await c.authHeaders()).Authorization).toBe('Bearer one');
    files['/tok'] = 'two';
    expect((await c.authHeaders()).Authorization).toBe('Bearer one');
    now.t = 61_000;
    expect((await c.authHeaders()).Authorization).toBe('Bearer two');
    files['/tok'] = 'three';
    expect(c.invalidateCredentials()).toBe(true);
    expect((await c.authHeaders()).Authorization).toBe('Bearer three');
  });

  it('token and tokenFile: the file wins, the token is the fallback while the file is unreadable (client-go)', async () => {
    const files: Record<string, string> = { '/tok': 'from-file' };
    const c = createKubeConnection(ctx({ token: 'inline', tokenFile: '/tok' }), deps(files));
    expect((await c.authHeaders()).Authorization).toBe('Bearer from-file');
    delete files['/tok'];
    c.invalidateCredentials();
    expect((await c.authHeaders()).Authorization).toBe('Bearer inline');
    const alone = createKubeConnection(ctx({ tokenFile: '/missing' }), deps());
    await expect(alone.authHeaders()).rejects.toThrow(
      /tokenFile file \/missing of context "ctx" cannot be read/,
    );
    const empty = createKubeConnection(ctx({ tokenFile: '/e' }), deps({ '/e': '\n' }));
    await expect(empty.authHeaders()).rejects.toThrow(/tokenFile \/e of context "ctx" is empty/);
  });

  it('names an unreadable certificate file', async () => {
    const c = createKubeConnection(ctx({}, { 'certificate-authority': '/missing/ca.crt' }), deps());
    await expect(c.tlsOptions()).rejects.toThrow(
      /certificate-authority file \/missing\/ca.crt of context "ctx" cannot be read/,
    );
  });

  it('exec plugin: token in headers, client cert in TLS, re-run after invalidation', async () => {
    let runs = 0;
    const c = createKubeConnection(ctx({ exec: { command: 'plugin' } }), {
      ...deps(),
      execRunner: async () => {
        runs += 1;
        return JSON.stringify({
          status: { token: `t${runs}`, clientCertificateData: 'PEMCERT', clientKeyData: 'PEMKEY' },
        });
      },
    });
    expect((await c.authHeaders()).Authorization).toBe('Bearer t1');
    const tls = await c.tlsOptions();
    expect(tls.cert).toBe('PEMCERT');
    expect(tls.key).toBe('PEMKEY');
    expect(runs).toBe(1);
    expect(c.invalidateCredentials()).toBe(true);
    expect((await c.authHeaders()).Authorization).toBe('Bearer t2');
  });

  it('a static token cannot be refreshed', () => {
    expect(createKubeConnection(ctx({ token: 'x' }), deps()).invalidateCredentials()).toBe(false);
  });

  it('auth-provider oidc: the id-token is sent via client-node', async () => {
    // A JWT whose exp is far in the future, so no refresh against an issuer is attempted.
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${part({ alg: 'none' })}.${part({ exp: 4102444800 })}.sig`;
    const c = createKubeConnection(
      ctx({
        'auth-provider': {
          name: 'oidc',
          config: { 'id-token': jwt, 'client-id': 'kubefwd', 'idp-issuer-url': 'https://issuer.invalid' },
        },
      }),
      deps(),
    );
    expect((await c.authHeaders()).Authorization).toBe(`Bearer ${jwt}`);
  });

  it('auth-provider: first requests arriving together share one provider (one token refresh, not one each)', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${part({ alg: 'none' })}.${part({ exp: 4102444800 })}.sig`;
    let builds = 0;
    const provider = {
      name: 'oidc',
      // Read once each time a provider is built from the kubeconfig entry.
      get config() {
        builds++;
        return { 'id-token': jwt, 'client-id': 'kubefwd', 'idp-issuer-url': 'https://issuer.invalid' };
      },
    };
    const c = createKubeConnection(ctx({ 'auth-provider': provider }), deps());
    const all = await Promise.all([c.authHeaders(), c.authHeaders(), c.authHeaders()]);
    expect(all.map((h) => h.Authorization)).toEqual(Array(3).fill(`Bearer ${jwt}`));
    expect(builds).toBe(1);
  });

  it('auth-provider without the optional client-node package: AUTH_FAILED saying how to get it', async () => {
    const missing = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package '@kubernetes/client-node'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
      );
    const c = createKubeConnection(ctx({ 'auth-provider': { name: 'oidc', config: {} } }), {
      ...deps(),
      importClientNode: missing,
    });
    await expect(c.authHeaders()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringMatching(
        /optional package @kubernetes\/client-node.*npm install -g kubefwd.*exec plugin/s,
      ),
    });
  });
});
