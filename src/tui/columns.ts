// Which columns the services table shows at a given width, and the text of each cell — pure, so
// the layout rules (kubefwd's compact/bandwidth views, auto Namespace/Context columns, dropping
// the least important columns on narrow terminals) are tested without rendering.
import type { ForwardView } from '../contract/state.js';
import { failingConnectionsText, isFailed } from '../domain/diagnosis.js';
import { retrySuffix } from '../domain/time-format.js';
import { formatBytes, formatPort, formatRate, sparkline } from './format.js';
import { fit, fitRight } from './width.js';
import type { Row } from './rows.js';
import { STATUS_GLYPH } from './theme.js';

export type ColumnId =
  | 'hostname'
  | 'port'
  | 'address'
  | 'pod'
  | 'namespace'
  | 'context'
  | 'status'
  | 'reconnects'
  | 'totalIn'
  | 'totalOut'
  | 'rateIn'
  | 'rateOut'
  | 'trend'
  | 'info';

export interface Column {
  id: ColumnId;
  title: string;
  width: number;
  align: 'left' | 'right';
}

export interface LayoutOptions {
  width: number;
  compact: boolean;
  bandwidth: boolean;
  showNamespace: boolean;
  showContext: boolean;
}

interface Spec {
  id: ColumnId;
  title: string;
  width: number;
  /** Flexible columns share what is left, by weight, never below `width`. */
  flex?: number;
  align?: 'right';
}

const HOSTNAME_MIN = 14;
const GAP = 1;

/** Columns dropped first when the terminal is narrow. */
const DROP_ORDER: ColumnId[] = [
  'trend',
  'totalOut',
  'totalIn',
  'reconnects',
  'pod',
  'rateOut',
  'rateIn',
  'namespace',
  'context',
  'port',
  'address',
];

export const layoutColumns = (o: LayoutOptions): Column[] => {
  let specs: Spec[] = [{ id: 'hostname', title: 'Hostname', width: HOSTNAME_MIN, flex: 3 }];
  if (o.compact) specs.push({ id: 'port', title: 'Port', width: 12 });
  else
    specs.push(
      { id: 'address', title: 'Local Address', width: 21 },
      { id: 'pod', title: 'Pod', width: 12, flex: 2 },
    );
  if (o.showNamespace) specs.push({ id: 'namespace', title: 'Namespace', width: 15 });
  if (o.showContext) specs.push({ id: 'context', title: 'Context', width: 15 });
  specs.push(
    { id: 'status', title: 'Status', width: 12 },
    { id: 'reconnects', title: 'Rc', width: 3, align: 'right' },
  );
  if (o.bandwidth)
    specs.push(
      { id: 'totalIn', title: 'Total In', width: 10, align: 'right' },
      { id: 'totalOut', title: 'Total Out', width: 10, align: 'right' },
      { id: 'rateIn', title: 'Rate In', width: 11, align: 'right' },
      { id: 'rateOut', title: 'Rate Out', width: 11, align: 'right' },
      { id: 'trend', title: 'Trend', width: 10 },
    );
  // Without traffic columns the reason of a waiting/errored row still needs a place.
  else specs.push({ id: 'info', title: 'Info', width: 10, flex: 2 });

  const fixedWidth = (s: Spec[]): number => s.reduce((sum, x) => sum + x.width, 0) + GAP * (s.length - 1);
  for (const id of DROP_ORDER) {
    if (fixedWidth(specs) <= o.width) break;
    specs = specs.filter((s) => s.id !== id);
  }

  const spare = Math.max(0, o.width - fixedWidth(specs));
  const flexTotal = specs.reduce((sum, s) => sum + (s.flex ?? 0), 0);
  let given = 0;
  const flexCols = specs.filter((s) => s.flex);
  return specs.map((s) => {
    let width = s.width;
    if (s.flex && flexTotal > 0) {
      const isLast = s === flexCols[flexCols.length - 1];
      const extra = isLast ? spare - given : Math.floor((spare * s.flex) / flexTotal);
      given += extra;
      width += extra;
    }
    return { id: s.id, title: s.title, width, align: s.align ?? 'left' };
  });
};

export const GAP_TEXT = ' '.repeat(GAP);

export const headerLine = (cols: readonly Column[]): string =>
  cols.map((c) => (c.align === 'right' ? fitRight(c.title, c.width) : fit(c.title, c.width))).join(GAP_TEXT);

/** What a row says about a problem: the reason and when the next retry happens. */
export const problemText = (f: ForwardView, now: number): string | undefined => {
  // Active, but the pod turns connections away: the row says so, or it would look fine.
  if (f.status === 'Active') return failingConnectionsText(f, now);
  // A re-dial after a failure (Connecting with its error) says the failure, as in the API's count.
  if (f.status !== 'Waiting' && !isFailed(f)) return undefined;
  const why = f.reason ?? f.error ?? (f.status === 'Waiting' ? 'waiting for a ready pod' : 'failed');
  return `${why}${retrySuffix(f.nextRetryAt, now)}`;
};

export const statusText = (f: ForwardView): string => `${STATUS_GLYPH[f.status]} ${f.status}`;

/** Whether a cell takes the status colour. */
export type CellTone = 'status' | 'problem' | 'muted' | 'plain';

export interface Cell {
  text: string;
  tone: CellTone;
}

const TRAFFIC: ReadonlySet<ColumnId> = new Set(['totalIn', 'totalOut', 'rateIn', 'rateOut', 'trend', 'info']);

/**
 * The cells of one row, padded to their columns. For a Waiting/Error row the traffic cells are
 * replaced by one cell with the reason and next retry, spanning their width — the thing to read.
 */
export const rowCells = (
  row: Row,
  cols: readonly Column[],
  now: number,
  trend: readonly number[] = [],
): Cell[] => {
  const f = row.forward;
  const problem = problemText(f, now);
  const cells: Cell[] = [];
  let spanWidth = -GAP;
  for (const c of cols) {
    if (problem !== undefined && TRAFFIC.has(c.id)) {
      spanWidth += c.width + GAP;
      continue;
    }
    const text = cellText(c.id, row, trend, c.width);
    const tone: CellTone = c.id === 'status' ? 'status' : c.id === 'trend' ? 'muted' : 'plain';
    cells.push({ text: c.align === 'right' ? fitRight(text, c.width) : fit(text, c.width), tone });
  }
  if (problem !== undefined && spanWidth > 0) cells.push({ text: fit(problem, spanWidth), tone: 'problem' });
  return cells;
};

const cellText = (id: ColumnId, row: Row, trend: readonly number[], width: number): string => {
  const f = row.forward;
  switch (id) {
    case 'hostname':
      return row.hostname;
    case 'port':
      return formatPort(f.localPort, f.podPort);
    case 'address':
      return `${f.localIP}:${f.localPort}`;
    case 'pod':
      return f.podName || '-';
    case 'namespace':
      return f.namespace;
    case 'context':
      return f.context;
    case 'status':
      return statusText(f);
    case 'reconnects':
      return f.reconnects > 0 ? String(f.reconnects) : '';
    case 'totalIn':
      return formatBytes(f.bytesIn);
    case 'totalOut':
      return formatBytes(f.bytesOut);
    case 'rateIn':
      return formatRate(f.rateIn);
    case 'rateOut':
      return formatRate(f.rateOut);
    case 'trend':
      return sparkline(trend, width);
    case 'info':
      return f.activeConnections > 0 ? `${f.activeConnections} open` : '';
  }
};
