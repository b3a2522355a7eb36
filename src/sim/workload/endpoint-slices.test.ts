import { describe, expect, it } from 'vitest';
import type { KObj } from '../api/store.js';
import { endpointSlicesFor, MIRRORED_BY } from './endpoint-slices.js';
import type { EndpointSubset } from './endpoints.js';

const svc: KObj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop', uid: 'svc-uid', labels: { app: 'web' } },
};
const ref = (name: string) => ({ kind: 'Pod' as const, namespace: 'shop', name, uid: `${name}-uid` });

describe('endpointSlicesFor', () => {
  it('one slice per subset: ready and not-ready endpoints with their conditions, the ports, the service labels', () => {
    const subsets: EndpointSubset[] = [
      {
        addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') }],
        notReadyAddresses: [{ ip: '10.0.0.2', targetRef: ref('b') }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
      {
        addresses: [{ ip: '10.0.0.3', targetRef: ref('c') }],
        ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
      },
    ];
    const [first, second, ...rest] = endpointSlicesFor(svc, subsets);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        namespace: 'shop',
        labels: {
          app: 'web',
          'kubernetes.io/service-name': 'web',
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        },
        ownerReferences: [{ kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }],
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: 'n1',
          targetRef: ref('a'),
        },
        {
          addresses: ['10.0.0.2'],
          conditions: { ready: false, serving: false, terminating: false },
          targetRef: ref('b'),
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    expect(first!.metadata.name).toMatch(/^web-[0-9a-f]{5}$/);
    expect(second!.metadata.name).not.toBe(first!.metadata.name);
    // The name follows the ports, not the pods: a pod change updates the same slice.
    expect(endpointSlicesFor(svc, [{ ...subsets[0]!, addresses: [] }])[0]!.metadata.name).toBe(
      first!.metadata.name,
    );
    // No endpoints: one empty slice from a selector, none mirrored from an empty Endpoints.
    expect(endpointSlicesFor(svc, [])).toMatchObject([{ endpoints: [], ports: [] }]);
    expect(endpointSlicesFor(svc, [], MIRRORED_BY)).toEqual([]);
    expect(endpointSlicesFor(svc, subsets, MIRRORED_BY)[0]!.metadata.labels).toMatchObject({
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
  });
});
