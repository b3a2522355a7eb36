// The header's figures (the TUI's status line): forwards, errors, waiting, rates, reconnects, uptime.
import type { ForwardView } from '../contract/state.js';
import { failingConnectionsText, isFailed } from '../domain/diagnosis.js';

/**
 * A forward the user must look at: failed (or re-dialling after a failure), or Active while the pod
 * refuses its connections — the TUI and the API count that as an issue too, though its pill stays Active.
 */
export const hasIssue = (f: ForwardView, now: number): boolean =>
  isFailed(f) || failingConnectionsText(f, now) !== undefined;

export interface Summary {
  active: number;
  errors: number;
  waiting: number;
  rateIn: number;
  rateOut: number;
  reconnects: number;
}

export const summarize = (forwards: Iterable<ForwardView>, now: number): Summary => {
  const s: Summary = { active: 0, errors: 0, waiting: 0, rateIn: 0, rateOut: 0, reconnects: 0 };
  for (const f of forwards) {
    s.rateIn += f.rateIn;
    s.rateOut += f.rateOut;
    s.reconnects += f.reconnects;
    if (f.status === 'Active') s.active++;
    if (hasIssue(f, now)) s.errors++;
    else if (f.status === 'Waiting') s.waiting++;
  }
  return s;
};

/** kubefwd's uptime, only while the page reaches it: a stopped kubefwd has none to count. */
export const uptimeMs = (
  startedAt: number | undefined,
  reachable: boolean,
  now: number,
): number | undefined => (startedAt !== undefined && reachable ? now - startedAt : undefined);
