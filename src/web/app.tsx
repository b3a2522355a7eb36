// The dashboard: one live copy of the forwards (SSE), three views chosen by the address's hash
// (#/ list, #/service/<key> detail, #/browse cluster), actions with their errors shown as the
// registry words them.
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { NamespacesListResponse, ReconnectResponse } from '../contract/api.js';
import { formatRate } from '../tui/format.js';
import { DEFAULT_SORT, type SortSpec } from '../tui/rows.js';
import { ApiFailure, call, enc, type ApiProblem } from './api.js';
import { BrowseView } from './browse-view.js';
import { connect, type LinkState } from './connection.js';
import { DetailView } from './detail-view.js';
import { ListView } from './list-view.js';
import { emptyLive } from './live.js';
import { ProblemBox } from './problem.js';

/** `sessionStorage.kubefwdMeasure = '1'` (set by `npm run bench`) records each update's frame work. */
const measuring = (() => {
  try {
    return sessionStorage.getItem('kubefwdMeasure') === '1';
  } catch {
    return false;
  }
})();
export const FRAME_START = 'kubefwd-update';
export const FRAME_MEASURE = 'kubefwd-frame';

type Route = { view: 'list' } | { view: 'service'; key: string } | { view: 'browse' };

export const parseRoute = (hash: string): Route => {
  const m = /^#\/service\/(.+)$/.exec(hash);
  if (m) {
    try {
      return { view: 'service', key: decodeURIComponent(m[1]!) };
    } catch {
      return { view: 'list' };
    }
  }
  return hash === '#/browse' ? { view: 'browse' } : { view: 'list' };
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

export const App = (): JSX.Element => {
  const live = useRef(emptyLive()).current;
  const [version, setVersion] = useState(0);
  const [link, setLink] = useState<LinkState>('connecting');
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortSpec>(DEFAULT_SORT);
  const [watched, setWatched] = useState<ReadonlySet<string>>(new Set());
  const [nsVersion, setNsVersion] = useState(0);
  const [notices, setNotices] = useState<Notice[]>([]);

  const notify = (n: Omit<Notice, 'id'>): void => {
    const id = Date.now() + Math.random();
    setNotices((all) => [...all.slice(-3), { ...n, id }]);
    setTimeout(() => setNotices((all) => all.filter((x) => x.id !== id)), n.problem ? 12_000 : 4000);
  };

  useEffect(() => {
    // Many events a second become one render per frame.
    let frame = 0;
    const conn = connect(live, {
      changed() {
        if (frame === 0)
          frame = requestAnimationFrame(() => {
            frame = 0;
            if (measuring) performance.mark(FRAME_START);
            setVersion((v) => v + 1);
          });
      },
      namespacesChanged: () => setNsVersion((v) => v + 1),
      link: (s) => setLink(s),
    });
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => {
      conn.close();
      cancelAnimationFrame(frame);
      removeEventListener('hashchange', onHash);
    };
  }, []);

  useEffect(() => {
    if (link !== 'live') return;
    call<NamespacesListResponse>('GET', '/api/v1/namespaces').then(
      (r) => setWatched(new Set(r.namespaces.map((n) => n.key))),
      () => undefined,
    );
  }, [nsVersion, link]);

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
        void run(`Reconnecting ${key}`, () =>
          call<ReconnectResponse>('POST', `/api/v1/services/${enc(key)}/reconnect`),
        ),
      reconnectErrors: () =>
        void run('Reconnecting the services in error', () => call('POST', '/api/v1/services/reconnect')),
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
    }),
    [],
  );

  // The bench's frame figure: script from the frame's start through style and layout of the DOM
  // this update wrote (opt-in: entries are kept by the browser until read).
  useLayoutEffect(() => {
    if (!measuring || performance.getEntriesByName(FRAME_START, 'mark').length === 0) return;
    void document.body.offsetHeight;
    performance.measure(FRAME_MEASURE, FRAME_START);
    performance.clearMarks(FRAME_START);
  }, [version]);

  let rate = 0;
  let active = 0;
  let errors = 0;
  for (const f of live.forwards.values()) {
    rate += f.rateIn + f.rateOut;
    if (f.status === 'Active') active++;
    if (f.status === 'Error') errors++;
  }

  return (
    <div class="app">
      <header>
        <a class="brand" href="#/">
          kubefwd
        </a>
        <span class="sub">
          {live.forwards.size} forwards · {active} active{errors > 0 ? ` · ${errors} errors` : ''} ·{' '}
          {formatRate(rate)}
        </span>
        <span class="spacer" />
        <span class={`link link-${link}`} id="link-state">
          {LINK_TEXT[link]}
        </span>
        <a href="/docs" class="sub">
          API docs
        </a>
      </header>
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
      <main>
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
            forwards={[...live.forwards.values()].filter((f) => f.serviceKey === route.key)}
            spark={live.spark}
            actions={actions}
          />
        ) : route.view === 'browse' ? (
          <BrowseView actions={actions} trigger={`${nsVersion}:${live.forwards.size}`} />
        ) : (
          <ListView
            forwards={live.forwards}
            spark={live.spark}
            version={version}
            filter={filter}
            sort={sort}
            watched={watched}
            setFilter={setFilter}
            setSort={setSort}
            actions={actions}
          />
        )}
      </main>
    </div>
  );
};
