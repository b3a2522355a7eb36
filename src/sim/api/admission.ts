// What the API server does to an object before storing it: validation of the essentials and the
// defaults clients rely on (Service clusterIP/type/targetPort/protocol, Pod phase, Namespace phase,
// generation). Kept small and explicit.
import { randomInt } from 'node:crypto';
import type { KObj } from './store.js';
import type { ResourceType } from './resources.js';
import { groupVersion } from './resources.js';
import { ApiError } from './status.js';
import { randomSuffix } from '../workload/names.js';
import { isObjectName } from '../../domain/names.js';

const invalid = (kind: string, name: string, message: string): ApiError =>
  new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${message}`, { name, kind });

export interface AdmissionContext {
  /** Existing ClusterIPs, to allocate a new unique one. */
  usedClusterIPs: () => Set<string>;
  /** Node ports of existing Services, to allocate a new unique one. */
  usedNodePorts: () => Set<number>;
}

// The API server's defaulting and validation, one resource kind after another.
/** Validate and default an object for create (or replace when `existing` is given). */
export function admit(
  r: ResourceType,
  input: unknown,
  namespace: string | undefined,
  ctx: AdmissionContext,
  existing?: KObj,
): KObj {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ApiError(400, 'BadRequest', 'the body of the request was not a JSON object');
  const obj = structuredClone(input) as KObj;
  obj.apiVersion ??= groupVersion(r);
  obj.kind ??= r.kind;
  if (obj.kind !== r.kind)
    throw new ApiError(
      400,
      'BadRequest',
      `the kind "${String(obj.kind)}" of the object does not match the resource ${r.name} (kind ${r.kind})`,
    );
  obj.metadata ??= { name: '' };
  const meta = obj.metadata;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '')
    meta.name = `${meta.generateName}${randomSuffix()}`;
  if (!meta.name)
    throw invalid(r.kind, '', 'metadata.name: Required value: name or generateName is required');
  if (!isObjectName(r.kind, meta.name))
    throw invalid(
      r.kind,
      meta.name,
      `metadata.name: Invalid value: "${meta.name}": a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  if (r.namespaced) {
    if (meta.namespace !== undefined && namespace !== undefined && meta.namespace !== namespace)
      throw new ApiError(
        400,
        'BadRequest',
        `the namespace of the provided object does not match the namespace sent on the request`,
      );
    meta.namespace = namespace ?? meta.namespace ?? 'default';
  } else delete meta.namespace;
  for (const [field, v] of [
    ['labels', meta.labels],
    ['annotations', meta.annotations],
  ] as const) {
    if (
      v !== undefined &&
      (typeof v !== 'object' || v === null || Object.values(v).some((x) => typeof x !== 'string'))
    )
      throw invalid(r.kind, meta.name, `metadata.${field}: Invalid value: values must be strings`);
  }
  delete meta.resourceVersion;
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const prevGen = existing?.metadata.generation ?? 0;
  switch (r.kind) {
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = existing?.status ?? { phase: 'Active' };
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name };
      break;
    case 'Service':
      defaultService(obj, spec, ctx, existing);
      break;
    case 'Pod':
      defaultPod(obj, spec, existing);
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      spec.replicas ??= 1;
      const tmpl = spec.template as
        { metadata?: { labels?: Record<string, string> }; spec?: { containers?: unknown[] } } | undefined;
      if (!tmpl?.spec?.containers || tmpl.spec.containers.length === 0)
        throw invalid(r.kind, meta.name, 'spec.template.spec.containers: Required value');
      const sel = spec.selector as { matchLabels?: Record<string, string> } | undefined;
      if (!sel?.matchLabels) throw invalid(r.kind, meta.name, 'spec.selector: Required value');
      for (const [k, v] of Object.entries(sel.matchLabels))
        if (tmpl.metadata?.labels?.[k] !== v)
          throw invalid(
            r.kind,
            meta.name,
            'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`',
          );
      if (tmpl.spec) defaultPodSpec(tmpl.spec);
      if (r.kind === 'Deployment') defaultDeployment(spec);
      if (r.kind === 'StatefulSet') defaultStatefulSet(spec);
      obj.spec = spec;
      break;
    }
    default:
      break;
  }
  // After defaulting, so that a spec equal but for its defaults is no new generation.
  if (['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind)) {
    meta.generation =
      existing && JSON.stringify(existing.spec) === JSON.stringify(obj.spec) ? prevGen : prevGen + 1;
    if (existing && obj.status === undefined) obj.status = existing.status;
  }
  return obj;
}

/** The Deployment defaults (apps/v1): RollingUpdate 25 %/25 %, 10 old ReplicaSets, 600 s deadline. */
function defaultDeployment(spec: Record<string, unknown>): void {
  const strategy = (spec.strategy ?? {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate')
    strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(strategy.rollingUpdate ?? {}) };
  spec.strategy = strategy;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

/** The StatefulSet defaults (apps/v1): RollingUpdate from partition 0, OrderedReady, PVCs retained. */
function defaultStatefulSet(spec: Record<string, unknown>): void {
  const strategy = (spec.updateStrategy ?? {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate')
    strategy.rollingUpdate = { partition: 0, ...(strategy.rollingUpdate ?? {}) };
  spec.updateStrategy = strategy;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
}

function defaultService(
  obj: KObj,
  spec: Record<string, unknown>,
  ctx: AdmissionContext,
  existing?: KObj,
): void {
  const type = (spec.type as string | undefined) ?? 'ClusterIP';
  spec.type = type;
  const ports =
    (spec.ports as
      | { name?: string; port?: number; targetPort?: number | string; protocol?: string; nodePort?: number }[]
      | undefined) ?? [];
  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '')
      throw invalid('Service', obj.metadata.name, 'spec.externalName: Required value');
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    throw invalid('Service', obj.metadata.name, 'spec.ports: Required value');
  }
  ports.forEach((p, i) => {
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
      throw invalid('Service', obj.metadata.name, `spec.ports[${i}].port: Invalid value: ${String(p.port)}`);
    if (ports.length > 1 && !p.name)
      throw invalid('Service', obj.metadata.name, `spec.ports[${i}].name: Required value`);
    p.protocol ??= 'TCP';
    if (type !== 'ExternalName') p.targetPort ??= p.port;
  });
  spec.ports = ports;
  if (type !== 'ExternalName') {
    const prevIP = (existing?.spec as { clusterIP?: string } | undefined)?.clusterIP;
    if (spec.clusterIP === undefined || spec.clusterIP === '')
      spec.clusterIP = prevIP ?? allocateClusterIP(ctx.usedClusterIPs());
    spec.clusterIPs = [spec.clusterIP];
    spec.sessionAffinity ??= 'None';
    spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy = 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (type === 'NodePort' || type === 'LoadBalancer') {
    // As the API server: every port gets a node port (kept across updates), and their defaults.
    const previous = ((existing?.spec as { ports?: typeof ports } | undefined)?.ports ?? []).filter(
      (p) => p.nodePort,
    );
    const used = ctx.usedNodePorts();
    for (const p of ports) {
      p.nodePort ||=
        previous.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === p.protocol)?.nodePort ??
        allocateNodePort(used);
      used.add(p.nodePort);
    }
    spec.externalTrafficPolicy ??= 'Cluster';
    if (type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  }
  obj.spec = spec;
  obj.status = { loadBalancer: {} };
}

function allocateClusterIP(used: Set<string>): string {
  for (;;) {
    const ip = `10.96.${randomInt(0, 255)}.${randomInt(1, 255)}`;
    if (!used.has(ip)) return ip;
  }
}

/** A free port of the default node port range (30000-32767). */
function allocateNodePort(used: Set<number>): number {
  for (;;) {
    const port = randomInt(30000, 32768);
    if (!used.has(port)) return port;
  }
}

interface Probe {
  httpGet?: { scheme?: string };
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

interface Container {
  image?: string;
  imagePullPolicy?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  ports?: { protocol?: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/** The defaults of a pod spec, in a Pod or a workload's template (what describe and -o yaml show). */
function defaultPodSpec(spec: Record<string, unknown>): void {
  for (const list of [spec.containers, spec.initContainers])
    for (const c of Array.isArray(list) ? (list as Container[]) : []) {
      for (const p of c.ports ?? []) p.protocol ??= 'TCP';
      const last = (c.image ?? '').split('/').at(-1) ?? '';
      const tag = last.includes('@') ? 'digest' : last.includes(':') ? last.split(':').at(-1) : 'latest';
      c.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
        if (probe === undefined) continue;
        probe.timeoutSeconds ??= 1;
        probe.periodSeconds ??= 10;
        probe.successThreshold ??= 1;
        probe.failureThreshold ??= 3;
        if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
      }
    }
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
}

function defaultPod(obj: KObj, spec: Record<string, unknown>, existing?: KObj): void {
  const containers = spec.containers as
    { name?: string; image?: string; ports?: { containerPort?: number; protocol?: string }[] }[] | undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    throw invalid('Pod', obj.metadata.name, 'spec.containers: Required value');
  containers.forEach((c, i) => {
    if (!c.name) throw invalid('Pod', obj.metadata.name, `spec.containers[${i}].name: Required value`);
  });
  defaultPodSpec(spec);
  spec.serviceAccountName ??= 'default';
  obj.spec = spec;
  // Status belongs to the kubelet: keep what exists on replace, start Pending on create.
  obj.status = existing?.status ?? { phase: 'Pending', qosClass: 'BestEffort' };
  if (existing) {
    const e = existing.spec as { nodeName?: string } | undefined;
    if (e?.nodeName) (obj.spec as { nodeName?: string }).nodeName = e.nodeName;
  }
}
