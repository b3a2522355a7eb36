// The endpoints controller's pass over the store: every Service with a selector gets Endpoints
// listing its pods (computed by endpoints.ts), written only when they changed.
import type { KObj, ObjectStore } from '../api/store.js';
import { computeEndpointSubsets } from './endpoints.js';

export const reconcileEndpoints = (store: ObjectStore): void => {
  // Group pods by namespace once: a Service only selects pods of its own namespace.
  const podsByNs = new Map<string, KObj[]>();
  for (const p of store.scan('pods')) {
    const key = p.metadata.namespace ?? '';
    const list = podsByNs.get(key);
    if (list) list.push(p);
    else podsByNs.set(key, [p]);
  }
  for (const svc of store.scan('services')) {
    const subsets = computeEndpointSubsets(svc, podsByNs.get(svc.metadata.namespace ?? '') ?? []);
    if (subsets === undefined) continue;
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const existing = store.scan('endpoints', ns).find((e) => e.metadata.name === name);
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
};
