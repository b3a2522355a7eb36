// The issues of a snapshot — the one list GET /api/v1/analyze shows (each decided by
// domain/diagnosis) — and how they count per forward and per service, so quick status, health and
// the analysis agree on what is wrong and how much of it.
import type { Issue } from '../../contract/api-diagnostics.js';
import {
  failingConnectionsIssue,
  forwardIssue,
  isTroubled,
  namespaceWatchIssue,
} from '../../domain/diagnosis.js';
import type { StateSnapshot } from '../../state/store.js';

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** Namespaces not followed, troubled forwards, Active forwards whose connections fail; worst first. */
export const issuesOf = (s: Pick<StateSnapshot, 'namespaces' | 'forwards'>, now: number): Issue[] =>
  [
    ...s.namespaces.flatMap((n) => namespaceWatchIssue(n) ?? []),
    ...s.forwards.filter(isTroubled).map(forwardIssue),
    ...s.forwards.flatMap((f) => failingConnectionsIssue(f, now) ?? []),
  ].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);

export interface IssueCounts {
  /**
   * Forward issues that are not a wait: forwards in Error, re-dialling after a failure, or Active
   * with failing connections (QuickStatus.errorCount).
   */
  errorForwards: number;
  /** Forwards Waiting for a pod or a retry (QuickStatus.waitingCount). */
  waitingForwards: number;
  /**
   * Services by their worst issue — a forward in error (or re-dialling after one), else connections
   * failing through an Active forward, else a forward waiting — each service in one list, sorted.
   */
  inError: string[];
  failing: string[];
  waiting: string[];
  /** Namespaces whose list/watch fails. */
  unfollowed: number;
}

const RANK = { error: 0, failing: 1, waiting: 2 } as const;

export const countIssues = (issues: readonly Issue[]): IssueCounts => {
  const worst = new Map<string, keyof typeof RANK>();
  const counts: IssueCounts = {
    errorForwards: 0,
    waitingForwards: 0,
    inError: [],
    failing: [],
    waiting: [],
    unfollowed: 0,
  };
  for (const issue of issues) {
    if (issue.forwardKey === undefined || issue.serviceKey === undefined) {
      counts.unfollowed++;
      continue;
    }
    // failingConnectionsIssue is only for Active forwards; isTroubled's are never Active.
    const kind = issue.status === 'Waiting' ? 'waiting' : issue.status === 'Active' ? 'failing' : 'error';
    if (kind === 'waiting') counts.waitingForwards++;
    else counts.errorForwards++;
    const was = worst.get(issue.serviceKey);
    if (was === undefined || RANK[kind] < RANK[was]) worst.set(issue.serviceKey, kind);
  }
  for (const [key, kind] of [...worst].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    (kind === 'error' ? counts.inError : kind === 'failing' ? counts.failing : counts.waiting).push(key);
  return counts;
};
