// The dashboard: one live copy of the forwards (SSE), four views chosen by the address's hash
// (#/ list, #/service/<key> detail, #/browse cluster, #/logs kubefwd's log), the TUI's keys,
// actions with their errors shown as the registry words them.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { InfoResponse, NamespacesListResponse, ReconnectResponse } from '../contract/api.js';
import type { NamespaceView } from '../contract/state.js';
import { formatDuration, formatRate } from '../tui/format.js';
import { DEFAULT_SORT, nextSortField, type SortSpec } from '../tui/rows.js';
import { ApiFailure, call, enc, type ApiProblem } from './api.js';
import { BrowseView } from './browse-view.js';
import { connect, reachableAfter, type LinkState } from './connection.js';
import { DetailView } from './detail-view.js';
import { KEY_HELP, keyAction, type KeyAction } from './keyboard.js';
import { UNREACHABLE_TEXT, UNREACHABLE_TITLE } from './list-message.js';
import { ListView, type Display } from './list-view.js';
import { createLiveHub, useLive, type LiveHub } from './live-hub.js';
import { LogsView } from './logs-view.js';
import { NamespaceAlerts } from './namespace-alerts.js';
import { animationFrames, createPacer } from './pacer.js';
import { ProblemBox } from './problem.js';
import { summarize } from '../domain/forward-counts.js';
import { uptimeMs } from './summary.js';

type Route = { view: 'list' } | { view: 'service'; key: string } | { view: 'browse' } | { view: 'logs' };

export const parseRoute = (hash: string): Route => {
  const m = /^#\/service\/(.+)$/.exec(hash);
  if (m) {
    try {
      return { view: 'service', key: decodeURIComponent(m[1]!) };
    } catch {
      return { view: 'list' };
    }
  }
  if (hash === '#/browse') return { view: 'browse' };
  if (hash === '#/logs') return { view: 'logs' };
  return { view: 'list' };
};

interface Notice {
  id: number;
  text?: string;
  problem?: ApiProblem;
}

const LINK_TEXT: Record<LinkState, string> = {
  connecting: 'connecting…',
  live: 'live',
  offline: 'reconnecting…',
  unauthorized: 'not logged in',
};

/** The display toggles (b, c) outlive a reload. */
const loadDisplay = (): Display => {
  try {
    const d = JSON.parse(localStorage.getItem('kubefwd.display') ?? '{}') as Partial<Display>;
    return { bandwidth: d.bandwidth ?? true, compact: d.compact ?? false };
  } catch {
    return { bandwidth: true, compact: false };
  }
};

/** The TUI's header and status line in one: forwards, errors, rates, reconnects, uptime. */
const Header = ({
  hub,
  link,
  reachable,
  startedAt,
}: {
  hub: LiveHub;
  link: LinkState;
  reachable: boolean;
  startedAt: number | undefined;
}) => {
  useLive(hub);
  // The uptime moves every second, with or without events.
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const { active, errors, waiting, rateIn, rateOut, reconnects } = summarize(
    hub.live.forwards.values(),
    Date.now(),
  );
  const up = uptimeMs(startedAt, reachable, Date.now());
  return (
    <header>
      <a class="brand" href="#/">
        kubefwd
      </a>
      <span class="sub" id="summary">
        <span>
          {active}/{hub.live.forwards.size} active
        </span>
        <span class={errors > 0 ? 'bad' : undefined} id="error-count">
          {errors} errors
        </span>
        {waiting > 0 && <span>{waiting} waiting</span>}
        <span id="reconnect-count">
          {reconnects} reconnect{reconnects === 1 ? '' : 's'}
        </span>
        <span id="rates">
          ↓ {formatRate(rateIn)} ↑ {formatRate(rateOut)}
        </span>
        {up !== undefined && <span id="uptime">up {formatDuration(up)}</span>}
      </span>
      <span class="spacer" />
      <span class={`link link-${link}`} id="link-state">
        {LINK_TEXT[link]}
      </span>
      <a href="#/logs" class="sub" title="kubefwd’s log (l)">
        Log
      </a>
      <a href="/docs" class="sub">
        API docs
      </a>
      <span class="sub">? keys</span>
    </header>
  );
};

const Help = ({ close }: { close: () => void }): JSX.Element => (
  <div class="overlay" onClick={close}>
    <section class="panel help" role="dialog" aria-label="Keyboard shortcuts" id="help">
      <h2>
        Keyboard shortcuts <span class="sub">(? or Esc closes)</span>
      </h2>
      <div class="help-columns">
        {KEY_HELP.map(([title, keys]) => (
          <div key={title}>
            <h3>{title}</h3>
            <dl>{keys.map(([k, what]) => [<dt key={`${k}-k`}>{k}</dt>, <dd key={`${k}-d`}>{what}</dd>])}</dl>
          </div>
        ))}
      </div>
    </section>
  </div>
);

const isEditing = (el: Element | null): boolean =>
  el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;

// The page's shell: the state every view shares (route, filter, sort, notices) and the one key handler that reads it.
export const App = (): JSX.Element => {
  const hub = useMemo(() => createLiveHub(animationFrames), []);
  const pacer = useMemo(() => createPacer(animationFrames), []);
  const [link, setLink] = useState<LinkState>('connecting');
  const [reachable, setReachable] = useState(true);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortSpec>(DEFAULT_SORT);
  const [display, setDisplay] = useState<Display>(loadDisplay);
  const [help, setHelp] = useState(false);
  const [namespaces, setNamespaces] = useState<readonly NamespaceView[]>([]);
  const watched = useMemo(() => new Set(namespaces.map((n) => n.key)), [namespaces]);
  const [nsVersion, setNsVersion] = useState(0);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [startedAt, setStartedAt] = useState<number | undefined>(undefined);
  const [namesOnlyIn, setNamesOnlyIn] = useState<string | undefined>(undefined);
  const [forwardCount, setForwardCount] = useState(0);
  const filterBox = useRef<HTMLInputElement>(null);
  const viewKeys = useRef<((a: KeyAction) => boolean) | undefined>(undefined);

  const notify = (n: Omit<Notice, 'id'>): void => {
    const id = Date.now() + Math.random();
    setNotices((all) => [...all.slice(-3), { ...n, id }]);
    setTimeout(() => setNotices((all) => all.filter((x) => x.id !== id)), n.problem ? 12_000 : 4000);
  };

  useEffect(() => {
    const conn = connect(hub.live, {
      changed: () => hub.changed(),
      namespacesChanged: () => setNsVersion((v) => v + 1),
      link: (s) => {
        setLink(s);
        setReachable((was) => reachableAfter(was, s));
      },
    });
    // The browse page re-reads the cluster when the number of forwards changes.
    const off = hub.subscribe(() => setForwardCount(hub.live.forwards.size));
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => {
      conn.close();
      off();
      hub.close();
      pacer.close();
      removeEventListener('hashchange', onHash);
    };
  }, []);

  useEffect(() => {
    if (link !== 'live') return;
    call<NamespacesListResponse>('GET', '/api/v1/namespaces').then(
      (r) => setNamespaces(r.namespaces),
      () => undefined,
    );
    call<InfoResponse>('GET', '/api/info').then(
      (r) => {
        setStartedAt(Date.parse(r.startTime));
        setNamesOnlyIn(r.hostsFile && !r.hostsFile.system ? r.hostsFile.path : undefined);
      },
      () => undefined,
    );
  }, [nsVersion, link]);

  useEffect(() => {
    try {
      localStorage.setItem('kubefwd.display', JSON.stringify(display));
    } catch {
      // private mode: the toggles last for this page only
    }
  }, [display]);

  const run = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      notify({ text: what });
    } catch (err) {
      notify(
        err instanceof ApiFailure
          ? { problem: err.problem }
          : { problem: { status: 0, code: 'INTERNAL', message: String(err), hint: '' } },
      );
    }
  };

  const actions = useMemo(
    () => ({
      reconnect: (key: string) =>
        void run(`Reconnecting ${key}, closing its open connections`, () =>
          call<ReconnectResponse>('POST', `/api/v1/services/${enc(key)}/reconnect`),
        ),
      reconnectErrors: () =>
        void run('Reconnecting the services in error', () => call('POST', '/api/v1/services/reconnect')),
      sync: (key: string) =>
        void run(`Synced the pods of ${key}`, () =>
          call('POST', `/api/v1/services/${enc(key)}/sync?force=true`),
        ),
      removeNamespace: (key: string) =>
        run(`Stopped namespace ${key}`, () => call('DELETE', `/api/v1/namespaces/${enc(key)}`)),
      removeService: (key: string) =>
        run(`Stopped ${key}`, async () => {
          await call('DELETE', `/api/v1/services/${enc(key)}`);
          if (parseRoute(location.hash).view === 'service') location.hash = '#/';
        }),
      addNamespace: (namespace: string, context: string) =>
        run(`Forwarding namespace ${namespace}`, () =>
          call('POST', '/api/v1/namespaces', { namespace, context }),
        ),
      addService: (namespace: string, serviceName: string, context: string) =>
        run(`Forwarding ${serviceName}.${namespace}`, () =>
          call('POST', '/api/v1/services', { namespace, serviceName, context }),
        ),
      copied: (text: string, ok: boolean) =>
        notify({ text: ok ? `Copied ${text}` : `Could not copy ${text}` }),
    }),
    [],
  );

  // The TUI's keys. Current values are read through a ref: the listener is added once.
  const keyState = useRef({ route, help, filter });
  keyState.current = { route, help, filter };
  useEffect(() => {
    const perform = (a: KeyAction): void => {
      const { route: r, filter: f } = keyState.current;
      switch (a.kind) {
        case 'help':
          return setHelp((h) => !h);
        case 'logs':
          location.hash = '#/logs';
          return;
        case 'browse':
          location.hash = '#/browse';
          if (a.contexts) setTimeout(() => document.getElementById('browse-context')?.focus(), 50);
          return;
        case 'bandwidth':
          return setDisplay((d) => ({ ...d, bandwidth: !d.bandwidth }));
        case 'compact':
          return setDisplay((d) => ({ ...d, compact: !d.compact }));
        case 'sortNext':
          return setSort((s) => ({ field: nextSortField(s.field), descending: false }));
        case 'sortReverse':
          return setSort((s) => ({ ...s, descending: !s.descending }));
        case 'filter':
          filterBox.current?.focus();
          filterBox.current?.select();
          return;
        case 'leaveFilter':
          if (a.clear && document.activeElement === filterBox.current) setFilter('');
          (document.activeElement as HTMLElement | null)?.blur();
          return;
        case 'escape':
          if (r.view !== 'list') location.hash = '#/';
          else if (f !== '') setFilter('');
          return;
        default:
          viewKeys.current?.(a);
      }
    };
    const onKey = (e: KeyboardEvent): void => {
      const { route: r, help: h } = keyState.current;
      const a = keyAction(
        {
          key: e.key,
          ctrl: e.ctrlKey,
          meta: e.metaKey,
          alt: e.altKey,
          editing: isEditing(document.activeElement),
          help: h,
        },
        r.view,
      );
      if (!a) return;
      // Enter on a focused link or button is the browser's (it follows or presses it).
      if (e.key === 'Enter' && !isEditing(document.activeElement) && document.activeElement !== document.body)
        return;
      e.preventDefault();
      perform(a);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  // A view's keys belong to the view on screen.
  viewKeys.current = undefined;

  return (
    <div class="app">
      <Header hub={hub} link={link} reachable={reachable} startedAt={startedAt} />
      <div class="notices" aria-live="polite">
        {notices.map((n) =>
          n.problem ? (
            <ProblemBox key={n.id} problem={n.problem} />
          ) : (
            <div key={n.id} class="notice">
              {n.text}
            </div>
          ),
        )}
      </div>
      {help && <Help close={() => setHelp(false)} />}
      <NamespaceAlerts namespaces={namespaces} />
      <main>
        {!reachable && (
          <section class="panel unreachable" id="unreachable" role="status">
            <h2>{UNREACHABLE_TITLE}</h2>
            <p>{UNREACHABLE_TEXT}</p>
          </section>
        )}
        {link === 'unauthorized' ? (
          <section class="panel login">
            <h2>Log in to this kubefwd</h2>
            <p>
              Run <code>kubefwd open</code> in a terminal: it opens a one-time login link for this browser.
              The start-up output of kubefwd has one too.
            </p>
          </section>
        ) : route.view === 'service' ? (
          <DetailView
            serviceKey={route.key}
            hub={hub}
            actions={actions}
            keys={viewKeys}
            namesOnlyIn={namesOnlyIn}
          />
        ) : route.view === 'browse' ? (
          <BrowseView actions={actions} trigger={`${nsVersion}:${forwardCount}`} keys={viewKeys} />
        ) : route.view === 'logs' ? (
          <LogsView />
        ) : (
          <ListView
            hub={hub}
            pacer={pacer}
            filter={filter}
            sort={sort}
            display={display}
            watched={watched}
            setFilter={setFilter}
            setSort={setSort}
            actions={actions}
            filterBox={filterBox}
            keys={viewKeys}
            reachable={reachable}
          />
        )}
      </main>
    </div>
  );
};
