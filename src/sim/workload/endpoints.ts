// The endpoints controller as a pure function: a Service with a selector gets Endpoints listing the
// matching pods (ready ones in `addresses`, the others in `notReadyAddresses`, each with a
// `targetRef`), grouped into subsets by the ports they resolve to (named targetPorts are looked up
// per pod, so pods can differ).
import type { KObj } from '../api/store.js';
import { matchesMap } from '../api/selectors.js';

interface PortSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}
interface ContainerSpec {
  name: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}
interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
}
interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports: EndpointPort[];
}

export const isPodReady = (pod: KObj): boolean => {
  const conds =
    (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
};

const resolvePort = (pod: KObj, p: PortSpec): number | undefined => {
  const tp = p.targetPort ?? p.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const containers = (pod.spec as { containers?: ContainerSpec[] } | undefined)?.containers ?? [];
  for (const c of containers) {
    for (const cp of c.ports ?? []) {
      if (cp.name === tp && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) return cp.containerPort;
    }
  }
  return undefined;
};

/** Subsets for a selector Service; undefined when the Service has no selector (manual Endpoints). */
export function computeEndpointSubsets(service: KObj, pods: readonly KObj[]): EndpointSubset[] | undefined {
  const spec = service.spec as
    | {
        selector?: Record<string, string>;
        ports?: PortSpec[];
        type?: string;
        publishNotReadyAddresses?: boolean;
      }
    | undefined;
  if (!spec?.selector || spec.type === 'ExternalName') return undefined;
  const groups = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace) continue;
    if (!matchesMap(spec.selector, pod.metadata.labels)) continue;
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const status = pod.status as { podIP?: string; phase?: string } | undefined;
    if (!status?.podIP || status.phase === 'Succeeded' || status.phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const p of spec.ports ?? []) {
      const port = resolvePort(pod, p);
      if (port !== undefined)
        ports.push({ ...(p.name ? { name: p.name } : {}), port, protocol: p.protocol ?? 'TCP' });
    }
    if (ports.length === 0 && (spec.ports ?? []).length > 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = { ports };
      groups.set(key, subset);
    }
    const podSpec = pod.spec as { hostname?: string; subdomain?: string; nodeName?: string } | undefined;
    const address: EndpointAddress = {
      ip: status.podIP,
      ...(podSpec?.hostname && podSpec.subdomain === service.metadata.name
        ? { hostname: podSpec.hostname }
        : {}),
      ...(podSpec?.nodeName ? { nodeName: podSpec.nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace ?? '',
        name: pod.metadata.name,
        uid: pod.metadata.uid ?? '',
      },
    };
    const ready = isPodReady(pod) || spec.publishNotReadyAddresses === true;
    const list = ready ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
    list.push(address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress): number =>
    a.ip.localeCompare(b.ip, 'en', { numeric: true });
  return [...groups.values()].map((s) => ({
    ...(s.addresses ? { addresses: s.addresses.sort(byIp) } : {}),
    ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses.sort(byIp) } : {}),
    ports: s.ports,
  }));
}
