// The endpoints controllers' pass over the store: every Service with a selector gets Endpoints
// listing its pods (computed by endpoints.ts) and the EndpointSlices of the same (endpoint-slices.ts),
// written only when they changed; slices of Services that are gone are deleted.
import type { KObj, ObjectStore } from '../api/store.js';
import { endpointSlicesFor, MANAGED_BY, MANAGED_BY_LABEL, MIRRORED_BY } from './endpoint-slices.js';
import { computeEndpointSubsets, type EndpointSubset } from './endpoints.js';

export const reconcileEndpoints = (store: ObjectStore): void => {
  // Group pods by namespace once: a Service only selects pods of its own namespace.
  const podsByNs = new Map<string, KObj[]>();
  for (const p of store.scan('pods')) {
    const key = p.metadata.namespace ?? '';
    const list = podsByNs.get(key);
    if (list) list.push(p);
    else podsByNs.set(key, [p]);
  }
  // The slices there now, read once (scan does not copy): each is compared, then kept or deleted.
  const slices = new Map(store.scan('endpointslices').map((o) => [sliceKey(o), o]));
  const wanted = new Set<string>();
  for (const svc of store.scan('services')) {
    const subsets = computeEndpointSubsets(svc, podsByNs.get(svc.metadata.namespace ?? '') ?? []);
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const existing = store.get('endpoints', ns, name);
    if (subsets === undefined) {
      // No selector: Endpoints written by hand are mirrored into slices (not for ExternalName).
      const manual = (existing?.subsets as EndpointSubset[] | undefined) ?? [];
      if ((svc.spec as { type?: string } | undefined)?.type !== 'ExternalName')
        for (const slice of reconcileSlices(store, slices, svc, manual, MIRRORED_BY))
          wanted.add(sliceKey(slice));
      continue;
    }
    for (const slice of reconcileSlices(store, slices, svc, subsets, MANAGED_BY)) wanted.add(sliceKey(slice));
    if (!existing) {
      store.create('endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name,
          namespace: ns,
          labels: {
            ...(svc.metadata.labels ?? {}),
            'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
          },
        },
        subsets,
      });
    } else if (JSON.stringify(existing.subsets ?? []) !== JSON.stringify(subsets)) {
      store.mutate('endpoints', ns, name, (e) => {
        e.subsets = subsets;
      });
    }
  }
  // Slices no Service wants now: its ports or pods moved to another slice, or it is gone.
  for (const [key, slice] of slices)
    if (ours.has(slice.metadata.labels?.[MANAGED_BY_LABEL] ?? '') && !wanted.has(key))
      store.delete('endpointslices', slice.metadata.namespace, slice.metadata.name);
};

const ours = new Set([MANAGED_BY, MIRRORED_BY]);

const sliceKey = (o: KObj): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Writes the Service's slices that changed; returns them all. */
const reconcileSlices = (
  store: ObjectStore,
  existingSlices: ReadonlyMap<string, KObj>,
  svc: KObj,
  subsets: readonly EndpointSubset[],
  managedBy: string,
): KObj[] => {
  const slices = endpointSlicesFor(svc, subsets, managedBy);
  for (const slice of slices) {
    const existing = existingSlices.get(sliceKey(slice));
    if (!existing) store.create('endpointslices', slice);
    else if (
      JSON.stringify([existing.endpoints, existing.ports]) !== JSON.stringify([slice.endpoints, slice.ports])
    )
      store.mutate('endpointslices', slice.metadata.namespace, slice.metadata.name, (o) => {
        o.endpoints = slice.endpoints;
        o.ports = slice.ports;
      });
  }
  return slices;
};
