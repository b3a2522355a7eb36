// Kubernetes Events (core/v1) for what the simulated controllers and kubelet do: Scheduled,
// Pulled/Created/Started, Killing, Unhealthy, SuccessfulCreate/Delete, ScalingReplicaSet.
import { randomBytes } from 'node:crypto';
import type { KObj, ObjectStore } from '../api/store.js';

export const NODE_NAME = 'sim-node';

export interface EventInput {
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  component: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function recordEvent(store: ObjectStore, involved: KObj, e: EventInput): void {
  const namespace = involved.metadata.namespace ?? 'default';
  if (!store.get('namespaces', undefined, namespace)) return;
  const ts = now();
  store.create('events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      kind: involved.kind,
      namespace,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: involved.apiVersion,
      resourceVersion: involved.metadata.resourceVersion,
    },
    reason: e.reason,
    message: e.message,
    type: e.type ?? 'Normal',
    count: 1,
    firstTimestamp: ts,
    lastTimestamp: ts,
    eventTime: null,
    source: { component: e.component, ...(e.component === 'kubelet' ? { host: NODE_NAME } : {}) },
    reportingComponent: e.component,
    reportingInstance: e.component === 'kubelet' ? NODE_NAME : '',
  });
}
