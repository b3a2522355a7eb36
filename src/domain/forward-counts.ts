// The totals a status line shows (the TUI's bottom line, the dashboard's header): forwards active,
// with an issue, waiting, reconnects and rates — one rule, so the two screens and the API agree.
import type { ForwardView } from '../contract/state.js';
import { failingConnectionsText, isFailed } from './diagnosis.js';

/**
 * A forward the user must look at: failed (or re-dialling after a failure), or Active while the pod
 * refuses its connections — the API counts that as an issue too, though its status stays Active.
 */
export const hasIssue = (f: ForwardView, now: number): boolean =>
  isFailed(f) || failingConnectionsText(f, now) !== undefined;

export interface ForwardCounts {
  active: number;
  errors: number;
  waiting: number;
  rateIn: number;
  rateOut: number;
  reconnects: number;
}

export const summarize = (forwards: Iterable<ForwardView>, now: number): ForwardCounts => {
  const s: ForwardCounts = { active: 0, errors: 0, waiting: 0, rateIn: 0, rateOut: 0, reconnects: 0 };
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
