import { describe, expect, it } from 'vitest';
import type { KPod, KService } from '../contract/kube.js';
import {
  unmatchedExcludes,
  unmatchedMappings,
  unmatchedReservations,
  type ListedNamespace,
} from './unmatched-names.js';

const svc = (name: string, headless = false): KService => ({
  metadata: { name, namespace: 'x' },
  spec: { selector: { app: name }, ...(headless ? { clusterIP: 'None' } : {}), ports: [] },
});
const pod = (name: string, app: string): KPod =>
  ({ metadata: { name, namespace: 'x', labels: { app } } }) as unknown as KPod;

const shop: ListedNamespace = {
  context: 'sim',
  namespace: 'shop',
  clusterIndex: 0,
  namespaceIndex: 0,
  services: [svc('postgres'), svc('kafka', true)],
  pods: [pod('kafka-0', 'kafka'), pod('postgres-7d9', 'postgres')],
};
const analytics: ListedNamespace = {
  context: 'sim',
  namespace: 'analytics',
  clusterIndex: 0,
  namespaceIndex: 1,
  services: [svc('reports')],
  pods: [],
};

describe('unmatchedReservations', () => {
  it('names a reservation no forwarded service can take, with the name it likely meant', () => {
    const w = unmatchedReservations(
      [
        { name: 'postgres', ip: '127.1.27.40' },
        { name: 'kafka-0.kafka', ip: '127.1.27.41' },
        { name: 'kafka-0', ip: '127.1.27.42' },
        { name: 'reports.analytics', ip: '127.1.27.43' },
        { name: 'postgress.shop', ip: '127.1.27.44' },
        { name: 'reports', ip: '127.1.27.45' },
      ],
      [shop, analytics],
    );
    expect(w).toEqual([
      'Reservation postgress.shop:127.1.27.44 matches no forwarded service (did you mean "postgres.shop"?); 127.1.27.44 stays unused',
      // Short names belong to the first namespace only: kubefwd's candidate table.
      'Reservation reports:127.1.27.45 matches no forwarded service (did you mean "reports.analytics"?); 127.1.27.45 stays unused (a service outside the first namespace is reserved as <service>.<namespace>)',
    ]);
  });

  it('says nothing with no reservations or before any namespace is listed', () => {
    expect(unmatchedReservations([], [shop])).toEqual([]);
    expect(unmatchedReservations([{ name: 'x', ip: '127.1.1.1' }], [])).toEqual([]);
  });
});

describe('unmatchedExcludes', () => {
  it('names a pattern whose service or namespace is not there', () => {
    expect(
      unmatchedExcludes(
        [
          { namespace: 'shop', name: 'kafka' },
          { namespace: 'shop', name: 'kafak' },
          { namespace: '*', name: 'reports' },
          { namespace: 'analytic', name: 'reports' },
          { namespace: 'analytics', name: '*' },
          { context: 'other', namespace: 'shop', name: 'postgres' },
        ],
        [shop, analytics],
      ),
    ).toEqual([
      '--exclude shop/kafak matches no service in shop (did you mean "kafka"?).',
      '--exclude analytic/reports: namespace analytic is not forwarded (did you mean "analytics"?); forwarded: shop, analytics.',
      '--exclude other/shop/postgres: context other is not forwarded; forwarded: sim.',
    ]);
    // Idle mode: nothing forwarded yet, the patterns wait for namespaces added later.
    expect(unmatchedExcludes([{ namespace: 'shop', name: 'kafak' }], [])).toEqual([]);
  });
});

describe('unmatchedMappings', () => {
  const web: ListedNamespace = {
    ...analytics,
    services: [
      {
        metadata: { name: 'auth', namespace: 'analytics' },
        spec: {
          selector: { app: 'auth' },
          ports: [
            { port: 443, targetPort: 'https' },
            { port: 80, targetPort: 8080 },
            { port: 53, protocol: 'UDP' },
          ],
        },
      },
    ],
  };
  it('resolves a named target port through the pods', () => {
    const authPod = {
      metadata: { name: 'auth-1', namespace: 'analytics', labels: { app: 'auth' } },
      spec: { containers: [{ name: 'auth', ports: [{ name: 'https', containerPort: 8443 }] }] },
    } as unknown as KPod;
    expect(unmatchedMappings(new Map([[8443, 9443]]), [{ ...web, pods: [authPod] }])).toEqual([
      "--mapping 8443:9443 matches no service port of the forwarded services; nothing is mapped (8443 is the target port of auth.analytics; -m maps the service's port: -m 443:9443)",
    ]);
  });
  it('names a mapping of a port no forwarded service has, with the one meant for a target port', () => {
    expect(
      unmatchedMappings(
        new Map([
          [443, 9443],
          [8080, 18080],
          [1234, 4321],
          [53, 5353],
        ]),
        [web],
      ),
    ).toEqual([
      "--mapping 8080:18080 matches no service port of the forwarded services; nothing is mapped (8080 is the target port of auth.analytics; -m maps the service's port: -m 80:18080)",
      '--mapping 1234:4321 matches no service port of the forwarded services; nothing is mapped (-m takes the service port that `kubectl get svc` shows, e.g. -m 80:8080)',
      // UDP ports are not forwarded, so a mapping of one maps nothing.
      '--mapping 53:5353 matches no service port of the forwarded services; nothing is mapped (-m takes the service port that `kubectl get svc` shows, e.g. -m 80:8080)',
    ]);
  });
  it('says nothing with no mappings or before any namespace is listed', () => {
    expect(unmatchedMappings(new Map(), [web])).toEqual([]);
    expect(unmatchedMappings(new Map([[1, 2]]), [])).toEqual([]);
  });
});
