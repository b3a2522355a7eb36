// The workload controllers: Deployment → ReplicaSet, ReplicaSet and StatefulSet → pods, garbage
// collection of what lost its owner, and the status each workload reports. Each is one pass over
// the store; the cluster runs them after every change.
import type { KObj, ObjectStore } from '../api/store.js';
import { isPodReady } from './endpoints.js';
import { recordEvent } from './events.js';
import { randomSuffix, templateHash } from './names.js';
import { controllerOf, ownedBy, ownerRef, timestamp } from './owners.js';

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** Deletes a pod gracefully (Terminating first), as the kubelet does. */
export type DeletePod = (namespace: string, name: string) => void;

const createPod = (
  store: ObjectStore,
  owner: KObj,
  name: string,
  template: PodTemplate,
  extra: { labels: Record<string, string>; spec: Record<string, unknown> },
  event: { component: string; message: string },
): void => {
  const ns = owner.metadata.namespace ?? 'default';
  if (store.get('pods', ns, name)) return;
  const pod: KObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: { ...(template.metadata?.labels ?? {}), ...extra.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: structuredClone({ ...(template.spec ?? {}), ...extra.spec }),
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  if (owner.kind === 'ReplicaSet') pod.metadata.generateName = `${owner.metadata.name}-`;
  store.create('pods', pod);
  recordEvent(store, owner, {
    reason: 'SuccessfulCreate',
    message: event.message.replace('%s', name),
    component: event.component,
  });
};

const ownedPods = (store: ObjectStore, owner: KObj): KObj[] =>
  store.list('pods', owner.metadata.namespace).filter((p) => ownedBy(p, owner));

/** A Deployment owns one ReplicaSet per pod template (named by its hash); older ones go. */
export const reconcileDeployments = (store: ObjectStore): void => {
  for (const d of store.list('deployments')) {
    if (d.metadata.deletionTimestamp !== undefined) continue;
    const spec = d.spec as { replicas?: number; template?: PodTemplate; selector?: unknown };
    const hash = templateHash(spec.template);
    const rsName = `${d.metadata.name}-${hash}`;
    const ns = d.metadata.namespace;
    const owned = store.list('replicasets', ns).filter((r) => ownedBy(r, d));
    for (const old of owned.filter((r) => r.metadata.name !== rsName))
      store.delete('replicasets', ns, old.metadata.name);
    const replicas = spec.replicas ?? 1;
    const current = owned.find((r) => r.metadata.name === rsName);
    const template: PodTemplate = structuredClone(spec.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
    };
    if (!current) {
      store.create('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace: ns,
          labels: { ...(template.metadata.labels ?? {}) },
          annotations: {
            'deployment.kubernetes.io/revision': '1',
            'deployment.kubernetes.io/desired-replicas': String(replicas),
          },
          ownerReferences: [ownerRef(d)],
        },
        spec: { replicas, selector: spec.selector, template },
        status: { replicas: 0 },
      });
      recordEvent(store, d, {
        reason: 'ScalingReplicaSet',
        message: `Scaled up replica set ${rsName} from 0 to ${replicas}`,
        component: 'deployment-controller',
      });
    } else if ((current.spec as { replicas?: number }).replicas !== replicas) {
      store.mutate('replicasets', ns, rsName, (r) => {
        (r.spec as { replicas?: number }).replicas = replicas;
      });
    }
  }
};

/** A ReplicaSet keeps `replicas` pods with random names; the newest go first on scale-down. */
export const reconcileReplicaSets = (store: ObjectStore, deletePod: DeletePod): void => {
  for (const rs of store.list('replicasets')) {
    const spec = rs.spec as { replicas?: number; template?: PodTemplate };
    const replicas = spec.replicas ?? 1;
    const pods = ownedPods(store, rs).filter((p) => p.metadata.deletionTimestamp === undefined);
    for (let i = pods.length; i < replicas; i++) {
      let name = `${rs.metadata.name}-${randomSuffix()}`;
      while (store.get('pods', rs.metadata.namespace, name)) name = `${rs.metadata.name}-${randomSuffix()}`;
      createPod(
        store,
        rs,
        name,
        spec.template ?? {},
        { labels: {}, spec: {} },
        { component: 'replicaset-controller', message: 'Created pod: %s' },
      );
    }
    if (pods.length > replicas) {
      const extra = pods
        .sort((a, b) =>
          (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
        )
        .slice(0, pods.length - replicas);
      for (const p of extra) {
        deletePod(p.metadata.namespace ?? '', p.metadata.name);
        recordEvent(store, rs, {
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${p.metadata.name}`,
          component: 'replicaset-controller',
        });
      }
    }
  }
};

/** A StatefulSet keeps pods `<name>-0` … `<name>-(replicas-1)`, each with its hostname. */
export const reconcileStatefulSets = (store: ObjectStore, deletePod: DeletePod): void => {
  for (const s of store.list('statefulsets')) {
    const spec = s.spec as { replicas?: number; template?: PodTemplate; serviceName?: string };
    const replicas = spec.replicas ?? 1;
    const ns = s.metadata.namespace;
    const revision = `${s.metadata.name}-${templateHash(spec.template)}`;
    for (let i = 0; i < replicas; i++) {
      const name = `${s.metadata.name}-${i}`;
      if (store.get('pods', ns, name)) continue;
      createPod(
        store,
        s,
        name,
        spec.template ?? {},
        {
          labels: {
            'statefulset.kubernetes.io/pod-name': name,
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': revision,
          },
          spec: { hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
        },
        {
          component: 'statefulset-controller',
          message: `create Pod %s in StatefulSet ${s.metadata.name} successful`,
        },
      );
    }
    for (const p of ownedPods(store, s)) {
      const m = /-(\d+)$/.exec(p.metadata.name);
      if (m && Number(m[1]) >= replicas && p.metadata.deletionTimestamp === undefined) {
        deletePod(ns ?? '', p.metadata.name);
        recordEvent(store, s, {
          reason: 'SuccessfulDelete',
          message: `delete Pod ${p.metadata.name} in StatefulSet ${s.metadata.name} successful`,
          component: 'statefulset-controller',
        });
      }
    }
  }
};

/** Owned objects whose controller is gone are deleted (foreground GC, simplified). */
export const collectGarbage = (store: ObjectStore, deletePod: DeletePod): void => {
  const alive = new Set<string>();
  for (const r of ['deployments', 'replicasets', 'statefulsets'])
    for (const o of store.list(r)) alive.add(o.metadata.uid ?? '');
  for (const rs of store.list('replicasets')) {
    const owner = controllerOf(rs);
    if (owner && !alive.has(owner.uid)) store.delete('replicasets', rs.metadata.namespace, rs.metadata.name);
  }
  for (const p of store.list('pods')) {
    const owner = controllerOf(p);
    if (owner && !alive.has(owner.uid) && p.metadata.deletionTimestamp === undefined && owner.kind !== 'Node')
      deletePod(p.metadata.namespace ?? '', p.metadata.name);
  }
  // Endpoints of a deleted selector Service go with it.
  for (const ep of store.list('endpoints')) {
    const managed = ep.metadata.labels?.['endpoints.kubernetes.io/managed-by'] === 'endpoint-controller';
    if (managed && !store.get('services', ep.metadata.namespace, ep.metadata.name))
      store.delete('endpoints', ep.metadata.namespace, ep.metadata.name);
  }
};

/** The status each ReplicaSet, Deployment and StatefulSet reports: replicas and ready ones. */
export const reconcileWorkloadStatuses = (store: ObjectStore): void => {
  const pods = store.list('pods');
  const counts = (owner: KObj): { replicas: number; ready: number } => {
    const owned = pods.filter((p) => ownedBy(p, owner) && p.metadata.deletionTimestamp === undefined);
    return { replicas: owned.length, ready: owned.filter(isPodReady).length };
  };
  for (const rs of store.list('replicasets')) {
    const c = counts(rs);
    store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (r) => {
      r.status = {
        replicas: c.replicas,
        fullyLabeledReplicas: c.replicas,
        readyReplicas: c.ready,
        availableReplicas: c.ready,
        observedGeneration: r.metadata.generation ?? 1,
      };
    });
  }
  for (const d of store.list('deployments')) {
    let replicas = 0;
    let ready = 0;
    for (const rs of store.list('replicasets', d.metadata.namespace).filter((r) => ownedBy(r, d))) {
      const c = counts(rs);
      replicas += c.replicas;
      ready += c.ready;
    }
    const want = (d.spec as { replicas?: number }).replicas ?? 1;
    store.mutate('deployments', d.metadata.namespace, d.metadata.name, (o) => {
      o.status = deploymentStatus(o, replicas, ready, want);
    });
  }
  for (const s of store.list('statefulsets')) {
    const c = counts(s);
    store.mutate('statefulsets', s.metadata.namespace, s.metadata.name, (o) => {
      o.status = {
        observedGeneration: o.metadata.generation ?? 1,
        replicas: c.replicas,
        readyReplicas: c.ready,
        availableReplicas: c.ready,
        currentReplicas: c.replicas,
        updatedReplicas: c.replicas,
      };
    });
  }
};

/** A Deployment's status, its Available condition keeping its transition time while unchanged. */
const deploymentStatus = (
  o: KObj,
  replicas: number,
  ready: number,
  want: number,
): Record<string, unknown> => {
  const prev = (
    o.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined
  )?.conditions;
  const availableNow = ready >= want ? 'True' : 'False';
  const prevAvail = prev?.find((c) => c.type === 'Available');
  return {
    observedGeneration: o.metadata.generation ?? 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
    conditions: [
      {
        type: 'Available',
        status: availableNow,
        reason: availableNow === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message:
          availableNow === 'True'
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        lastTransitionTime: prevAvail?.status === availableNow ? prevAvail.lastTransitionTime : timestamp(),
      },
    ],
  };
};
