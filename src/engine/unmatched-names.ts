// Reservations (-r, -z), --exclude patterns and -m mappings that name nothing in the namespaces
// kubefwd forwards. All are silent by nature — an unmatched reservation leaves its service on the next free address,
// an unmatched exclusion forwards the service anyway — so a typo (`postgress.shop`), or a short name
// for a service outside the first namespace (whose reservation needs `<svc>.<ns>`), or a mapping of
// the pod's port instead of the service's (`-m 8443:9443` for a service port 443), went unnoticed.
// Checked once after the start-up sync, against the informers' lists. Pure.
import type { KPod, KService } from '../contract/kube.js';
import { closestNames, didYouMean } from '../domain/did-you-mean.js';
import type { PortMappings } from '../domain/port-mappings.js';
import type { Reservation } from '../domain/reservations.js';
import { formatServicePattern, patternMatches, type ServicePattern } from '../domain/service-patterns.js';
import { reservationCandidates } from './ip-allocation.js';
import { isHeadless, selectorMatches } from './reconcile.js';

export interface ListedNamespace {
  context: string;
  namespace: string;
  clusterIndex: number;
  namespaceIndex: number;
  services: readonly KService[];
  pods: readonly KPod[];
}

/** Every name a reservation could match in these namespaces (headless services with their pods). */
const candidateNames = (namespaces: readonly ListedNamespace[]): Set<string> => {
  const names = new Set<string>();
  for (const ns of namespaces)
    for (const svc of ns.services) {
      const req = {
        context: ns.context,
        namespace: ns.namespace,
        clusterIndex: ns.clusterIndex,
        namespaceIndex: ns.namespaceIndex,
      };
      for (const n of reservationCandidates({ ...req, name: svc.metadata.name })) names.add(n);
      if (!isHeadless(svc) || !svc.spec.selector) continue;
      for (const pod of ns.pods)
        if (selectorMatches(svc.spec.selector, pod.metadata.labels))
          for (const n of reservationCandidates({
            ...req,
            name: `${pod.metadata.name}.${svc.metadata.name}`,
            podName: pod.metadata.name,
          }))
            names.add(n);
    }
  return names;
};

/**
 * The names a reservation may have meant: those for the same service (same first label — the
 * usual slip is a short name for a service outside the first namespace), else the close ones.
 */
const meant = (name: string, candidates: readonly string[]): string[] => {
  const first = name.split('.')[0];
  const same = candidates.filter((c) => c.split('.')[0] === first).sort((a, b) => a.length - b.length);
  return same.length > 0 ? same.slice(0, 1) : closestNames(name, candidates, 1);
};

const suggestion = (names: readonly string[]): string =>
  names.length === 0 ? '' : ` (did you mean ${names.map((n) => `"${n}"`).join(' or ')}?)`;

/** One warning per reservation no service of `namespaces` can take. */
export const unmatchedReservations = (
  reservations: readonly Reservation[],
  namespaces: readonly ListedNamespace[],
): string[] => {
  if (reservations.length === 0 || namespaces.length === 0) return [];
  const names = candidateNames(namespaces);
  const list = [...names];
  return reservations
    .filter((r) => !names.has(r.name))
    .map(
      (r) =>
        `Reservation ${r.name}:${r.ip} matches no forwarded service${suggestion(meant(r.name, list))}; ` +
        `${r.ip} stays unused` +
        (r.name.includes('.')
          ? ''
          : ' (a service outside the first namespace is reserved as <service>.<namespace>)'),
    );
};

/** One warning per --exclude pattern that matches no namespace, or no service, forwarded. */
export const unmatchedExcludes = (
  excludes: readonly ServicePattern[],
  namespaces: readonly ListedNamespace[],
): string[] => {
  const out: string[] = [];
  if (namespaces.length === 0) return out;
  for (const p of excludes) {
    const text = formatServicePattern(p);
    const inScope = namespaces.filter((ns) =>
      patternMatches({ ...p, name: '*' }, ns.context, ns.namespace, ''),
    );
    const contexts = [...new Set(namespaces.map((ns) => ns.context))];
    if (p.context !== undefined && p.context !== '*' && !contexts.includes(p.context)) {
      out.push(
        `--exclude ${text}: context ${p.context} is not forwarded${didYouMean(p.context, contexts)}; forwarded: ${contexts.join(', ')}.`,
      );
      continue;
    }
    if (inScope.length === 0) {
      const forwarded = [...new Set(namespaces.map((ns) => ns.namespace))];
      out.push(
        `--exclude ${text}: namespace ${p.namespace} is not forwarded${didYouMean(p.namespace, forwarded)}; ` +
          `forwarded: ${forwarded.join(', ') || 'none'}.`,
      );
      continue;
    }
    if (p.name === '*') continue;
    const services = inScope.flatMap((ns) => ns.services.map((s) => s.metadata.name));
    if (
      inScope.some((ns) =>
        ns.services.some((s) => patternMatches(p, ns.context, ns.namespace, s.metadata.name)),
      )
    )
      continue;
    out.push(
      `--exclude ${text} matches no service in ${[...new Set(inScope.map((ns) => ns.namespace))].join(', ')}` +
        `${didYouMean(p.name, [...new Set(services)])}.`,
    );
  }
  return out;
};

/**
 * One warning per -m mapping whose service port no forwarded service has (TCP). When the number is
 * a target port instead (what the pod listens on), the warning gives the mapping that was meant.
 */
export const unmatchedMappings = (
  mappings: PortMappings,
  namespaces: readonly ListedNamespace[],
): string[] => {
  if (mappings.size === 0 || namespaces.length === 0) return [];
  // A named target port ("https") is the number its pods give that name.
  const targetNumbers = (ns: ListedNamespace, svc: KService, target: string): string[] => {
    if (/^\d+$/.test(target)) return [target];
    const selector = svc.spec.selector;
    if (!selector) return [];
    return ns.pods
      .filter((pod) => selectorMatches(selector, pod.metadata.labels))
      .flatMap((pod) => pod.spec.containers.flatMap((c) => c.ports ?? []))
      .filter((cp) => cp.name === target)
      .map((cp) => String(cp.containerPort));
  };
  const tcp = namespaces.flatMap((ns) =>
    ns.services.flatMap((svc) =>
      (svc.spec.ports ?? [])
        .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
        .map((p) => ({
          port: p.port,
          targets: targetNumbers(ns, svc, String(p.targetPort ?? p.port)),
          svc,
          ns,
        })),
    ),
  );
  const out: string[] = [];
  for (const [from, to] of mappings) {
    if (tcp.some((p) => p.port === from)) continue;
    const target = tcp.find((p) => p.targets.includes(String(from)));
    out.push(
      `--mapping ${from}:${to} matches no service port of the forwarded services; nothing is mapped` +
        (target
          ? ` (${from} is the target port of ${target.svc.metadata.name}.${target.ns.namespace}; -m maps the service's port: -m ${target.port}:${to})`
          : ' (-m takes the service port that `kubectl get svc` shows, e.g. -m 80:8080)'),
    );
  }
  return out;
};
