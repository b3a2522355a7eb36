// The TUI's root: header, the main panels (services table, logs) or a modal (help, detail, browse)
// in their place, and the status bar. Reads state through a throttled source; the view state
// (filter, sort, selection, toggles) is one value changed by the pure reducer of view-state.ts,
// and this component runs the reducer's effects (quit, intents to the backend, a modal's keys).
import { Box, useApp } from 'ink';
import { Text } from './text.js';
import { useKeys, type KeyRoute } from './use-keys.js';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { TuiBackend, TuiState } from './backend.js';
import { layoutColumns } from './columns.js';
import { computeLayout } from './layout.js';
import { isMouseReport, parseMouse } from './mouse.js';
import { createRateHistory } from './rate-history.js';
import { reconnectingNotice } from './reconnect-notice.js';
import { resolveSelection, scrollOffset, spansMany, visibleRows } from './rows.js';
import { createThrottledSource, type ThrottledSource } from './throttle.js';
import type { Theme } from './theme.js';
import { useNotices, mergeLogs, type Notify } from './use-notices.js';
import { useTerminalSize } from './use-terminal-size.js';
import {
  initialViewState,
  reduceKey,
  reduceMouse,
  type Effect,
  type KeyContext,
  type Outcome,
  type ViewState,
} from './view-state.js';
import { BrowseModal } from './views/browse-modal.js';
import { DetailView } from './views/detail-view.js';
import { forwardedContexts, Header } from './views/header.js';
import { Help, helpMaxScroll } from './views/help.js';
import { MainPanels } from './views/main-panels.js';
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
  /** Called when the TUI ends: the user quits (q, Ctrl+C), or the attached kubefwd stopped. */
  onQuit: () => void;
  /** How long the "kubefwd stopped" message stays before the TUI exits (default 2000 ms). */
  stoppedExitMs?: number;
  /** A pre-made source (tests); otherwise one is created over `backend`. */
  source?: ThrottledSource;
  detailPollMs?: { http?: number; logs?: number };
}

/** Re-renders once a second while a row shows "retry in Ns", so the countdown moves. */
const useRetryCountdown = (state: TuiState): void => {
  const [, setTicks] = useState(0);
  const counting = state.forwards.some(
    (f) => f.nextRetryAt !== undefined && (f.status === 'Waiting' || f.status === 'Error'),
  );
  useEffect(() => {
    if (!counting) return;
    const t = setInterval(() => setTicks((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [counting]);
};

/**
 * Exits a moment after the attached kubefwd stopped: nothing it shows will change again, and the
 * moment lets the status bar say why before the terminal is given back.
 */
const useExitWhenStopped = (stopped: string | undefined, delayMs: number, quit: () => void): void => {
  const quitRef = useRef(quit);
  quitRef.current = quit;
  useEffect(() => {
    if (stopped === undefined) return;
    const t = setTimeout(() => quitRef.current(), delayMs);
    return () => clearTimeout(t);
  }, [stopped, delayMs]);
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs one of the reducer's effects other than quitting and a modal's key. */
const runIntent = (backend: TuiBackend, notify: Notify, effect: Effect): void => {
  const run = (what: string, p: Promise<unknown>): void => {
    void p.catch((e: unknown) => notify(`${what} failed: ${message(e)}`, 'error'));
  };
  switch (effect.kind) {
    case 'reconnect-errored':
      void backend.reconnectErrored().then(
        (keys) =>
          notify(
            keys.length > 0
              ? `Reconnecting ${keys.length} service(s) with errors...`
              : 'No services with errors to reconnect',
          ),
        (e: unknown) => notify(`Reconnect failed: ${message(e)}`, 'error'),
      );
      return;
    case 'remove':
      notify(`Removed forward: ${effect.registryKey}`);
      return run('Remove', backend.removeService(effect.registryKey));
    case 'reconnect':
      notify(reconnectingNotice(effect.serviceKey));
      return run('Reconnect', backend.reconnectService(effect.serviceKey));
    case 'sync':
      notify(`Syncing ${effect.serviceKey}...`);
      return run('Sync', backend.syncService(effect.serviceKey, true));
    default:
      return;
  }
};

// The TUI's shell: the state source, the view-state reducer's dispatch and the layout; views and keys live beside it.
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
  const [view, setView] = useState<ViewState>(initialViewState);
  const { notice, uiLog, notify } = useNotices(now);
  const offset = useRef(0);
  const lastSelected = useRef<number | undefined>(undefined);
  const modalKeys = useRef<KeyRoute['current']>(undefined);
  useRetryCountdown(state);
  const quit = (): void => {
    props.onQuit();
    exit();
  };
  useExitWhenStopped(state.stopped, props.stoppedExitMs ?? 2000, quit);

  const activeFilter = view.mode === 'filter' ? view.draft : view.filter;
  const layout = computeLayout(width, height, view.mode === 'filter' || view.filter !== '');
  const rows = useMemo(
    () => visibleRows(state.forwards, activeFilter, view.sort),
    [state.forwards, activeFilter, view.sort],
  );
  // Falls back to where the highlight was last drawn when its forward goes away.
  const selected = resolveSelection(rows, view.selectedKey, lastSelected.current ?? view.selectedIndex);
  lastSelected.current = selected;
  offset.current = scrollOffset(selected, offset.current, layout.page, rows.length);
  const columns = layoutColumns({
    width: layout.width - 3,
    compact: view.compact,
    bandwidth: view.bandwidth,
    showNamespace: spansMany(rows, (f) => f.namespace),
    showContext: spansMany(rows, (f) => f.context),
  });
  const logs = useMemo(() => mergeLogs(state.logs, uiLog), [state.logs, uiLog]);
  const current = rows[selected]?.forward;

  const apply = ({ state: next, effect }: Outcome): void => {
    setView(next);
    if (!effect) return;
    if (effect.kind === 'quit') quit();
    else if (effect.kind === 'modal') {
      for (let i = 0; i < (effect.times ?? 1); i++) modalKeys.current?.(effect.input, effect.key);
    } else runIntent(backend, notify, effect);
  };

  useKeys((input, key) => {
    const ctx: KeyContext = {
      rowKeys: rows.map((r) => r.key),
      selected,
      current: current && {
        serviceKey: current.serviceKey,
        localPort: current.localPort,
        key: current.key,
        registryKey: current.registryKey,
      },
      page: layout.page,
      offset: offset.current,
      logLines: layout.logLines,
      logTotal: state.logs.length + uiLog.length,
      helpMax: helpMaxScroll(layout.width, layout.bodyHeight),
    };
    if (key.ctrl && input === 'c') return apply(reduceKey(view, input, key, ctx));
    const mouse = parseMouse(input);
    if (mouse) return apply(reduceMouse(view, mouse, ctx));
    if (isMouseReport(input)) return; // releases, drags, other buttons
    apply(reduceKey(view, input, key, ctx));
  });

  // The detail view follows its forward across pod changes (the key names the pod).
  const { detail } = view;
  const detailForward = detail
    ? (state.forwards.find((f) => f.key === detail.key) ??
      state.forwards.find((f) => f.serviceKey === detail.serviceKey && f.localPort === detail.localPort))
    : undefined;
  const nowMs = now();
  const close = (): void => setView((v) => ({ ...v, mode: 'main' }));

  let body;
  if (view.mode === 'help')
    body = <Help theme={theme} width={layout.width} height={layout.bodyHeight} scroll={view.helpScroll} />;
  else if (view.mode === 'detail')
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
        onClose={close}
        keys={modalKeys}
        byIP={state.namesOnlyIn !== undefined}
        {...(props.detailPollMs?.http !== undefined ? { httpPollMs: props.detailPollMs.http } : {})}
        {...(props.detailPollMs?.logs !== undefined ? { logsPollMs: props.detailPollMs.logs } : {})}
      />
    );
  else if (view.mode === 'browse')
    body = (
      <BrowseModal
        backend={backend}
        theme={theme}
        width={layout.width}
        height={Math.min(layout.bodyHeight, 24)}
        context={forwardedContexts(state)[0] ?? state.currentContext}
        initialView={view.browseView}
        notify={notify}
        onClose={close}
        keys={modalKeys}
      />
    );
  else
    body = (
      <MainPanels
        view={view}
        layout={layout}
        theme={theme}
        rows={rows}
        offset={offset.current}
        selected={selected}
        totalForwards={state.forwards.length}
        columns={columns}
        now={nowMs}
        trend={history.total}
        logs={logs}
      />
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
        sort={view.sort}
        {...(notice ? { notice } : {})}
      />
    </Box>
  );
};
