import { describe, expect, it } from 'vitest';
import type { KObj } from '../api/store.js';
import { computeEndpointSubsets } from './endpoints.js';

const pod = (
  name: string,
  ip: string,
  ready: boolean,
  ports: { name?: string; containerPort: number }[],
  labels = { app: 'x' },
): KObj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels },
  spec: { containers: [{ name: 'c', ports }], nodeName: 'n' },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const svc = (spec: Record<string, unknown>): KObj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'ns' },
  spec,
});

describe('computeEndpointSubsets', () => {
  it('lists ready pods in addresses and the others in notReadyAddresses, with targetRef', () => {
    const subsets = computeEndpointSubsets(
      svc({ selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
      [
        pod('a', '10.0.0.2', true, []),
        pod('b', '10.0.0.3', false, []),
        pod('other', '10.0.0.4', true, [], { app: 'y' }),
      ],
    );
    expect(subsets).toEqual([
      {
        addresses: [
          {
            ip: '10.0.0.2',
            nodeName: 'n',
            targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
          },
        ],
        notReadyAddresses: [
          {
            ip: '10.0.0.3',
            nodeName: 'n',
            targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('resolves named targetPorts per pod and groups pods by the ports they resolve to', () => {
    const subsets = computeEndpointSubsets(
      svc({ selector: { app: 'x' }, ports: [{ port: 443, targetPort: 'https' }] }),
      [
        pod('a', '10.0.0.2', true, [{ name: 'https', containerPort: 8443 }]),
        pod('b', '10.0.0.3', true, [{ name: 'https', containerPort: 9443 }]),
        pod('c', '10.0.0.4', true, [{ name: 'other', containerPort: 1 }]),
      ],
    );
    expect(subsets?.map((s) => [s.ports[0]!.port, s.addresses!.map((a) => a.targetRef.name)])).toEqual([
      [8443, ['a']],
      [9443, ['b']],
    ]);
  });

  it('leaves Services without selector and ExternalName alone', () => {
    expect(computeEndpointSubsets(svc({ ports: [{ port: 1 }] }), [])).toBeUndefined();
    expect(computeEndpointSubsets(svc({ type: 'ExternalName', selector: { app: 'x' } }), [])).toBeUndefined();
  });
});
