import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostnamesFor, sanitiseHostname } from './hostnames.js';

describe('hostnamesFor', () => {
  it('produces kubefwd’s 13 names for the first namespace of the first context', () => {
    expect(
      hostnamesFor({
        name: 'nginx',
        namespace: 'default',
        context: 'kind-x',
        clusterIndex: 0,
        namespaceIndex: 0,
      }),
    ).toEqual([
      'nginx',
      'nginx.default',
      'nginx-default',
      'nginx.default.svc',
      'nginx-default-svc',
      'nginx.default.svc.cluster.local',
      'nginx-default-svc-cluster-local',
      'nginx.default.kind-x',
      'nginx-default-kind-x',
      'nginx.default.svc.kind-x',
      'nginx-default-svc-kind-x',
      'nginx.default.svc.cluster.kind-x',
      'nginx-default-svc-cluster-kind-x',
    ]);
  });

  it('adds the -d domain forms only where kubefwd does', () => {
    const first = hostnamesFor({
      name: 'api',
      namespace: 'shop',
      context: 'sim',
      clusterIndex: 0,
      namespaceIndex: 0,
      domain: 'example.com',
    });
    expect(first.slice(0, 3)).toEqual(['api', 'api.example.com', 'api-example-com']);
    expect(first).toContain('api.shop.svc.cluster.example.com');
    const second = hostnamesFor({
      name: 'api',
      namespace: 'other',
      context: 'sim',
      clusterIndex: 0,
      namespaceIndex: 1,
      domain: 'example.com',
    });
    expect(second).not.toContain('api.example.com');
    expect(second[0]).toBe('api.other');
    expect(second).toContain('api.other.svc.cluster.example.com');
  });

  it('uses svc.ns forms for a second namespace and svc.ctx for another context', () => {
    expect(
      hostnamesFor({ name: 'db', namespace: 'b', context: 'sim', clusterIndex: 0, namespaceIndex: 1 }),
    ).toEqual([
      'db.b',
      'db-b',
      'db.b.svc',
      'db-b-svc',
      'db.b.svc.cluster.local',
      'db-b-svc-cluster-local',
      'db.b.sim',
      'db-b-sim',
      'db.b.svc.sim',
      'db-b-svc-sim',
      'db.b.svc.cluster.sim',
      'db-b-svc-cluster-sim',
    ]);
    expect(
      hostnamesFor({ name: 'db', namespace: 'a', context: 'prod', clusterIndex: 1, namespaceIndex: 0 }),
    ).toEqual([
      'db.prod',
      'db-prod',
      'db.a.prod',
      'db-a-prod',
      'db.a.svc.prod',
      'db-a-svc-prod',
      'db.a.svc.cluster.prod',
      'db-a-svc-cluster-prod',
    ]);
    expect(
      hostnamesFor({ name: 'db', namespace: 'a', context: 'prod', clusterIndex: 1, namespaceIndex: 2 }),
    ).toEqual([
      'db.a.prod',
      'db-a-prod',
      'db.a.svc.prod',
      'db-a-svc-prod',
      'db.a.svc.cluster.prod',
      'db-a-svc-cluster-prod',
    ]);
  });

  it('names headless per-pod forwards pod.svc', () => {
    const names = hostnamesFor({
      name: 'kafka-0.kafka',
      namespace: 'shop',
      context: 'sim',
      clusterIndex: 0,
      namespaceIndex: 0,
    });
    expect(names.slice(0, 3)).toEqual(['kafka-0.kafka', 'kafka-0-kafka', 'kafka-0.kafka.shop']);
  });

  it('sanitises odd context names and lower-cases', () => {
    const names = hostnamesFor({
      name: 'Web',
      namespace: 'ns',
      context: 'project/cluster:6443/user',
      clusterIndex: 0,
      namespaceIndex: 0,
    });
    expect(names).toContain('web.ns.project/cluster:6443/user');
    expect(names).toContain('web-ns-project-cluster-6443-user');
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
  });

  it('never repeats a name and every twin is sanitised', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, label, fc.nat(2), fc.nat(2), (name, ns, ctx, c, n) => {
        const out = hostnamesFor({ name, namespace: ns, context: ctx, clusterIndex: c, namespaceIndex: n });
        expect(new Set(out).size).toBe(out.length);
        expect(out.length).toBeGreaterThan(0);
        for (const h of out) if (!h.includes('.')) expect(sanitiseHostname(h)).toBe(h);
      }),
    );
  });
});
