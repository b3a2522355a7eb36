// The services table's groups: the TUI's filtered, sorted rows (tui/rows — same filter syntax,
// same sort orders), split by context/namespace; groups in name order, rows keep the sort.
import type { ForwardView } from '../contract/state.js';
import { visibleRows, type Row, type SortSpec } from '../tui/rows.js';
import { hasIssue } from '../domain/forward-counts.js';

export interface Group {
  /** `<namespace>.<context>`, the namespace key of the API. */
  key: string;
  namespace: string;
  context: string;
  rows: Row[];
  errors: number;
  active: number;
}

export const groupRows = (
  forwards: Iterable<ForwardView>,
  filter: string,
  sort: SortSpec,
  now = Date.now(),
): Group[] => {
  const groups = new Map<string, Group>();
  for (const row of visibleRows([...forwards], filter, sort)) {
    const f = row.forward;
    const key = `${f.namespace}.${f.context}`;
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = { key, namespace: f.namespace, context: f.context, rows: [], errors: 0, active: 0 }),
      );
    g.rows.push(row);
    if (hasIssue(f, now)) g.errors++;
    if (f.status === 'Active') g.active++;
  }
  return [...groups.values()].sort((a, b) =>
    a.context === b.context ? a.namespace.localeCompare(b.namespace) : a.context.localeCompare(b.context),
  );
};
