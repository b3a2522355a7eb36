// The services table's row model, kept pure so filtering, sorting, selection and windowing are
// tested directly: one row per forward (pod × port), as in kubefwd.
import type { ForwardStatus, ForwardView } from '../contract/state.js';

export interface Row {
  key: string;
  /** Shortest hostname (kubefwd's column), or the service name. */
  hostname: string;
  forward: ForwardView;
}

export const SORT_FIELDS = ['hostname', 'status', 'namespace', 'rate', 'traffic'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface SortSpec {
  field: SortField;
  descending: boolean;
}

export const DEFAULT_SORT: SortSpec = { field: 'hostname', descending: false };

export const shortestHostname = (f: ForwardView): string =>
  f.hostnames.reduce<string | undefined>(
    (best, h) => (best === undefined || h.length < best.length ? h : best),
    undefined,
  ) ?? f.serviceName;

export const toRows = (forwards: readonly ForwardView[]): Row[] =>
  forwards.map((f) => ({ key: f.key, hostname: shortestHostname(f), forward: f }));

/** Problems first: Error, Waiting, Connecting, Pending, Stopping, Active. */
const STATUS_RANK: Record<ForwardStatus, number> = {
  Error: 0,
  Waiting: 1,
  Connecting: 2,
  Pending: 3,
  Stopping: 4,
  Active: 5,
};

const byHostname = (a: Row, b: Row): number =>
  a.hostname.length - b.hostname.length ||
  (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0) ||
  Number(a.forward.localPort) - Number(b.forward.localPort) ||
  (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const compare = (field: SortField, a: Row, b: Row): number => {
  switch (field) {
    case 'hostname':
      return 0;
    case 'status':
      return STATUS_RANK[a.forward.status] - STATUS_RANK[b.forward.status];
    case 'namespace':
      return a.forward.namespace < b.forward.namespace
        ? -1
        : a.forward.namespace > b.forward.namespace
          ? 1
          : 0;
    case 'rate':
      // Busiest first when ascending: "rate" reads as "top talkers".
      return b.forward.rateIn + b.forward.rateOut - (a.forward.rateIn + a.forward.rateOut);
    case 'traffic':
      return b.forward.bytesIn + b.forward.bytesOut - (a.forward.bytesIn + a.forward.bytesOut);
  }
};

/** Sorted copy; ties fall back to kubefwd's order (shortest hostname, then local port). */
export const sortRows = (rows: readonly Row[], spec: SortSpec): Row[] => {
  const sign = spec.descending ? -1 : 1;
  return [...rows].sort((a, b) => sign * (compare(spec.field, a, b) || byHostname(a, b)));
};

/**
 * The footer's name of the order. kubefwd's default is not alphabetical: shortest hostname first
 * (then name, then local port), so it is called "name len", not "hostname". Short: the footer is
 * one line.
 */
export const sortFieldLabel = (field: SortField): string => (field === 'hostname' ? 'name len' : field);

export const sortLabel = (spec: SortSpec): string =>
  `${sortFieldLabel(spec.field)} ${spec.descending ? '↓' : '↑'}`;

export const nextSortField = (field: SortField): SortField =>
  SORT_FIELDS[(SORT_FIELDS.indexOf(field) + 1) % SORT_FIELDS.length]!;

/**
 * A filter is whitespace-separated terms, all of which must match (case-insensitive):
 * `ns:<text>` / `namespace:` the namespace, `status:<text>` / `s:` the status, `ctx:` / `context:`
 * the context, and a bare term any hostname, service, service key, namespace, context, pod or status.
 */
export const matchesFilter = (row: Row, filter: string): boolean => {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const f = row.forward;
  return terms.every((term) => {
    const colon = term.indexOf(':');
    const field = colon > 0 ? term.slice(0, colon) : '';
    const value = colon > 0 ? term.slice(colon + 1) : term;
    switch (field) {
      case 'ns':
      case 'namespace':
        return f.namespace.toLowerCase().includes(value);
      case 's':
      case 'status':
        return f.status.toLowerCase().includes(value);
      case 'ctx':
      case 'context':
        return f.context.toLowerCase().includes(value);
      default:
        return (
          f.hostnames.some((h) => h.toLowerCase().includes(term)) ||
          f.serviceName.toLowerCase().includes(term) ||
          // A service key, full or short ("postgres.shop.prod", "postgres.shop"), as REST and MCP take it.
          f.serviceKey.toLowerCase().startsWith(term) ||
          f.namespace.toLowerCase().includes(term) ||
          f.context.toLowerCase().includes(term) ||
          f.podName.toLowerCase().includes(term) ||
          f.status.toLowerCase().includes(term)
        );
    }
  });
};

export const filterRows = (rows: readonly Row[], filter: string): Row[] =>
  filter.trim() === '' ? [...rows] : rows.filter((r) => matchesFilter(r, filter));

/** Filter then sort: what the table shows. */
export const visibleRows = (forwards: readonly ForwardView[], filter: string, sort: SortSpec): Row[] =>
  sortRows(filterRows(toRows(forwards), filter), sort);

/**
 * The selection survives updates by key: the row with `selectedKey` keeps the highlight wherever it
 * moved; if it vanished, the highlight stays at the same position (clamped).
 */
export const resolveSelection = (
  rows: readonly Row[],
  selectedKey: string | undefined,
  previousIndex: number,
): number => {
  if (rows.length === 0) return 0;
  if (selectedKey !== undefined) {
    const i = rows.findIndex((r) => r.key === selectedKey);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, previousIndex), rows.length - 1);
};

/** The first visible row index so that `selected` is inside a window of `page` rows. */
export const scrollOffset = (selected: number, offset: number, page: number, total: number): number => {
  if (page <= 0 || total <= page) return 0;
  let o = offset;
  if (selected < o) o = selected;
  if (selected >= o + page) o = selected - page + 1;
  return Math.min(Math.max(0, o), total - page);
};

/** True when the rows span more than one value of `pick` (kubefwd auto-shows Namespace/Context then). */
export const spansMany = (rows: readonly Row[], pick: (f: ForwardView) => string): boolean => {
  const first = rows[0];
  if (!first) return false;
  const v = pick(first.forward);
  return rows.some((r) => pick(r.forward) !== v);
};
