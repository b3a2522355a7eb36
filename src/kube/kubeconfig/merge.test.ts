import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeKubeconfigs } from './merge.js';
import { parseKubeconfig } from './parse.js';
import type { KubeconfigFile } from './schema.js';

const file = (path: string, text: string): KubeconfigFile => parseKubeconfig(text, path);

describe('mergeKubeconfigs (kubectl rules)', () => {
  it('keeps the first definition of a name and the first current-context', () => {
    const a = file(
      '/a/config',
      `
clusters:
- name: prod
  cluster: { server: https://a.example:6443 }
users:
- name: me
  user: { token: from-a }
contexts:
- name: prod
  context: { cluster: prod, user: me, namespace: shop }
current-context: prod
`,
    );
    const b = file(
      '/b/config',
      `
clusters:
- name: prod
  cluster: { server: https://b.example:6443 }
- name: dev
  cluster: { server: https://dev.example:6443 }
users:
- name: me
  user: { token: from-b }
contexts:
- name: prod
  context: { cluster: dev, user: me }
- name: dev
  context: { cluster: dev, user: me }
current-context: dev
`,
    );
    const m = mergeKubeconfigs([a, b]);
    expect(m.currentContext).toBe('prod');
    expect(m.clusters.get('prod')?.server).toBe('https://a.example:6443');
    expect(m.clusters.get('dev')?.server).toBe('https://dev.example:6443');
    expect(m.users.get('me')?.token).toBe('from-a');
    // Entries are never merged field by field: context prod is file a's, without b's fields.
    expect(m.contexts.get('prod')).toEqual({ cluster: 'prod', user: 'me', namespace: 'shop' });
    expect(m.contextSource.get('dev')).toBe('/b/config');
    expect(m.files).toEqual(['/a/config', '/b/config']);
  });

  it('takes current-context from the first file that sets it, skipping files without one', () => {
    const a = file('/a', 'contexts: []\n');
    const b = file('/b', 'current-context: second\n');
    const c = file('/c', 'current-context: third\n');
    expect(mergeKubeconfigs([a, b, c]).currentContext).toBe('second');
    expect(mergeKubeconfigs([a]).currentContext).toBeUndefined();
  });

  it('matches a first-wins model for any files (property)', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const fileArb = fc.record({
      clusters: fc.array(fc.tuple(name, fc.nat(99)), { maxLength: 4 }),
      contexts: fc.array(fc.tuple(name, name), { maxLength: 4 }),
      current: fc.option(name, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 1, maxLength: 5 }), (specs) => {
        const files: KubeconfigFile[] = specs.map((s, i) => ({
          path: `/f${i}`,
          clusters: new Map(s.clusters.map(([n, port]) => [n, { server: `https://h:${port}` }])),
          users: new Map(),
          contexts: new Map(s.contexts.map(([n, cl]) => [n, { cluster: cl }])),
          currentContext: s.current,
        }));
        const m = mergeKubeconfigs(files);
        for (const n of ['a', 'b', 'c', 'd']) {
          const firstCluster = files.find((f) => f.clusters.has(n));
          expect(m.clusters.get(n)).toEqual(firstCluster?.clusters.get(n));
          const firstCtx = files.find((f) => f.contexts.has(n));
          expect(m.contexts.get(n)).toEqual(firstCtx?.contexts.get(n));
          expect(m.contextSource.get(n)).toBe(firstCtx?.path);
        }
        expect(m.currentContext).toBe(files.find((f) => f.currentContext)?.currentContext);
      }),
    );
  });
});

describe('parseKubeconfig', () => {
  it('resolves relative file references against the file directory', () => {
    const f = file(
      '/home/u/.kube/config',
      `
clusters:
- name: c
  cluster: { server: https://x, certificate-authority: ca.crt }
users:
- name: u
  user:
    client-certificate: certs/u.crt
    client-key: /abs/u.key
    tokenFile: ../tok
    exec: { command: ./bin/plugin, args: [a] }
- name: v
  user:
    exec: { command: gke-gcloud-auth-plugin }
`,
    );
    expect(f.clusters.get('c')?.['certificate-authority']).toBe('/home/u/.kube/ca.crt');
    const u = f.users.get('u')!;
    expect(u['client-certificate']).toBe('/home/u/.kube/certs/u.crt');
    expect(u['client-key']).toBe('/abs/u.key');
    expect(u.tokenFile).toBe('/home/u/tok');
    expect(u.exec?.command).toBe('/home/u/.kube/bin/plugin');
    expect(f.users.get('v')?.exec?.command).toBe('gke-gcloud-auth-plugin');
  });

  it('treats an empty file as an empty config', () => {
    const f = file('/e', '');
    expect(f.contexts.size).toBe(0);
    expect(f.currentContext).toBeUndefined();
  });

  it('names the file and the line for malformed YAML', () => {
    expect(() => file('/bad/config', 'clusters:\n  - name: [unclosed\n')).toThrow(
      /kubeconfig \/bad\/config is not valid YAML/,
    );
    try {
      file('/bad/config', 'a: b\n c: d\n  e');
    } catch (err) {
      expect((err as { code: string }).code).toBe('KUBECONFIG_INVALID');
    }
  });

  it('names the file and the path of a wrongly typed field', () => {
    expect(() => file('/bad/config', 'users:\n- name: u\n  user: { token: 5 }\n')).toThrow(
      /kubeconfig \/bad\/config is malformed at users\[0\]\.user\.token/,
    );
    expect(() => file('/bad/config', '- just\n- a list\n')).toThrow(/malformed/);
  });
});
