// EndpointSlices (discovery.k8s.io/v1) as a pure function of a Service's Endpoints subsets: one
// slice per subset (the addresses that resolve to the same ports), as the API server's EndpointSlice
// controllers write them, from a selector or mirrored from hand-written Endpoints. kubectl 1.32
// reads these, not Endpoints (`kubectl describe svc`).
import { createHash } from 'node:crypto';
import type { KObj } from '../api/store.js';
import type { EndpointSubset } from './endpoints.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The controllers that write slices: from a selector, or mirrored from hand-written Endpoints. */
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MIRRORED_BY = 'endpointslicemirroring-controller.k8s.io';

export const endpointSlicesFor = (
  service: KObj,
  subsets: readonly EndpointSubset[],
  managedBy: string = MANAGED_BY,
): KObj[] =>
  // A selector Service with no endpoints keeps one empty slice (the controller's placeholder).
  (subsets.length === 0 && managedBy === MANAGED_BY ? [{ ports: [] }] : subsets).map((subset) => {
    const endpoint =
      (ready: boolean) =>
      ({ ip, targetRef, hostname, nodeName }: NonNullable<EndpointSubset['addresses']>[number]) => ({
        addresses: [ip],
        conditions: { ready, serving: ready, terminating: false },
        ...(hostname ? { hostname } : {}),
        ...(nodeName ? { nodeName } : {}),
        targetRef,
      });
    // A name that stays the same while the subset's ports do, so a change updates the slice.
    const suffix = createHash('sha256').update(JSON.stringify(subset.ports)).digest('hex').slice(0, 5);
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service.metadata.name}-${suffix}`,
        namespace: service.metadata.namespace,
        labels: {
          ...(service.metadata.labels ?? {}),
          [SERVICE_NAME_LABEL]: service.metadata.name,
          [MANAGED_BY_LABEL]: managedBy,
        },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name: service.metadata.name,
            uid: service.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      addressType: 'IPv4',
      endpoints: [
        ...(subset.addresses ?? []).map(endpoint(true)),
        ...(subset.notReadyAddresses ?? []).map(endpoint(false)),
      ],
      ports: subset.ports,
    };
  });
