// Reservations (-r, -z) and --exclude patterns that name nothing in the namespaces kubefwd forwards.
// Both are silent by nature — an unmatched reservation leaves its service on the next free address,
// an unmatched exclusion forwards the service anyway — so a typo (`postgress.shop`), or a short name
// for a service outside the first namespace (whose reservation needs `<svc>.<ns>`), went unnoticed.
// Checked once after the start-up sync, against the informers' lists. Pure.
import type { KPod, KService } from '../contract/kube.js';
import { closestNames, didYouMean } from '../domain/did-you-mean.js';
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
