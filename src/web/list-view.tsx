// All forwards, live, grouped by context/namespace: status, IP, hostnames, ports, pod, bytes, a rate
// sparkline; the TUI's filter and sort; reconnect one, reconnect all errors, remove a namespace.
import { Component, type JSX } from 'preact';
import { useEffect, useMemo, useRef, useState, type MutableRef } from 'preact/hooks';
import type { ForwardView } from '../contract/state.js';
import { formatBytes, formatRate } from '../tui/format.js';
import { SORT_FIELDS, type Row, type SortField, type SortSpec } from '../tui/rows.js';
import { hintOf } from './api.js';
import { groupRows, type Group } from './groups.js';
import { Sparkline } from './sparkline.js';
import { ITEM_HEIGHT, visibleRange } from './window.js';

type Item = { kind: 'group'; group: Group } | { kind: 'row'; row: Row };

/** Group heads and rows in one list of same-height items. */
const flatten = (groups: readonly Group[]): Item[] =>
  groups.flatMap((group): Item[] => [
    { kind: 'group', group },
    ...group.rows.map((row): Item => ({ kind: 'row', row })),
  ]);

/** The items in view, recomputed on scroll and resize (at most once a frame). */
const useVisibleRange = (
  list: MutableRef<HTMLDivElement | null>,
  count: number,
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
  return visibleRange(count, view.top, view.scrollY, view.height);
};

export interface ListActions {
  reconnect(serviceKey: string): void;
  reconnectErrors(): void;
  removeNamespace(key: string): void;
}

interface RowProps {
  /** Offset in the list (px). */
  top: number;
  row: Row;
  forward: ForwardView;
  spark: readonly number[] | undefined;
  actions: ListActions;
}

const statusClass = (s: ForwardView['status']): string => `status status-${s.toLowerCase()}`;

/** One forward, one fixed-height line. Re-renders only when its forward or its samples are new objects. */
class ForwardRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return (
      next.forward !== this.props.forward ||
      next.spark !== this.props.spark ||
      next.row.hostname !== this.props.row.hostname ||
      next.top !== this.props.top
    );
  }
  override render({ row, forward: f, spark, actions, top }: RowProps): JSX.Element {
    const problem = f.status === 'Error' || f.status === 'Waiting' ? (f.reason ?? f.error) : undefined;
    const hint = hintOf(f.errorCode);
    const others = f.hostnames.filter((h) => h !== row.hostname);
    return (
      <div
        class={problem ? 'row has-problem' : 'row'}
        style={{ top: `${top}px` }}
        data-key={f.key}
        data-service={f.serviceKey}
        data-namespace={`${f.namespace}.${f.context}`}
      >
        <span class="cell">
          <span class={statusClass(f.status)}>{f.status}</span>
        </span>
        <span class="cell name">
          <a href={`#/service/${encodeURIComponent(f.serviceKey)}`}>{row.hostname}</a>
          {problem !== undefined ? (
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
        <span class="cell num">{formatBytes(f.bytesIn)}</span>
        <span class="cell num">{formatBytes(f.bytesOut)}</span>
        <span class="cell rate">
          <Sparkline values={spark} />
          <span class="num">{formatRate(f.rateIn + f.rateOut)}</span>
        </span>
        <span class="cell">
          <button
            type="button"
            class="small"
            onClick={() => actions.reconnect(f.serviceKey)}
            title="Reconnect this service"
            aria-label={`Reconnect ${row.hostname}`}
          >
            ↻
          </button>
        </span>
      </div>
    );
  }
}

export interface ListViewProps {
  forwards: Map<string, ForwardView>;
  spark: Map<string, readonly number[]>;
  version: number;
  filter: string;
  sort: SortSpec;
  /** Namespace keys the daemon watches (removable); others came from single services. */
  watched: ReadonlySet<string>;
  setFilter(v: string): void;
  setSort(v: SortSpec): void;
  actions: ListActions;
}

export const ListView = (p: ListViewProps): JSX.Element => {
  // `version` says the map changed in place.
  const groups = useMemo(
    () => groupRows(p.forwards.values(), p.filter, p.sort),
    [p.version, p.filter, p.sort],
  );
  const items = useMemo(() => flatten(groups), [groups]);
  const rowCount = items.length - groups.length;
  const list = useRef<HTMLDivElement>(null);
  const range = useVisibleRange(list, items.length);
  let errors = 0;
  for (const f of p.forwards.values()) if (f.status === 'Error') errors++;
  return (
    <section>
      <div class="toolbar">
        <input
          type="search"
          class="filter"
          placeholder="Filter: text, ns:…, status:…, ctx:…"
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
              <option value={f}>{f}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="small"
          onClick={() => p.setSort({ ...p.sort, descending: !p.sort.descending })}
          aria-label="Reverse the order"
        >
          {p.sort.descending ? '↓' : '↑'}
        </button>
        <span class="spacer" />
        <button
          type="button"
          disabled={errors === 0}
          onClick={() => p.actions.reconnectErrors()}
          id="reconnect-errors"
        >
          Reconnect errors ({errors})
        </button>
        <a class="button" href="#/browse">
          Add from cluster…
        </a>
      </div>
      {groups.length === 0 && (
        <p class="empty">
          {p.forwards.size === 0
            ? 'Nothing is forwarded yet. Add a namespace or a service from the cluster.'
            : 'No forward matches the filter.'}
        </p>
      )}
      {items.length > 0 && (
        <div class="row head-row" aria-hidden="true">
          <span>Status</span>
          <span>Service</span>
          <span>Address</span>
          <span>Pod</span>
          <span class="num">In</span>
          <span class="num">Out</span>
          <span>Rate</span>
          <span />
        </div>
      )}
      <div
        class="vlist"
        ref={list}
        style={{ height: `${items.length * ITEM_HEIGHT}px` }}
        data-rows={rowCount}
      >
        {items.slice(range.start, range.end).map((it, i) => {
          const top = (range.start + i) * ITEM_HEIGHT;
          if (it.kind === 'row')
            return (
              <ForwardRow
                key={it.row.key}
                top={top}
                row={it.row}
                forward={it.row.forward}
                spark={p.spark.get(it.row.key)}
                actions={p.actions}
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
