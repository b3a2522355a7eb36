import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../../contract/errors.js';
import { kubeconfigPaths, loadKubeconfig, resolveContext } from './load.js';

const enoent = (p: string) =>
  Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
const eacces = (p: string) =>
  Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });

const fsOf =
  (files: Record<string, string | Error>) =>
  (p: string): string => {
    const v = files[p];
    if (v === undefined) throw enoent(p);
    if (v instanceof Error) throw v;
    return v;
  };

const cfg = (ctxs: string[], current?: string, server = 'https://127.0.0.1:6443') => `
clusters:
- name: c
  cluster: { server: ${server} }
users:
- name: u
  user: { token: t }
contexts:
${ctxs.map((n) => `- name: ${n}\n  context: { cluster: c, user: u${n === 'withns' ? ', namespace: shop' : ''} }`).join('\n')}
${current ? `current-context: ${current}` : ''}
`;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubefwdError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
};

describe('kubeconfigPaths', () => {
  it('prefers the flag, then $KUBECONFIG, then ~/.kube/config', () => {
    const env = { KUBECONFIG: '/a:/b' };
    expect(kubeconfigPaths({ kubeconfigPath: '/x/k', env, home: '/h' })).toEqual({
      source: 'flag',
      paths: ['/x/k'],
    });
    expect(kubeconfigPaths({ env, home: '/h' })).toEqual({ source: 'env', paths: ['/a', '/b'] });
    expect(kubeconfigPaths({ env: {}, home: '/h' })).toEqual({
      source: 'default',
      paths: ['/h/.kube/config'],
    });
  });

  it('drops empty entries and duplicates of $KUBECONFIG and expands ~', () => {
    expect(kubeconfigPaths({ env: { KUBECONFIG: ':/a::~/k:/a:' }, home: '/h' }).paths).toEqual([
      '/a',
      '/h/k',
    ]);
    expect(kubeconfigPaths({ env: { KUBECONFIG: '' }, home: '/h' }).source).toBe('default');
    expect(kubeconfigPaths({ kubeconfigPath: '~/kc', env: {}, home: '/h' }).paths).toEqual(['/h/kc']);
  });
});

describe('loadKubeconfig', () => {
  it('merges $KUBECONFIG files first-wins and skips missing ones', () => {
    const loaded = loadKubeconfig({
      env: { KUBECONFIG: '/missing:/one:/two' },
      invokingUser: null,
      readFile: fsOf({ '/one': cfg(['a'], 'a'), '/two': cfg(['a', 'b'], 'b') }),
    });
    expect(loaded.files).toEqual(['/one', '/two']);
    expect(loaded.currentContext).toBe('a');
    expect(loaded.contexts.map((c) => c.name)).toEqual(['a', 'b']);
    expect(loaded.contexts[0]).toEqual({ name: 'a', cluster: 'c', user: 'u' });
  });

  it('reads ~/.kube/config of the invoking user under sudo, not root’s', () => {
    const loaded = loadKubeconfig({
      env: { HOME: '/root' },
      invokingUser: { uid: 1000, gid: 1000, name: 'dev', home: '/home/dev', sudo: true },
      readFile: fsOf({
        '/home/dev/.kube/config': cfg(['a'], 'a'),
        '/root/.kube/config': cfg(['root'], 'root'),
      }),
    });
    expect(loaded.files).toEqual(['/home/dev/.kube/config']);
    expect(loaded.home).toBe('/home/dev');
    expect(loaded.currentContext).toBe('a');
  });

  it('names a missing -c file, a missing default file and missing $KUBECONFIG files', () => {
    const read = fsOf({});
    expect(
      codeOf(() =>
        loadKubeconfig({ kubeconfigPath: '/nope/kc', env: {}, invokingUser: null, readFile: read }),
      ),
    ).toBe('KUBECONFIG_INVALID: kubeconfig /nope/kc (from --kubeconfig) does not exist');
    expect(codeOf(() => loadKubeconfig({ env: { HOME: '/h' }, invokingUser: null, readFile: read }))).toBe(
      'KUBECONFIG_INVALID: kubeconfig /h/.kube/config (the default) does not exist',
    );
    // Under sudo (without -E, KUBECONFIG is gone): the hint says so.
    const sudoErr = (() => {
      try {
        loadKubeconfig({
          env: {},
          invokingUser: { uid: 1000, gid: 1000, name: 'dev', home: '/home/dev', sudo: true },
          readFile: read,
        });
      } catch (e) {
        return e as { hint?: string };
      }
      return undefined;
    })();
    expect(sudoErr?.hint).toMatch(/Under sudo your KUBECONFIG is dropped unless you run `sudo -E`/);
    expect(
      codeOf(() => loadKubeconfig({ env: { KUBECONFIG: '/x:/y' }, invokingUser: null, readFile: read })),
    ).toMatch(
      /KUBECONFIG_INVALID: no kubeconfig found: none of the files in \$KUBECONFIG exist \(\/x, \/y\)/,
    );
  });

  it('names an unreadable file even inside $KUBECONFIG', () => {
    const read = fsOf({ '/one': eacces('/one') });
    expect(
      codeOf(() => loadKubeconfig({ env: { KUBECONFIG: '/one' }, invokingUser: null, readFile: read })),
    ).toBe('KUBECONFIG_INVALID: kubeconfig /one (from $KUBECONFIG) is not readable by this user');
  });

  it('reports malformed YAML with the path', () => {
    const read = fsOf({ '/k': 'clusters: [\n' });
    expect(
      codeOf(() => loadKubeconfig({ kubeconfigPath: '/k', env: {}, invokingUser: null, readFile: read })),
    ).toMatch(/^KUBECONFIG_INVALID: kubeconfig \/k is not valid YAML/);
  });
});

describe('resolveContext', () => {
  const load = (text: string) =>
    loadKubeconfig({ kubeconfigPath: '/k', env: {}, invokingUser: null, readFile: fsOf({ '/k': text }) });

  it('uses the current context by default and the context namespace or "default"', () => {
    const l = load(cfg(['a', 'withns'], 'a'));
    const a = resolveContext(l);
    expect(a.name).toBe('a');
    expect(a.namespace).toBe('default');
    expect(a.cluster.server).toBe('https://127.0.0.1:6443');
    expect(a.user.token).toBe('t');
    expect(resolveContext(l, 'withns').namespace).toBe('shop');
  });

  it('lists the available contexts for an unknown one', () => {
    const l = load(cfg(['a', 'b'], 'a'));
    expect(codeOf(() => resolveContext(l, 'zzz'))).toBe(
      'CONTEXT_NOT_FOUND: context "zzz" not found in kubeconfig /k; available contexts: a, b',
    );
  });

  it('suggests the context meant by a typo', () => {
    const l = load(cfg(['staging-eu-west-1', 'staging-us-east-1', 'prod-eu-west-1'], 'prod-eu-west-1'));
    expect(codeOf(() => resolveContext(l, 'stagng-eu-west-1'))).toMatch(
      /^CONTEXT_NOT_FOUND: context "stagng-eu-west-1" not found in kubeconfig \/k \(did you mean "staging-eu-west-1"( or "staging-us-east-1")?\?\); available contexts: /,
    );
  });

  it('says a kubeconfig without contexts defines none (not "pick one of: (none)")', () => {
    const l = load('apiVersion: v1\nkind: Config\n');
    expect(codeOf(() => resolveContext(l))).toBe('KUBECONFIG_INVALID: kubeconfig /k defines no contexts');
    expect(codeOf(() => resolveContext(l, 'x'))).toBe(
      'CONTEXT_NOT_FOUND: kubeconfig /k defines no contexts (context "x" was asked for)',
    );
  });

  it('says when no current context is set', () => {
    const l = load(cfg(['a', 'b']));
    expect(codeOf(() => resolveContext(l))).toBe(
      'KUBECONFIG_INVALID: no current-context is set in kubeconfig /k; pick one of: a, b',
    );
  });

  it('rejects a context whose cluster or user is not defined, or a bad server URL', () => {
    const dangling = `
clusters: []
users: []
contexts:
- name: a
  context: { cluster: gone, user: u }
- name: b
  context: {}
`;
    const l = load(dangling);
    expect(codeOf(() => resolveContext(l, 'a'))).toMatch(/refers to cluster "gone", which is not defined/);
    expect(codeOf(() => resolveContext(l, 'b'))).toMatch(/names no cluster/);
    const noUser = load(`
clusters: [{ name: c, cluster: { server: "https://x" } }]
contexts: [{ name: a, context: { cluster: c, user: ghost } }]
`);
    expect(codeOf(() => resolveContext(noUser, 'a'))).toMatch(/refers to user "ghost"/);
    expect(codeOf(() => resolveContext(load(cfg(['a'], 'a', 'ftp://x')), 'a'))).toMatch(
      /invalid server URL "ftp:\/\/x"/,
    );
    expect(codeOf(() => resolveContext(load(cfg(['a'], 'a', '""')), 'a'))).toMatch(/has no server URL/);
  });
});
