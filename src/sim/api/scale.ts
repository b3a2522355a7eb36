// The scale subresource (`kubectl scale`): an autoscaling/v1 Scale view of a workload's
// spec.replicas, and the replica count a PUT or PATCH of that view asks for.
import { mergePatch } from './patch.js';
import { ApiError } from './status.js';
import type { KObj } from './store.js';

/** Workloads with a scale subresource. */
export const SCALABLE = ['deployments', 'statefulsets', 'replicasets'];

export const scaleView = (o: KObj): unknown => {
  const spec = o.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: (o.status as { replicas?: number } | undefined)?.replicas ?? 0,
      selector: Object.entries(spec.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
};

/** The replicas a PUT (whole Scale) or PATCH (of the current view) sets; 422 unless a count ≥ 0. */
export const requestedReplicas = (method: string, existing: KObj, body: unknown): number => {
  const next = (method === 'PUT' ? body : mergePatch(scaleView(existing), body)) as {
    spec?: { replicas?: unknown };
  };
  const replicas = next.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${existing.metadata.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  return replicas;
};
