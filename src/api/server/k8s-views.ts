// Kubernetes objects (contract/kube) → the summaries the discovery routes serve (contract/api-k8s).
// Pure; "forwarded" facts come from the state snapshot passed in.
import type { K8sEndpoints, K8sEvent, K8sPod, K8sPodDetail, K8sService } from '../../contract/api.js';
import type { KContainerState, KEndpoints, KEvent, KPod, KService } from '../../contract/kube.js';
import type { ForwardView } from '../../contract/state.js';

/** "45s", "12m", "3h", "2d" (kubectl style, coarse). */
export const age = (since: string | undefined, now: number): string => {
  const t = since ? Date.parse(since) : NaN;
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
};

export const k8sService = (
  svc: KService,
  context: string,
  forwardedKeys: ReadonlySet<string>,
): K8sService => {
  const key = `${svc.metadata.name}.${svc.metadata.namespace ?? ''}.${context}`;
  return {
    name: svc.metadata.name,
    namespace: svc.metadata.namespace ?? '',
    context,
    type: svc.spec.type ?? 'ClusterIP',
    clusterIP: svc.spec.clusterIP ?? '',
    ports: (svc.spec.ports ?? []).map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      targetPort: String(p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
    })),
    ...(svc.spec.selector ? { selector: svc.spec.selector } : {}),
    forwarded: forwardedKeys.has(key),
    forwardKey: key,
  };
};

const podStatus = (pod: KPod): string => {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const cs of pod.status?.containerStatuses ?? []) {
    const r = cs.state?.waiting?.reason ?? cs.state?.terminated?.reason;
    if (r) return r;
  }
  return pod.status?.phase ?? 'Unknown';
};

const forwardOf = (pod: KPod, context: string, forwards: readonly ForwardView[]): ForwardView | undefined =>
  forwards.find(
    (f) =>
      f.podName === pod.metadata.name &&
      f.namespace === (pod.metadata.namespace ?? '') &&
      f.context === context,
  );

export const k8sPod = (
  pod: KPod,
  context: string,
  now: number,
  forwards: readonly ForwardView[],
  serviceName?: string,
): K8sPod => {
  const cs = pod.status?.containerStatuses ?? [];
  const f = forwardOf(pod, context, forwards);
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? '',
    context,
    phase: pod.status?.phase ?? 'Unknown',
    status: podStatus(pod),
    ready: `${cs.filter((c) => c.ready).length}/${pod.spec.containers.length}`,
    restarts: cs.reduce((n, c) => n + c.restartCount, 0),
    age: age(pod.status?.startTime ?? pod.metadata.creationTimestamp, now),
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    ...(pod.spec.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    containers: pod.spec.containers.map((c) => c.name),
    ...(pod.status?.startTime ? { startTime: pod.status.startTime } : {}),
    ...(serviceName ? { serviceName } : f ? { serviceName: f.serviceName } : {}),
    isForwarded: f !== undefined,
    ...(f ? { forwardedPort: f.localPort, forwardKey: f.key } : {}),
  };
};

const stateName = (s: KContainerState | undefined): 'Running' | 'Waiting' | 'Terminated' | 'Unknown' =>
  s?.running ? 'Running' : s?.waiting ? 'Waiting' : s?.terminated ? 'Terminated' : 'Unknown';

export const k8sEvent = (e: KEvent): K8sEvent => ({
  type: e.type ?? 'Normal',
  reason: e.reason ?? '',
  message: e.message ?? '',
  count: e.count ?? 1,
  firstTimestamp: e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '',
  lastTimestamp: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '',
  source: e.source?.component ?? '',
  ...(e.involvedObject.kind ? { objectKind: e.involvedObject.kind } : {}),
  ...(e.involvedObject.name ? { objectName: e.involvedObject.name } : {}),
});

/** Newest (lastTimestamp) first. */
export const sortEvents = (events: K8sEvent[]): K8sEvent[] =>
  events.sort((a, b) => (a.lastTimestamp < b.lastTimestamp ? 1 : a.lastTimestamp > b.lastTimestamp ? -1 : 0));

export const k8sPodDetail = (
  pod: KPod,
  context: string,
  forwards: readonly ForwardView[],
  events: readonly KEvent[],
): K8sPodDetail => {
  const f = forwardOf(pod, context, forwards);
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? '',
    context,
    phase: pod.status?.phase ?? 'Unknown',
    status: pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    ...(pod.status?.message ? { message: pod.status.message } : {}),
    ...(pod.status?.reason ? { reason: pod.status.reason } : {}),
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
    ...(pod.spec.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(pod.status?.startTime ? { startTime: pod.status.startTime } : {}),
    ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}),
    containers: pod.spec.containers.map((c) => {
      const st = statuses.get(c.name);
      const s = st?.state;
      const reason = s?.waiting?.reason ?? s?.terminated?.reason;
      const message = s?.waiting?.message ?? s?.terminated?.message;
      const last = st?.lastState?.terminated;
      const res = c.resources;
      return {
        name: c.name,
        image: c.image ?? st?.image ?? '',
        ready: st?.ready ?? false,
        started: st?.started ?? s?.running !== undefined,
        restartCount: st?.restartCount ?? 0,
        state: stateName(s),
        ...(reason ? { stateReason: reason } : {}),
        ...(message ? { stateMessage: message } : {}),
        ...(last ? { lastState: `Terminated: ${last.reason ?? 'Unknown'}` } : {}),
        ports: (c.ports ?? []).map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          containerPort: p.containerPort,
          protocol: p.protocol ?? 'TCP',
        })),
        ...(res
          ? {
              resources: {
                cpuRequest: res.requests?.cpu ?? '',
                cpuLimit: res.limits?.cpu ?? '',
                memoryRequest: res.requests?.memory ?? '',
                memoryLimit: res.limits?.memory ?? '',
              },
            }
          : {}),
      };
    }),
    conditions: (pod.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
    volumes: (pod.spec.volumes ?? []).map((v) => v.name),
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
    isForwarded: f !== undefined,
    ...(f ? { forwardKey: f.key } : {}),
    events: sortEvents(events.map(k8sEvent)).slice(0, 20),
  };
};

export const k8sEndpoints = (ep: KEndpoints, context: string): K8sEndpoints => {
  const addr = (a: {
    ip: string;
    hostname?: string;
    nodeName?: string;
    targetRef?: { kind: string; name: string };
  }) => ({
    ip: a.ip,
    ...(a.hostname ? { hostname: a.hostname } : {}),
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
    ...(a.targetRef?.kind === 'Pod' ? { podName: a.targetRef.name } : {}),
  });
  return {
    name: ep.metadata.name,
    namespace: ep.metadata.namespace ?? '',
    context,
    subsets: (ep.subsets ?? []).map((s) => ({
      addresses: (s.addresses ?? []).map(addr),
      notReadyAddresses: (s.notReadyAddresses ?? []).map(addr),
      ports: (s.ports ?? []).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    })),
  };
};
