// All forwards, live, grouped by context/namespace: status, IP, hostnames, ports, pod, bytes, a rate
// sparkline; the TUI's filter and sort; reconnect one, reconnect all errors, remove a namespace.
import { Component, type JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import type { ForwardView } from '../contract/state.js';
import { formatBytes, formatRate } from '../tui/format.js';
import { SORT_FIELDS, type Row, type SortField, type SortSpec } from '../tui/rows.js';
import { hintOf } from './api.js';
import { groupRows } from './groups.js';
import { Sparkline } from './sparkline.js';

export interface ListActions {
  reconnect(serviceKey: string): void;
  reconnectErrors(): void;
  removeNamespace(key: string): void;
}

interface RowProps {
  row: Row;
  forward: ForwardView;
  spark: readonly number[] | undefined;
  actions: ListActions;
}

const statusClass = (s: ForwardView['status']): string => `status status-${s.toLowerCase()}`;

/** One forward. Re-renders only when its forward or its samples are new objects. */
class ForwardRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return (
      next.forward !== this.props.forward ||
      next.spark !== this.props.spark ||
      next.row.hostname !== this.props.row.hostname
    );
  }
  override render({ row, forward: f, spark, actions }: RowProps): JSX.Element {
    const problem = f.status === 'Error' || f.status === 'Waiting' ? (f.reason ?? f.error) : undefined;
    const hint = hintOf(f.errorCode);
    const others = f.hostnames.filter((h) => h !== row.hostname);
    return (
      <tr data-key={f.key} data-service={f.serviceKey} class={problem ? 'has-problem' : undefined}>
        <td>
          <span class={statusClass(f.status)}>{f.status}</span>
        </td>
        <td class="name">
          <a href={`#/service/${encodeURIComponent(f.serviceKey)}`}>{row.hostname}</a>
          {others.length > 0 && (
            <div class="sub" title={others.join('\n')}>
              {others.length === 1 ? others[0] : `${others[0]} +${others.length - 1}`}
            </div>
          )}
          {problem !== undefined && (
            <div class="problem" title={hint}>
              {problem}
              {hint !== undefined && <span class="hint"> — {hint}</span>}
            </div>
          )}
        </td>
        <td class="mono">
          {f.localIP}:{f.localPort}
          {f.podPort !== f.localPort && <span class="sub"> → {f.podPort}</span>}
        </td>
        <td class="mono pod">{f.podName}</td>
        <td class="num">{formatBytes(f.bytesIn)}</td>
        <td class="num">{formatBytes(f.bytesOut)}</td>
        <td class="rate">
          <Sparkline values={spark} />
          <span class="num">{formatRate(f.rateIn + f.rateOut)}</span>
        </td>
        <td>
          <button
            type="button"
            class="small"
            onClick={() => actions.reconnect(f.serviceKey)}
            title="Reconnect this service"
          >
            ↻
          </button>
        </td>
      </tr>
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
      {groups.map((g) => (
        <div class="group" key={g.key} data-namespace={g.key}>
          <div class="group-head">
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
          <table class="forwards">
            <thead>
              <tr>
                <th>Status</th>
                <th>Service</th>
                <th>Address</th>
                <th>Pod</th>
                <th class="num">In</th>
                <th class="num">Out</th>
                <th>Rate</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {g.rows.map((r) => (
                <ForwardRow
                  key={r.key}
                  row={r}
                  forward={r.forward}
                  spark={p.spark.get(r.key)}
                  actions={p.actions}
                />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
};
