// The TUI's root: header, services table (windowed), logs panel and status bar, or a modal (help,
// detail, browse) in place of the two panels. Holds the TUI-only view state (filter, sort,
// selection, toggles) and the main key map; reads state through a throttled source.
import { Box, useApp, useStdout, type Key } from 'ink';
import { Text } from './text.js';
import { useKeys, type KeyRoute } from './use-keys.js';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { TuiBackend, TuiLogLine } from './backend.js';
import { layoutColumns } from './columns.js';
import { computeLayout } from './layout.js';
import { isMouseReport, parseMouse, type MouseEvent } from './mouse.js';
import { createRateHistory } from './rate-history.js';
import {
  DEFAULT_SORT,
  nextSortField,
  resolveSelection,
  scrollOffset,
  spansMany,
  visibleRows,
  type SortSpec,
} from './rows.js';
import { createThrottledSource, type ThrottledSource } from './throttle.js';
import type { Theme } from './theme.js';
import { BrowseModal } from './views/browse-modal.js';
import { DetailView } from './views/detail-view.js';
import { forwardedContexts, Header } from './views/header.js';
import { Help } from './views/help.js';
import { LogsPanel } from './views/logs-panel.js';
import { ServicesTable } from './views/services-table.js';
import { StatusBar } from './views/status-bar.js';

export interface AppProps {
  backend: TuiBackend;
  version: string;
  theme: Theme;
  /** Fixed terminal size (tests); otherwise read from stdout and followed on resize. */
  width?: number;
  height?: number;
  /** Renders at most once per this many ms (default 100: ≤ 10 renders/s). */
  renderIntervalMs?: number;
  now?: () => number;
  copy: (text: string) => Promise<boolean>;
  /** Called when the user quits (q, Ctrl+C). */
  onQuit: () => void;
  /** A pre-made source (tests); otherwise one is created over `backend`. */
  source?: ThrottledSource;
  detailPollMs?: { http?: number; logs?: number };
}

type Mode = 'main' | 'filter' | 'help' | 'detail' | 'browse';

const NOTICE_MS = 4000;
const MAX_UI_LOG = 200;

const useTerminalSize = (fixedWidth?: number, fixedHeight?: number): { width: number; height: number } => {
  const { stdout } = useStdout();
  const read = useCallback(
    () => ({ width: fixedWidth ?? stdout.columns ?? 100, height: fixedHeight ?? stdout.rows ?? 30 }),
    [stdout, fixedWidth, fixedHeight],
  );
  const [size, setSize] = useState(read);
  useEffect(() => {
    setSize(read());
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, read]);
  return size;
};

export const App = (props: AppProps) => {
  const { backend, theme } = props;
  const now = props.now ?? Date.now;
  const { exit } = useApp();
  const ownSource = useMemo(
    () =>
      props.source ??
      createThrottledSource(
        backend,
        props.renderIntervalMs !== undefined ? { intervalMs: props.renderIntervalMs } : {},
      ),
    [backend, props.source, props.renderIntervalMs],
  );
  useEffect(() => () => ownSource.close(), [ownSource]);
  const state = useSyncExternalStore(ownSource.subscribe, ownSource.getSnapshot);
  const history = useMemo(() => createRateHistory(), []);
  history.record(state.forwards, now());

  const { width, height } = useTerminalSize(props.width, props.height);

  const [mode, setMode] = useState<Mode>('main');
  const [focus, setFocus] = useState<'services' | 'logs'>('services');
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState('');
  const [sort, setSort] = useState<SortSpec>(DEFAULT_SORT);
  const [selectedKey, setSelectedKey] = useState<string | undefined>(undefined);
  const [selectedIndex, setSelectedIndex] = useState(0);
  const [compact, setCompact] = useState(true);
  const [bandwidth, setBandwidth] = useState(true);
  const [logBack, setLogBack] = useState(0);
  const [detail, setDetail] = useState<{ serviceKey: string; localPort: string; key: string } | undefined>();
  const [browseView, setBrowseView] = useState<'namespaces' | 'contexts'>('namespaces');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [uiLog, setUiLog] = useState<TuiLogLine[]>(() => [
    { at: now(), level: 'info', message: 'kubefwd TUI started. Press ? for help, q to quit.' },
  ]);
  const offset = useRef(0);
  const lastSelected = useRef<number | undefined>(undefined);
  const modalKeys = useRef<KeyRoute['current']>(undefined);

  const notify = useCallback(
    (message: string, level: TuiLogLine['level'] = 'info') => {
      setNotice(message);
      setUiLog((l) => [...l.slice(-(MAX_UI_LOG - 1)), { at: now(), level, message }]);
    },
    [now],
  );
  useEffect(() => {
    if (notice === undefined) return;
    const t = setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);

  // "retry in 4s" counts down even when nothing else changes.
  const [, setTicks] = useState(0);
  const counting = state.forwards.some(
    (f) => f.nextRetryAt !== undefined && (f.status === 'Waiting' || f.status === 'Error'),
  );
  useEffect(() => {
    if (!counting) return;
    const t = setInterval(() => setTicks((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [counting]);

  const activeFilter = mode === 'filter' ? draft : filter;
  const filterLine = mode === 'filter' || filter !== '';
  const layout = computeLayout(width, height, filterLine);
  const rows = useMemo(
    () => visibleRows(state.forwards, activeFilter, sort),
    [state.forwards, activeFilter, sort],
  );
  // Falls back to where the highlight was last drawn when its forward goes away.
  const selected = resolveSelection(rows, selectedKey, lastSelected.current ?? selectedIndex);
  lastSelected.current = selected;
  offset.current = scrollOffset(selected, offset.current, layout.page, rows.length);
  const windowRows = rows.slice(offset.current, offset.current + layout.page);
  const columns = layoutColumns({
    width: layout.width - 3,
    compact,
    bandwidth,
    showNamespace: spansMany(rows, (f) => f.namespace),
    showContext: spansMany(rows, (f) => f.context),
  });

  const select = (i: number): void => {
    if (rows.length === 0) return;
    const idx = Math.min(Math.max(0, i), rows.length - 1);
    setSelectedIndex(idx);
    setSelectedKey(rows[idx]!.key);
  };

  const quit = (): void => {
    props.onQuit();
    exit();
  };

  const run = (what: string, p: Promise<unknown>): void => {
    void p.catch((e: unknown) =>
      notify(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, 'error'),
    );
  };

  const current = rows[selected];

  // Screen rows (1-based) of the table: header, blank, title, border, column titles, then rows.
  const FIRST_ROW_Y = 6;
  const onMouse = (m: MouseEvent): void => {
    if (mode === 'detail' || mode === 'browse') {
      if (m.kind === 'wheel')
        for (let i = 0; i < 3; i++) modalKeys.current?.(m.delta > 0 ? 'j' : 'k', NO_KEY);
      return;
    }
    if (mode !== 'main') return;
    const inLogs = m.y > FIRST_ROW_Y + layout.page;
    if (m.kind === 'wheel') {
      if (inLogs || focus === 'logs') setLogBack((b) => Math.max(0, b - 3 * m.delta));
      else select(selected + 3 * m.delta);
      return;
    }
    if (inLogs) return setFocus('logs');
    const row = m.y - FIRST_ROW_Y;
    if (row >= 0 && row < layout.page) {
      setFocus('services');
      select(offset.current + row);
    }
  };

  useKeys((input, key) => {
    if (key.ctrl && input === 'c') return quit();
    const mouse = parseMouse(input);
    if (mouse) return onMouse(mouse);
    if (isMouseReport(input)) return; // releases, drags, other buttons
    if (mode === 'filter') {
      if (key.escape) {
        setDraft(filter);
        return setMode('main');
      }
      if (key.return) {
        setFilter(draft);
        return setMode('main');
      }
      if (key.backspace || key.delete) return setDraft((d) => Array.from(d).slice(0, -1).join(''));
      if (key.ctrl || key.meta || input.length === 0) return;
      // A fast typist's (or a paste's) chunk may end with Enter: take the text, then apply.
      const text = Array.from(input)
        .filter((ch) => !isControl(ch))
        .join('');
      if (/[\r\n]/.test(input)) {
        setFilter(draft + text);
        setDraft(draft + text);
        return setMode('main');
      }
      setDraft((d) => d + text);
      return;
    }
    if (mode === 'help') {
      if (input === '?' || input === 'q' || key.escape) setMode('main');
      return;
    }
    if (mode !== 'main') return modalKeys.current?.(input, key); // detail and browse

    if (input === 'q') return quit();
    if (input === '?') return setMode('help');
    if (key.tab) return setFocus((f) => (f === 'services' ? 'logs' : 'services'));
    if (input === 'f') {
      setBrowseView('namespaces');
      return setMode('browse');
    }
    if (input === 'x') {
      setBrowseView('contexts');
      return setMode('browse');
    }
    if (input === 'r') {
      void backend.reconnectErrored().then(
        (keys) =>
          notify(
            keys.length > 0
              ? `Reconnecting ${keys.length} service(s) with errors...`
              : 'No services with errors to reconnect',
          ),
        (e: unknown) => notify(`Reconnect failed: ${e instanceof Error ? e.message : String(e)}`, 'error'),
      );
      return;
    }
    if (input === 'b') return setBandwidth((b) => !b);
    if (input === 'c') return setCompact((c) => !c);
    if (input === 's') return setSort((s) => ({ field: nextSortField(s.field), descending: false }));
    if (input === 'o') return setSort((s) => ({ ...s, descending: !s.descending }));
    // Typed fast (or pasted), "/name" arrives as one chunk: open the filter with the rest.
    if (input.startsWith('/')) {
      setDraft(input.length > 1 && !isControl(input) ? input.slice(1) : filter);
      return setMode('filter');
    }
    if (key.escape) {
      setFilter('');
      return setDraft('');
    }

    if (focus === 'logs') {
      const total = state.logs.length + uiLog.length;
      if (input === 'j' || key.downArrow) setLogBack((b) => Math.max(0, b - 1));
      else if (input === 'k' || key.upArrow) setLogBack((b) => Math.min(total, b + 1));
      else if (key.pageUp) setLogBack((b) => Math.min(total, b + layout.logLines));
      else if (key.pageDown) setLogBack((b) => Math.max(0, b - layout.logLines));
      else if (input === 'g' || key.home) setLogBack(total);
      else if (input === 'G' || key.end) setLogBack(0);
      return;
    }

    if (input === 'j' || key.downArrow) return select(selected + 1);
    if (input === 'k' || key.upArrow) return select(selected - 1);
    if (input === 'g' || key.home) return select(0);
    if (input === 'G' || key.end) return select(rows.length - 1);
    if (key.pageDown || input === 'l' || key.rightArrow || (key.ctrl && input === 'd'))
      return select(selected + layout.page);
    if (key.pageUp || input === 'h' || key.leftArrow || (key.ctrl && input === 'u'))
      return select(selected - layout.page);
    if (!current) return;
    const f = current.forward;
    if (key.return) {
      setDetail({ serviceKey: f.serviceKey, localPort: f.localPort, key: f.key });
      return setMode('detail');
    }
    if (input === 'd') {
      notify(`Removed forward: ${f.registryKey}`);
      return run('Remove', backend.removeService(f.serviceKey));
    }
    if (input === 'R') {
      notify(`Reconnecting ${f.serviceKey}...`);
      return run('Reconnect', backend.reconnectService(f.serviceKey));
    }
    if (input === 'u') {
      notify(`Syncing ${f.serviceKey}...`);
      return run('Sync', backend.syncService(f.serviceKey, true));
    }
  });

  // The detail view follows its forward across pod changes (the key names the pod).
  const detailForward = detail
    ? (state.forwards.find((f) => f.key === detail.key) ??
      state.forwards.find((f) => f.serviceKey === detail.serviceKey && f.localPort === detail.localPort))
    : undefined;

  const logs = useMemo(() => mergeLogs(state.logs, uiLog), [state.logs, uiLog]);
  const nowMs = now();
  const emptyText =
    state.forwards.length === 0
      ? 'Waiting for services to be discovered... (f: browse namespaces)'
      : `No forwards match the filter "${activeFilter}"`;

  let body;
  if (mode === 'help') body = <Help theme={theme} width={layout.width} height={layout.bodyHeight} />;
  else if (mode === 'detail')
    body = (
      <DetailView
        forward={detailForward}
        backend={backend}
        theme={theme}
        width={layout.width}
        height={layout.bodyHeight}
        now={nowMs}
        rates={detailForward ? history.get(detailForward.key) : undefined}
        copy={props.copy}
        notify={notify}
        onClose={() => setMode('main')}
        keys={modalKeys}
        {...(props.detailPollMs?.http !== undefined ? { httpPollMs: props.detailPollMs.http } : {})}
        {...(props.detailPollMs?.logs !== undefined ? { logsPollMs: props.detailPollMs.logs } : {})}
      />
    );
  else if (mode === 'browse')
    body = (
      <BrowseModal
        backend={backend}
        theme={theme}
        width={layout.width}
        height={Math.min(layout.bodyHeight, 24)}
        context={forwardedContexts(state)[0] ?? state.currentContext}
        initialView={browseView}
        notify={notify}
        onClose={() => setMode('main')}
        keys={modalKeys}
      />
    );
  else
    body = (
      <>
        <Text bold wrap="truncate">
          <Text color={theme.focus}>{focus === 'services' ? '▌' : ' '}</Text>
          Services{' '}
          <Text color={theme.muted}>
            {rows.length === 0 ? '0' : `${selected + 1}/${rows.length}`}
            {rows.length !== state.forwards.length ? ` (of ${state.forwards.length})` : ''}
            {compact ? '' : ' · wide'}
            {bandwidth ? '' : ' · no bandwidth'}
          </Text>
        </Text>
        <ServicesTable
          rows={windowRows}
          columns={columns}
          selected={selected - offset.current}
          page={layout.page}
          width={layout.width}
          focused={focus === 'services'}
          theme={theme}
          now={nowMs}
          trend={history.total}
          emptyText={emptyText}
        />
        {filterLine ? (
          <Text wrap="truncate">
            {' '}
            Filter: {activeFilter}
            {mode === 'filter' ? '█' : <Text color={theme.muted}> (press Esc to clear)</Text>}
          </Text>
        ) : null}
        <Text bold>
          <Text color={theme.focus}>{focus === 'logs' ? '▌' : ' '}</Text>
          Logs
        </Text>
        <LogsPanel
          lines={logs}
          scrollBack={logBack}
          height={layout.logLines}
          width={layout.width}
          theme={theme}
        />
      </>
    );

  return (
    <Box flexDirection="column" width={layout.width}>
      <Header version={props.version} state={state} theme={theme} width={layout.width} />
      <Text> </Text>
      {body}
      <StatusBar
        state={state}
        theme={theme}
        width={layout.width}
        sort={sort}
        {...(notice ? { notice } : {})}
      />
    </Box>
  );
};

/** The daemon's log and the TUI's own messages, in time order. */
const mergeLogs = (a: readonly TuiLogLine[], b: readonly TuiLogLine[]): TuiLogLine[] => {
  if (b.length === 0) return [...a];
  return [...a, ...b].sort((x, y) => x.at - y.at);
};

const isControl = (s: string): boolean =>
  Array.from(s).some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f');

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};
