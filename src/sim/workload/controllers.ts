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

const REVISION = 'deployment.kubernetes.io/revision';
const revisionOf = (o: KObj): number => Number(o.metadata.annotations?.[REVISION] ?? 0) || 0;
const replicasOf = (o: KObj): number => (o.spec as { replicas?: number }).replicas ?? 1;

/**
 * A Deployment owns one ReplicaSet per pod template (named by its hash), numbered by a revision
 * annotation that grows with every new template (a template seen before takes its old ReplicaSet
 * and a new number, as `kubectl rollout undo` expects). The new one is scaled up at once; older
 * ones keep their pods until every new pod is ready (Recreate: at once), then are scaled to 0 and
 * kept, at most `revisionHistoryLimit` (10) of them. A paused Deployment makes no new ReplicaSet.
 */
export const reconcileDeployments = (store: ObjectStore): void => {
  for (const d of store.list('deployments')) {
    if (d.metadata.deletionTimestamp !== undefined) continue;
    const spec = d.spec as {
      replicas?: number;
      template?: PodTemplate;
      selector?: unknown;
      revisionHistoryLimit?: number;
      strategy?: { type?: string };
      paused?: boolean;
    };
    const hash = templateHash(spec.template);
    const rsName = `${d.metadata.name}-${hash}`;
    const ns = d.metadata.namespace;
    const owned = store.list('replicasets', ns).filter((r) => ownedBy(r, d));
    const replicas = spec.replicas ?? 1;
    const current = owned.find((r) => r.metadata.name === rsName);
    const old = owned.filter((r) => r.metadata.name !== rsName);
    const latest = Math.max(0, ...owned.map(revisionOf));
    if (spec.paused === true && !current) {
      // Paused (kubectl rollout pause): a new template waits for resume; scaling still applies.
      const newest = owned.find((r) => revisionOf(r) === latest);
      if (newest && replicasOf(newest) !== replicas) {
        const was = replicasOf(newest);
        store.mutate('replicasets', ns, newest.metadata.name, (o) => {
          (o.spec as { replicas?: number }).replicas = replicas;
        });
        scaledEvent(store, d, newest.metadata.name, was, replicas);
      }
      continue;
    }
    const template: PodTemplate = structuredClone(spec.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
    };
    let revision: number;
    if (!current) {
      revision = latest + 1;
      store.create('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          namespace: ns,
          labels: { ...(template.metadata.labels ?? {}) },
          annotations: {
            [REVISION]: String(revision),
            'deployment.kubernetes.io/desired-replicas': String(replicas),
          },
          ownerReferences: [ownerRef(d)],
        },
        spec: { replicas, selector: spec.selector, template },
        status: { replicas: 0 },
      });
      if (replicas > 0) scaledEvent(store, d, rsName, 0, replicas);
    } else {
      const was = replicasOf(current);
      revision = revisionOf(current) === latest && latest > 0 ? latest : latest + 1;
      store.mutate('replicasets', ns, rsName, (r) => {
        (r.spec as { replicas?: number }).replicas = replicas;
        r.metadata.annotations = {
          ...(r.metadata.annotations ?? {}),
          [REVISION]: String(revision),
          'deployment.kubernetes.io/desired-replicas': String(replicas),
        };
      });
      if (was !== replicas) scaledEvent(store, d, rsName, was, replicas);
    }
    store.mutate('deployments', ns, d.metadata.name, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: String(revision) };
    });
    const rs = store.get('replicasets', ns, rsName);
    const newReady = rs
      ? ownedPods(store, rs).filter((p) => p.metadata.deletionTimestamp === undefined && isPodReady(p)).length
      : 0;
    const retire = spec.strategy?.type === 'Recreate' || newReady >= replicas;
    for (const r of old)
      if (retire && replicasOf(r) !== 0) {
        const was = replicasOf(r);
        store.mutate('replicasets', ns, r.metadata.name, (o) => {
          (o.spec as { replicas?: number }).replicas = 0;
        });
        scaledEvent(store, d, r.metadata.name, was, 0);
      }
    const limit = spec.revisionHistoryLimit ?? 10;
    const idle = old.filter((r) => replicasOf(r) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const r of idle.slice(0, Math.max(0, idle.length - limit)))
      store.delete('replicasets', ns, r.metadata.name);
  }
};

const scaledEvent = (store: ObjectStore, d: KObj, rs: string, from: number, to: number): void =>
  recordEvent(store, d, {
    reason: 'ScalingReplicaSet',
    message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs} from ${from} to ${to}`,
    component: 'deployment-controller',
  });

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

/**
 * A StatefulSet keeps pods `<name>-0` … `<name>-(replicas-1)`, each with its hostname. A new
 * template rolls them (RollingUpdate, the default) from the highest ordinal down to `partition`,
 * one at a time, each once every pod is ready; OnDelete leaves that to whoever deletes them.
 */
export const reconcileStatefulSets = (store: ObjectStore, deletePod: DeletePod): void => {
  for (const s of store.list('statefulsets')) {
    const spec = s.spec as StatefulSetSpec;
    const replicas = spec.replicas ?? 1;
    const ns = s.metadata.namespace;
    const revision = statefulSetRevision(s);
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
    const pods = ownedPods(store, s);
    for (const p of pods) {
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
    if ((spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') continue;
    const settled =
      pods.length === replicas &&
      pods.every((p) => p.metadata.deletionTimestamp === undefined && isPodReady(p));
    if (!settled) continue;
    const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const stale = pods
      .filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision)
      .map((p) => ({ pod: p, ordinal: Number(/-(\d+)$/.exec(p.metadata.name)?.[1] ?? -1) }))
      .filter((x) => x.ordinal >= partition)
      .sort((a, b) => b.ordinal - a.ordinal)[0];
    if (stale) {
      deletePod(ns ?? '', stale.pod.metadata.name);
      recordEvent(store, s, {
        reason: 'SuccessfulDelete',
        message: `delete Pod ${stale.pod.metadata.name} in StatefulSet ${s.metadata.name} successful`,
        component: 'statefulset-controller',
      });
    }
  }
};

interface StatefulSetSpec {
  replicas?: number;
  template?: PodTemplate;
  serviceName?: string;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
}

/** The controller-revision-hash of a StatefulSet's current template. */
const statefulSetRevision = (s: KObj): string =>
  `${s.metadata.name}-${templateHash((s.spec as StatefulSetSpec).template)}`;

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
    let updated = 0;
    let updatedReady = 0;
    const hash = templateHash((d.spec as { template?: unknown }).template);
    for (const rs of store.list('replicasets', d.metadata.namespace).filter((r) => ownedBy(r, d))) {
      const c = counts(rs);
      replicas += c.replicas;
      ready += c.ready;
      if (rs.metadata.name === `${d.metadata.name}-${hash}`) {
        updated = c.replicas;
        updatedReady = c.ready;
      }
    }
    const want = (d.spec as { replicas?: number }).replicas ?? 1;
    store.mutate('deployments', d.metadata.namespace, d.metadata.name, (o) => {
      o.status = deploymentStatus(o, { replicas, ready, updated, updatedReady }, want);
    });
  }
  for (const s of store.list('statefulsets')) {
    const c = counts(s);
    const updateRevision = statefulSetRevision(s);
    const revisions = pods
      .filter((p) => ownedBy(p, s) && p.metadata.deletionTimestamp === undefined)
      .map((p) => p.metadata.labels?.['controller-revision-hash']);
    const updated = revisions.filter((r) => r === updateRevision).length;
    // The revision the set is rolling from, until every pod runs the new one.
    const prev = (s.status as { currentRevision?: string } | undefined)?.currentRevision;
    const currentRevision =
      updated === c.replicas
        ? updateRevision
        : (revisions.find((r) => r !== updateRevision) ?? prev ?? updateRevision);
    store.mutate('statefulsets', s.metadata.namespace, s.metadata.name, (o) => {
      o.status = {
        observedGeneration: o.metadata.generation ?? 1,
        replicas: c.replicas,
        readyReplicas: c.ready,
        availableReplicas: c.ready,
        currentReplicas: revisions.filter((r) => r === currentRevision).length,
        updatedReplicas: updated,
        currentRevision,
        updateRevision,
        collisionCount: 0,
      };
    });
  }
};

/** A Deployment's status, its conditions keeping their transition times while unchanged. */
const deploymentStatus = (
  o: KObj,
  c: { replicas: number; ready: number; updated: number; updatedReady: number },
  want: number,
): Record<string, unknown> => {
  const prev = (
    o.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined
  )?.conditions;
  const since = (type: string, status: string): string | undefined => {
    const p = prev?.find((x) => x.type === type);
    return p?.status === status ? p.lastTransitionTime : timestamp();
  };
  const availableNow = c.ready >= want ? 'True' : 'False';
  const hash = templateHash((o.spec as { template?: unknown }).template);
  const complete = c.updated === want && c.updatedReady >= want && c.replicas === c.updated;
  return {
    observedGeneration: o.metadata.generation ?? 1,
    replicas: c.replicas,
    updatedReplicas: c.updated,
    readyReplicas: c.ready,
    availableReplicas: c.ready,
    ...(c.ready < c.replicas ? { unavailableReplicas: c.replicas - c.ready } : {}),
    conditions: [
      {
        type: 'Available',
        status: availableNow,
        reason: availableNow === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message:
          availableNow === 'True'
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        lastTransitionTime: since('Available', availableNow),
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
        message: complete
          ? `ReplicaSet "${o.metadata.name}-${hash}" has successfully progressed.`
          : `ReplicaSet "${o.metadata.name}-${hash}" is progressing.`,
        lastTransitionTime: since('Progressing', 'True'),
      },
    ],
  };
};
