// All forwards, live, grouped by context/namespace: status, IP, hostnames, ports, pod, bytes, a rate
// sparkline; the TUI's filter, sort, selection and keys; reconnect one, reconnect all errors,
// remove a namespace.
//
// At 500 forwards with bytes moving on all of them, every forward changes every second. The list
// therefore restructures (re-renders its window) only when its shape changes — which rows, in which
// order, group counts — and otherwise rows on screen that show old data are refreshed by the pacer,
// a few per frame. Rows are fixed-height, absolutely placed and `contain: strict`, so a row's
// refresh lays out and paints that row alone.
import { Component, type JSX, type RefObject } from 'preact';
import { useEffect, useMemo, useRef, useState, type MutableRef } from 'preact/hooks';
import type { ForwardView } from '../contract/state.js';
import { failingConnectionsText } from '../domain/diagnosis.js';
import { formatBytes, formatRate } from '../tui/format.js';
import { SORT_FIELDS, sortFieldLabel, type SortField, type SortSpec } from '../tui/rows.js';
import { hintOf } from './api.js';
import { withRetry } from './clock.js';
import { groupRows, type Group } from './groups.js';
import { emptyListText } from './list-message.js';
import type { KeyAction } from './keyboard.js';
import type { LiveHub } from './live-hub.js';
import type { Pacer } from './pacer.js';
import { Sparkline } from './sparkline.js';
import { visibleRange } from './window.js';

export const ROW_HEIGHT = 40;
export const COMPACT_ROW_HEIGHT = 28;

type Item = { kind: 'group'; group: Group } | { kind: 'row'; key: string; hostname: string };

/** Group heads and rows in one list of same-height items. */
const flatten = (groups: readonly Group[]): Item[] =>
  groups.flatMap((group): Item[] => [
    { kind: 'group', group },
    ...group.rows.map((r): Item => ({ kind: 'row', key: r.key, hostname: r.hostname })),
  ]);

/** What the list's structure depends on: rows, their order and names, group heads' figures. */
export const shapeOf = (groups: readonly Group[], totalErrors: number, total: number): string => {
  let s = `${total}:${totalErrors}`;
  for (const g of groups) {
    s += `|${g.key}:${g.active}:${g.errors}`;
    for (const r of g.rows) s += `,${r.key} ${r.hostname}`;
  }
  return s;
};

/** The items in view, recomputed on scroll and resize (at most once a frame). */
const useVisibleRange = (
  list: MutableRef<HTMLDivElement | null>,
  count: number,
  itemHeight: number,
): { start: number; end: number } => {
  const [view, setView] = useState({ scrollY: 0, height: 1000, top: 0 });
  useEffect(() => {
    let frame = 0;
    const measure = (): void => {
      frame = 0;
      const top = (list.current?.getBoundingClientRect().top ?? 0) + scrollY;
      setView((v) =>
        v.scrollY === scrollY && v.height === innerHeight && v.top === top
          ? v
          : { scrollY, height: innerHeight, top },
      );
    };
    const schedule = (): void => {
      if (frame === 0) frame = requestAnimationFrame(measure);
    };
    measure();
    addEventListener('scroll', schedule, { passive: true });
    addEventListener('resize', schedule);
    return () => {
      cancelAnimationFrame(frame);
      removeEventListener('scroll', schedule);
      removeEventListener('resize', schedule);
    };
  }, []);
  return visibleRange(count, view.top, view.scrollY, view.height, itemHeight);
};

export interface ListActions {
  reconnect(serviceKey: string): void;
  reconnectErrors(): void;
  sync(serviceKey: string): void;
  removeNamespace(key: string): void;
  removeService(serviceKey: string): Promise<void>;
}

export interface Display {
  /** The TUI's `b`: bytes in/out and rate columns. */
  bandwidth: boolean;
  /** The TUI's `c`: one line per row. */
  compact: boolean;
}

interface RowProps {
  fkey: string;
  hostname: string;
  /** Offset in the list (px). */
  top: number;
  selected: boolean;
  display: Display;
  hub: LiveHub;
  pacer: Pacer;
  actions: ListActions;
  select: (key: string) => void;
}

const statusClass = (s: ForwardView['status']): string => `status status-${s.toLowerCase()}`;

/**
 * One forward, one fixed-height line. Its data comes from the live copy: the pacer re-renders it
 * when that moved; its parent re-renders it only for what the parent owns (name, selection,
 * display), and moves it without a render when only its place changed.
 */
class ForwardRow extends Component<RowProps> {
  private shown: ForwardView | undefined;
  private shownSpark: readonly number[] | undefined;
  private unregister: (() => void) | undefined;

  override componentDidMount(): void {
    this.unregister = this.props.pacer.register(this.props.fkey, {
      stale: () =>
        this.props.hub.live.forwards.get(this.props.fkey) !== this.shown ||
        this.props.hub.live.spark.get(this.props.fkey) !== this.shownSpark,
      refresh: () => this.forceUpdate(),
    });
  }

  override componentWillUnmount(): void {
    this.unregister?.();
  }

  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    if (
      next.hostname !== p.hostname ||
      next.selected !== p.selected ||
      next.display !== p.display ||
      next.actions !== p.actions
    )
      return true;
    if (next.top !== p.top && this.base instanceof HTMLElement) this.base.style.top = `${next.top}px`;
    return false;
  }

  override render({ fkey, hostname, top, selected, display, hub, actions, select }: RowProps): JSX.Element {
    const f = hub.live.forwards.get(fkey);
    const spark = hub.live.spark.get(fkey);
    this.shown = f;
    this.shownSpark = spark;
    if (!f) return <div class="row" style={{ top: `${top}px` }} />;
    // Active, but the pod turns connections away: the row says so (the TUI's rule), or it would look fine.
    const problem =
      f.status === 'Error' || f.status === 'Waiting'
        ? withRetry(f.reason ?? f.error, f.nextRetryAt)
        : failingConnectionsText(f, Date.now());
    const hint = hintOf(f.errorCode);
    const others = f.hostnames.filter((h) => h !== hostname);
    let cls = 'row';
    if (problem) cls += ' has-problem';
    if (selected) cls += ' selected';
    return (
      <div
        class={cls}
        style={{ top: `${top}px` }}
        data-key={f.key}
        data-service={f.serviceKey}
        data-namespace={`${f.namespace}.${f.context}`}
        aria-selected={selected}
        onClick={() => select(f.key)}
      >
        <span class="cell">
          <span class={statusClass(f.status)}>{f.status}</span>
        </span>
        <span class="cell name">
          <a href={`#/service/${encodeURIComponent(f.serviceKey)}`}>{hostname}</a>
          {display.compact ? null : problem !== undefined ? (
            <span class="line problem" title={hint ? `${problem}\n${hint}` : problem}>
              {problem}
              {hint !== undefined && <span class="hint"> — {hint}</span>}
            </span>
          ) : (
            others.length > 0 && (
              <span class="line sub" title={others.join('\n')}>
                {others.length === 1 ? others[0] : `${others[0]} +${others.length - 1}`}
              </span>
            )
          )}
        </span>
        <span class="cell mono">
          {f.localIP}:{f.localPort}
          {f.podPort !== f.localPort && <span class="sub"> → {f.podPort}</span>}
        </span>
        <span class="cell mono pod" title={f.podName}>
          {f.podName}
        </span>
        {display.bandwidth && <span class="cell num">{formatBytes(f.bytesIn)}</span>}
        {display.bandwidth && <span class="cell num">{formatBytes(f.bytesOut)}</span>}
        {display.bandwidth && (
          <span class="cell rate">
            <Sparkline values={spark} />
            <span class="num">{formatRate(f.rateIn + f.rateOut)}</span>
          </span>
        )}
        <span class="cell">
          <button
            type="button"
            class="small"
            onClick={() => actions.reconnect(f.serviceKey)}
            title="Reconnect this service (closes its open connections)"
            aria-label={`Reconnect ${hostname}`}
          >
            ↻
          </button>
        </span>
      </div>
    );
  }
}

export interface ListViewProps {
  hub: LiveHub;
  pacer: Pacer;
  filter: string;
  sort: SortSpec;
  display: Display;
  /** Namespace keys the daemon watches (removable); others came from single services. */
  watched: ReadonlySet<string>;
  setFilter(v: string): void;
  setSort(v: SortSpec): void;
  actions: ListActions;
  filterBox: RefObject<HTMLInputElement>;
  /** Where App sends the list's keys. */
  keys: MutableRef<((a: KeyAction) => boolean) | undefined>;
  /** False while kubefwd cannot be reached: the rows are its last known state, greyed. */
  reachable: boolean;
}

interface Shape {
  sig: string;
  groups: Group[];
  errors: number;
  total: number;
}

const shapeNow = (hub: LiveHub, filter: string, sort: SortSpec): Shape => {
  const groups = groupRows(hub.live.forwards.values(), filter, sort);
  let errors = 0;
  for (const f of hub.live.forwards.values()) if (f.status === 'Error') errors++;
  const total = hub.live.forwards.size;
  return { sig: shapeOf(groups, errors, total), groups, errors, total };
};

// Long for its markup: group heads, rows and their actions render together; the row model is the TUI's (tui/rows.ts).
export const ListView = (p: ListViewProps): JSX.Element => {
  const [shape, setShape] = useState<Shape>(() => shapeNow(p.hub, p.filter, p.sort));
  const current = useRef(shape);
  current.current = shape;
  // Filter or sort changed: restructure now. Live changes: restructure only if the shape moved.
  useEffect(() => {
    const update = (): void => {
      const next = shapeNow(p.hub, p.filter, p.sort);
      if (next.sig !== current.current.sig) setShape(next);
      p.pacer.check();
    };
    update();
    return p.hub.subscribe(update);
  }, [p.hub, p.pacer, p.filter, p.sort]);

  const itemHeight = p.display.compact ? COMPACT_ROW_HEIGHT : ROW_HEIGHT;
  const items = useMemo(() => flatten(shape.groups), [shape]);
  const rowKeys = useMemo(() => items.flatMap((it) => (it.kind === 'row' ? [it.key] : [])), [items]);
  const rowCount = rowKeys.length;
  const list = useRef<HTMLDivElement>(null);
  const range = useVisibleRange(list, items.length, itemHeight);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const selectedKey = selected !== undefined && rowKeys.includes(selected) ? selected : rowKeys[0];

  /** Scrolls the window so the item at `index` is in view below the sticky header. */
  const reveal = (key: string): void => {
    const index = items.findIndex((it) => it.kind === 'row' && it.key === key);
    const el = list.current;
    if (index < 0 || !el) return;
    const top = el.getBoundingClientRect().top + scrollY + index * itemHeight;
    const above = top - 90;
    const below = top + itemHeight - innerHeight + 10;
    if (scrollY > above) scrollTo({ top: above });
    else if (scrollY < below) scrollTo({ top: below });
  };

  const go = (i: number): void => {
    if (rowKeys.length === 0) return;
    const key = rowKeys[Math.max(0, Math.min(rowKeys.length - 1, i))]!;
    setSelected(key);
    reveal(key);
  };

  p.keys.current = (a: KeyAction): boolean => {
    const at = selectedKey === undefined ? -1 : rowKeys.indexOf(selectedKey);
    const f = selectedKey === undefined ? undefined : p.hub.live.forwards.get(selectedKey);
    const page = Math.max(1, Math.floor((innerHeight - 140) / itemHeight));
    switch (a.kind) {
      case 'move':
        go(at + a.by);
        return true;
      case 'page':
        go(at + a.by * page);
        return true;
      case 'first':
        go(0);
        return true;
      case 'last':
        go(rowKeys.length - 1);
        return true;
      case 'open':
        if (f) location.hash = `#/service/${encodeURIComponent(f.serviceKey)}`;
        return true;
      case 'reconnect':
        if (f) p.actions.reconnect(f.serviceKey);
        return true;
      case 'sync':
        if (f) p.actions.sync(f.serviceKey);
        return true;
      case 'remove':
        // A headless pod's entry follows its service's pods: stopping it stops the service.
        if (f) void p.actions.removeService(f.registryKey);
        return true;
      case 'reconnectErrors':
        p.actions.reconnectErrors();
        return true;
      default:
        return false;
    }
  };

  const select = useMemo(() => (key: string) => setSelected(key), []);
  const empty = emptyListText(shape.total, rowCount, p.reachable);
  let cls = 'forwards';
  if (p.display.compact) cls += ' compact';
  if (!p.reachable) cls += ' unreachable';
  return (
    <section class={cls}>
      <div class="toolbar">
        <input
          type="search"
          class="filter"
          ref={p.filterBox}
          placeholder="Filter (/): text, ns:…, status:…, ctx:…"
          value={p.filter}
          onInput={(e) => p.setFilter(e.currentTarget.value)}
          aria-label="Filter forwards"
        />
        <label>
          Sort{' '}
          <select
            value={p.sort.field}
            onChange={(e) => p.setSort({ ...p.sort, field: e.currentTarget.value as SortField })}
            aria-label="Sort by"
          >
            {SORT_FIELDS.map((f) => (
              <option value={f}>{sortFieldLabel(f)}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="small"
          onClick={() => p.setSort({ ...p.sort, descending: !p.sort.descending })}
          aria-label="Reverse the order"
          title="Reverse the order (o)"
        >
          {p.sort.descending ? '↓' : '↑'}
        </button>
        <span class="spacer" />
        <button
          type="button"
          disabled={shape.errors === 0 || !p.reachable}
          onClick={() => p.actions.reconnectErrors()}
          id="reconnect-errors"
          title="Reconnect the services in error (r)"
        >
          Reconnect errors ({shape.errors})
        </button>
        {p.reachable ? (
          <a class="button" href="#/browse" title="Browse the cluster (f)">
            Add from cluster…
          </a>
        ) : (
          <button type="button" disabled title="kubefwd is not reachable">
            Add from cluster…
          </button>
        )}
      </div>
      {empty !== undefined && <p class="empty">{empty}</p>}
      {items.length > 0 && (
        <div class={p.display.bandwidth ? 'row head-row' : 'row head-row no-bw'} aria-hidden="true">
          <span>Status</span>
          <span>Service</span>
          <span>Address</span>
          <span>Pod</span>
          {p.display.bandwidth && <span class="num">In</span>}
          {p.display.bandwidth && <span class="num">Out</span>}
          {p.display.bandwidth && <span>Rate</span>}
          <span />
        </div>
      )}
      <div
        class={p.display.bandwidth ? 'vlist' : 'vlist no-bw'}
        ref={list}
        style={{ height: `${items.length * itemHeight}px` }}
        data-rows={rowCount}
      >
        {items.slice(range.start, range.end).map((it, i) => {
          const top = (range.start + i) * itemHeight;
          if (it.kind === 'row')
            return (
              <ForwardRow
                key={it.key}
                fkey={it.key}
                hostname={it.hostname}
                top={top}
                selected={it.key === selectedKey}
                display={p.display}
                hub={p.hub}
                pacer={p.pacer}
                actions={p.actions}
                select={select}
              />
            );
          const g = it.group;
          return (
            <div class="group-head" key={`g:${g.key}`} style={{ top: `${top}px` }} data-namespace={g.key}>
              <h2>
                {g.namespace} <span class="sub">{g.context}</span>
              </h2>
              <span class="sub">
                {g.rows.length} forwards · {g.active} active{g.errors > 0 ? ` · ${g.errors} errors` : ''}
              </span>
              <span class="spacer" />
              {p.watched.has(g.key) && (
                <button type="button" class="small danger" onClick={() => p.actions.removeNamespace(g.key)}>
                  Stop namespace
                </button>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
};
