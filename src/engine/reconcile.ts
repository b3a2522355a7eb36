// Given a service, the pods of its namespace and its Endpoints, what should be forwarded
// (with kubefwd's gaps filled): the first Ready Running pod; headless → every
// ready pod under `<pod>.<svc>` plus the service name on the first; services without a selector →
// the pods their Endpoints name by targetRef; ExternalName and UDP-only → skipped with a reason.
import type { KEndpoints, KPod, KService } from '../contract/kube.js';
import { localPortFor, type PortMappings } from '../domain/port-mappings.js';

export interface PortPlan {
  name?: string;
  /** Service port. */
  port: number;
  localPort: number;
  /** As written in the service (number or name). */
  targetPort: string;
  protocol: 'TCP';
}

export interface TargetPort extends PortPlan {
  /** Numeric container port resolved on the chosen pod. */
  podPort: number;
  containerName?: string;
  /** A named targetPort no container of the pod declares: podPort is the fallback (kubefwd's). */
  unresolved?: true;
}

export interface TargetPlan {
  /** The forward's service name: the service, or `<pod>.<svc>`. */
  name: string;
  podName: string;
  headlessPerPod: boolean;
  ports: TargetPort[];
}

export interface WaitInfo {
  /** A pod that exists but is not ready (what -t waits for). */
  podName?: string;
  reason: string;
  /** The registry code when it is not NO_PODS (a selector-less service's Endpoints name gone pods). */
  code?: 'ENDPOINTS_STALE';
}

export type ServicePlan =
  | { kind: 'skip'; code: 'UNSUPPORTED_SERVICE' | 'NO_SELECTOR'; reason: string }
  | {
      kind: 'forward';
      headless: boolean;
      ports: PortPlan[];
      /** Human-readable notes on ports not forwarded (UDP, SCTP). */
      skippedPorts: string[];
      /** The pod for the service's own name, or undefined while waiting. */
      main?: TargetPlan;
      /** Headless only: one per ready pod. */
      perPod: TargetPlan[];
      /** Why `main` is undefined. */
      waiting?: WaitInfo;
      /** Named target ports the chosen pods do not declare, said to the user (see unresolvedPorts). */
      unresolvedPorts: string[];
    };

export const isHeadless = (svc: KService): boolean => svc.spec.clusterIP === 'None';

export const isPodReady = (pod: KPod): boolean => {
  if (pod.metadata.deletionTimestamp) return false;
  if (pod.status?.phase !== 'Running') return false;
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
  if (ready) return ready.status === 'True';
  const statuses = pod.status.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((s) => s.ready);
};

/** A pod that may still become ready (what -t waits for). */
export const isPodPending = (pod: KPod): boolean =>
  !pod.metadata.deletionTimestamp &&
  (pod.status?.phase === 'Pending' || pod.status?.phase === 'Running' || pod.status?.phase === undefined) &&
  !isPodReady(pod);

// A loop, not Object.entries(): it runs for every service × pod of a namespace on each re-plan, and
// the pairs it allocated were a tenth of the daemon's garbage during a start at scale (issue 18).
export const selectorMatches = (
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean => {
  for (const k in selector)
    if (
      Object.hasOwn(selector, k) &&
      (labels === undefined || !Object.hasOwn(labels, k) || labels[k] !== selector[k])
    )
      return false;
  return true;
};

export const selectorString = (selector: Record<string, string> | undefined): string =>
  Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const hasSelector = (svc: KService): boolean => Object.keys(svc.spec.selector ?? {}).length > 0;

/** Names of the pods an Endpoints object points at (ready and not-ready addresses). */
export const endpointPodNames = (endpoints: KEndpoints | undefined): string[] => {
  const names: string[] = [];
  for (const subset of endpoints?.subsets ?? [])
    for (const addr of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])])
      if (addr.targetRef?.kind === 'Pod' && !names.includes(addr.targetRef.name))
        names.push(addr.targetRef.name);
  return names;
};

/**
 * Why a selector-less service waits. Its Endpoints are kept by hand, so when they name only pods
 * that are gone (replaced by a rollout) nothing will fix them but a person: say which pods and how.
 */
const endpointsWait = (
  name: string,
  svc: KService,
  endpoints: KEndpoints | undefined,
  existing: readonly KPod[],
): WaitInfo => {
  const named = endpointPodNames(endpoints);
  const gone = named.filter((n) => !existing.some((p) => p.metadata.name === n));
  if (gone.length < named.length) return { reason: 'no ready pod among the Endpoints of the service' };
  const pods = gone.map((n) => `pod ${n}`).join(', ');
  return {
    code: 'ENDPOINTS_STALE',
    reason: `the service has no pod selector and its Endpoints name ${pods}, which ${gone.length === 1 ? 'no longer exists' : 'no longer exist'}; point them at running pods (kubectl edit endpoints ${name} -n ${svc.metadata.namespace ?? 'default'})`,
  };
};

/** The pods backing a service, sorted by name (the API's list order), ready or not. */
export const backingPods = (
  svc: KService,
  pods: readonly KPod[],
  endpoints: KEndpoints | undefined,
): KPod[] => {
  const ns = svc.metadata.namespace;
  const inNs = pods.filter(
    (p) => ns === undefined || p.metadata.namespace === undefined || p.metadata.namespace === ns,
  );
  let chosen: KPod[];
  if (hasSelector(svc))
    chosen = inNs.filter((p) => selectorMatches(svc.spec.selector ?? {}, p.metadata.labels));
  else {
    const names = new Set(endpointPodNames(endpoints));
    chosen = inNs.filter((p) => names.has(p.metadata.name));
  }
  return [...chosen].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );
};

/**
 * What to tell about named target ports the pods do not declare: Kubernetes routes nothing there
 * (the service's Endpoints stay empty) while kubefwd, as the Go one, forwards to the service port's
 * number, so a user sees it work here and fail in the cluster, or fail here with no clue why.
 */
export const unresolvedPorts = (targets: readonly TargetPlan[]): string[] => {
  const told = new Set<string>();
  for (const t of targets)
    for (const p of t.ports)
      if (p.unresolved)
        told.add(
          `port ${p.port} targets port "${p.targetPort}", which pod ${t.podName} does not declare; forwarding to its port ${p.podPort} instead (Kubernetes itself routes nothing there)`,
        );
  return [...told];
};

/** Resolves a target port on a pod: named ports by container port name, numbers to their container. */
export const resolvePodPort = (
  pod: KPod | undefined,
  targetPort: string,
  localPort: number,
): { podPort: number; containerName?: string; unresolved?: true } => {
  const containers = pod?.spec.containers ?? [];
  const numeric = /^\d+$/.test(targetPort) ? Number(targetPort) : undefined;
  for (const c of containers)
    for (const p of c.ports ?? [])
      if (numeric !== undefined ? p.containerPort === numeric : p.name === targetPort)
        return { podPort: p.containerPort, containerName: c.name };
  const first = containers[0]?.name;
  // kubefwd: a name that resolves nowhere falls back to the local port. A number need not be
  // declared (containers listen where they like); a name must, so its fallback is worth a word.
  const podPort = numeric ?? localPort;
  return {
    podPort,
    ...(first === undefined ? {} : { containerName: first }),
    ...(numeric === undefined ? { unresolved: true as const } : {}),
  };
};

export const planPorts = (
  svc: KService,
  mappings: PortMappings,
): { ports: PortPlan[]; skipped: string[] } => {
  const ports: PortPlan[] = [];
  const skipped: string[] = [];
  for (const p of svc.spec.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP') {
      skipped.push(`${p.port}/${protocol} (Kubernetes port-forward supports TCP only)`);
      continue;
    }
    const targetPort = String(p.targetPort ?? p.port);
    ports.push({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      localPort: localPortFor(p.port, mappings),
      targetPort,
      protocol: 'TCP',
    });
  }
  return { ports, skipped };
};

const target = (
  name: string,
  pod: KPod,
  ports: readonly PortPlan[],
  headlessPerPod: boolean,
): TargetPlan => ({
  name,
  podName: pod.metadata.name,
  headlessPerPod,
  ports: ports.map((p) => ({ ...p, ...resolvePodPort(pod, p.targetPort, p.localPort) })),
});

export interface ReconcileInput {
  service: KService;
  /** The namespace's pods (informer cache). */
  pods: readonly KPod[];
  endpoints?: KEndpoints | undefined;
  /** kubefwd may not list/watch Endpoints in the namespace (RBAC), so `endpoints` is unknown. */
  endpointsForbidden?: boolean;
  mappings: PortMappings;
  /** The pod currently forwarded under the service name; kept while it stays ready. */
  currentPod?: string | undefined;
}

export const planService = (input: ReconcileInput): ServicePlan => {
  const { service: svc } = input;
  const name = svc.metadata.name;
  if (svc.spec.type === 'ExternalName')
    return {
      kind: 'skip',
      code: 'UNSUPPORTED_SERVICE',
      reason: `ExternalName service (→ ${svc.spec.externalName ?? '?'}) cannot be port-forwarded`,
    };
  const { ports, skipped } = planPorts(svc, input.mappings);
  if (ports.length === 0)
    return {
      kind: 'skip',
      code: 'UNSUPPORTED_SERVICE',
      reason:
        (svc.spec.ports ?? []).length === 0
          ? 'service has no ports'
          : 'service has only UDP/SCTP ports; Kubernetes port-forward supports TCP only',
    };
  if (!hasSelector(svc) && endpointPodNames(input.endpoints).length === 0)
    return {
      kind: 'skip',
      code: 'NO_SELECTOR',
      reason: input.endpointsForbidden
        ? 'service has no pod selector, and kubefwd may not list and watch Endpoints in this namespace to find its pods'
        : 'service has no pod selector and its Endpoints name no pods',
    };
  const headless = isHeadless(svc);
  const all = backingPods(svc, input.pods, input.endpoints);
  const ready = all.filter(isPodReady);
  const keep =
    input.currentPod === undefined ? undefined : ready.find((p) => p.metadata.name === input.currentPod);
  const first = keep ?? ready[0];
  const plan: ServicePlan = {
    kind: 'forward',
    headless,
    ports,
    skippedPorts: skipped,
    perPod: headless ? ready.map((p) => target(`${p.metadata.name}.${name}`, p, ports, true)) : [],
    unresolvedPorts: [],
  };
  if (first) plan.main = target(name, first, ports, false);
  else {
    const pending = all.find(isPodPending);
    plan.waiting = pending
      ? { podName: pending.metadata.name, reason: `pod ${pending.metadata.name} is not ready yet` }
      : hasSelector(svc)
        ? { reason: `no ready pod matches selector ${selectorString(svc.spec.selector)}` }
        : endpointsWait(name, svc, input.endpoints, all);
  }
  plan.unresolvedPorts = unresolvedPorts(plan.main ? [plan.main, ...plan.perPod] : plan.perPod);
  return plan;
};
