// Admission and deletion as the API server does them, shared by the REST handlers and the control
// handle's apply/delete: admission checks, no new content in a Terminating namespace, pods deleted
// gracefully, namespaces through Terminating, the built-in namespaces never.
import { admit, type AdmissionContext } from './admission.js';
import type { ResourceType } from './resources.js';
import { ApiError, notFound } from './status.js';
import { StoreError, type KObj, type ObjectStore } from './store.js';
import type { SimWorkloads } from '../workload/cluster.js';

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class ObjectLifecycle {
  constructor(
    private readonly store: ObjectStore,
    private readonly workloads: SimWorkloads,
  ) {}

  /** Admission for create. */
  admitNew(r: ResourceType, body: unknown, namespace: string | undefined): KObj {
    const obj = admit(r, body, namespace, this.admissionContext());
    if (r.namespaced) {
      const ns = this.store.get('namespaces', undefined, obj.metadata.namespace ?? '');
      if (!ns) throw notFound('namespaces', obj.metadata.namespace ?? '');
      if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating')
        throw new ApiError(
          403,
          'Forbidden',
          `${r.name} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns.metadata.name} because it is being terminated`,
        );
    }
    return obj;
  }

  /** Admission for replace (update, or apply of an existing object): keeps uid, pods' status, generation rules. */
  admitReplace(r: ResourceType, body: unknown, namespace: string | undefined, existing: KObj): KObj {
    const obj = admit(r, body, namespace, this.admissionContext(), existing);
    if (r.kind === 'Pod') obj.status = existing.status;
    return obj;
  }

  /** Delete as the API server does: pods gracefully, namespaces via Terminating. */
  deleteObject(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    q: URLSearchParams = new URLSearchParams(),
  ): KObj {
    if (r.name === 'pods' && q.get('gracePeriodSeconds') !== '0')
      return this.workloads.deletePod(namespace ?? '', name).object;
    if (r.name === 'namespaces') {
      if (PROTECTED_NAMESPACES.includes(name))
        throw new ApiError(
          403,
          'Forbidden',
          `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        );
      const updated = this.store.mutate('namespaces', undefined, name, (o) => {
        o.metadata.deletionTimestamp ??= now();
        o.status = { phase: 'Terminating' };
      });
      if (!updated) throw notFound('namespaces', name);
      return updated;
    }
    try {
      return this.store.delete(r.name, namespace, name);
    } catch (err) {
      if (err instanceof StoreError) throw notFound(r.name, name, r.group);
      throw err;
    }
  }

  private admissionContext(): AdmissionContext {
    const specs = () => this.store.scan('services').map((s) => (s.spec ?? {}) as ServiceSpecView);
    return {
      usedClusterIPs: () => new Set(specs().map((s) => s.clusterIP ?? '')),
      usedNodePorts: () => new Set(specs().flatMap((s) => (s.ports ?? []).map((p) => p.nodePort ?? 0))),
    };
  }
}

interface ServiceSpecView {
  clusterIP?: string;
  ports?: { nodePort?: number }[];
}
