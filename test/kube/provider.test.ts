// createClusterProvider over real files: kubectl's loading rules end to end, clear errors, and the
// structural fit with the engine's ports (kube/ may not import engine/, so this test checks it).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ClusterGateway, ClusterProvider, Informer, PodSession } from '../../src/engine/gateways.js';
import { createClusterProvider, loadKubeconfig } from '../../src/kube/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const kubeconfig = (contexts: { name: string; ns?: string }[], current?: string, port = 6443) => `
apiVersion: v1
kind: Config
clusters:
- name: c${port}
  cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: abc }
contexts:
${contexts.map((c) => `- name: ${c.name}\n  context: { cluster: c${port}, user: u${c.ns ? `, namespace: ${c.ns}` : ''} }`).join('\n')}
${current ? `current-context: ${current}` : ''}
`;

describe('createClusterProvider', () => {
  it('satisfies the engine ports structurally', () => {
    expectTypeOf(createClusterProvider).returns.toMatchTypeOf<ClusterProvider>();
    type Port = ReturnType<ReturnType<typeof createClusterProvider>['cluster']>;
    expectTypeOf<Port>().toMatchTypeOf<ClusterGateway>();
    expectTypeOf<ReturnType<Port['openSession']>>().toMatchTypeOf<PodSession>();
    expectTypeOf<ReturnType<Port['watchPods']>>().toMatchTypeOf<Informer<unknown>>();
  });

  it('merges $KUBECONFIG files first-wins and serves contexts and the current one', () => {
    const a = write('a.yaml', kubeconfig([{ name: 'one', ns: 'shop' }], 'one', 1111));
    const b = write('b.yaml', kubeconfig([{ name: 'one' }, { name: 'two' }], 'two', 2222));
    const provider = createClusterProvider({
      env: { KUBECONFIG: [a, join(dir, 'missing.yaml'), b].join(delimiter) },
      invokingUser: null,
    });
    try {
      expect(provider.currentContext()).toBe('one');
      expect(provider.contexts()).toEqual([
        { name: 'one', cluster: 'c1111', user: 'u', namespace: 'shop' },
        { name: 'two', cluster: 'c2222', user: 'u' },
      ]);
      const one = provider.cluster();
      expect(one.context).toBe('one');
      expect(one.defaultNamespace).toBe('shop');
      expect(provider.cluster('one')).toBe(one);
      expect(provider.cluster('two').defaultNamespace).toBe('default');
      expect(() => provider.cluster('three')).toThrow(
        /context "three" not found .*available contexts: one, two/,
      );
    } finally {
      provider.close();
    }
  });

  it('-c wins over $KUBECONFIG; HOME/.kube/config is the fallback', () => {
    const flag = write('flag.yaml', kubeconfig([{ name: 'flagctx' }], 'flagctx'));
    const env = write('env.yaml', kubeconfig([{ name: 'envctx' }], 'envctx'));
    const p1 = createClusterProvider({ kubeconfigPath: flag, env: { KUBECONFIG: env }, invokingUser: null });
    expect(p1.currentContext()).toBe('flagctx');
    p1.close();
    const home = mkdtempSync(join(dir, 'home-'));
    expect(() => createClusterProvider({ env: { HOME: home }, invokingUser: null })).toThrow(
      new RegExp(`kubeconfig ${join(home, '.kube', 'config')} \\(the default\\) does not exist`),
    );
  });

  it('reports unreadable, malformed and empty-of-context files clearly', () => {
    const unreadable = write('unreadable.yaml', kubeconfig([{ name: 'x' }], 'x'));
    chmodSync(unreadable, 0o000);
    if (process.getuid?.() !== 0) {
      expect(() => loadKubeconfig({ kubeconfigPath: unreadable, env: {}, invokingUser: null })).toThrow(
        /is not readable/,
      );
    }
    expect(() => loadKubeconfig({ kubeconfigPath: dir, env: {}, invokingUser: null })).toThrow(
      /is a directory/,
    );
    const bad = write('bad.yaml', 'clusters: [ {name: x\n');
    expect(() => createClusterProvider({ kubeconfigPath: bad, invokingUser: null })).toThrow(
      new RegExp(`kubeconfig ${bad} is not valid YAML`),
    );
    const noCurrent = write('nocurrent.yaml', kubeconfig([{ name: 'a' }, { name: 'b' }]));
    const p = createClusterProvider({ kubeconfigPath: noCurrent, invokingUser: null });
    expect(() => p.currentContext()).toThrow(/no current-context is set .*pick one of: a, b/);
    expect(p.cluster('b').context).toBe('b');
    p.close();
  });
});
