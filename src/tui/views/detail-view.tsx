// The detail view (Enter): Info / HTTP / Logs tabs of one forward. Info lists the connection
// strings (1-9 copy one, y the first); HTTP shows the exchanges sniffed on the forward; Logs the
// pod's log (tail 100, refreshed while the tab is open). Polling stops when the view closes.
import { Box } from 'ink';
import { Text } from '../text.js';
import type { KeyRoute } from '../use-keys.js';
import { useEffect, useState } from 'react';
import type { ForwardView } from '../../contract/state.js';
import type { TuiBackend, TuiHttpEntry, TuiPodLogs } from '../backend.js';
import { problemText, statusText } from '../columns.js';
import { connectStrings } from '../connect-strings.js';
import { formatBytes, formatClock, formatDuration, formatLatency, formatRate, sparkline } from '../format.js';
import { fit, wrapText } from '../width.js';
import type { RateSeries } from '../rate-history.js';
import { reconnectingNotice } from '../reconnect-notice.js';
import { statusColor, type Theme } from '../theme.js';
import { classifyForward, isTroubled } from '../../domain/diagnosis.js';

export const DETAIL_TABS = ['Info', 'HTTP', 'Logs'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export interface DetailViewProps {
  forward: ForwardView | undefined;
  backend: TuiBackend;
  theme: Theme;
  width: number;
  height: number;
  now: number;
  rates: RateSeries | undefined;
  copy: (text: string) => Promise<boolean>;
  onClose: () => void;
  /** Reports what a key did (shown in the status bar). */
  notify: (message: string) => void;
  httpPollMs?: number;
  logsPollMs?: number;
  initialTab?: DetailTab;
  /** Where the app sends this view's keys. */
  keys: KeyRoute;
  /** The names resolve nowhere (--hosts-path): the IP's connect string first. */
  byIP?: boolean;
}

const LOG_TAIL = 100;
const MAX_LOG_LINES = 1000;

const methodColor = (theme: Theme, m: string): string =>
  m === 'GET'
    ? theme.ok
    : m === 'POST'
      ? theme.accent
      : m === 'PUT'
        ? theme.warn
        : m === 'DELETE'
          ? theme.error
          : theme.cyan;

const codeColor = (theme: Theme, code: number): string =>
  code >= 500 ? theme.error : code >= 400 ? theme.stopping : code >= 300 ? theme.cyan : theme.ok;

// One component: its key handler and its rows read the same local state.
export const DetailView = (p: DetailViewProps) => {
  const { forward: f, backend, theme, width, height } = p;
  const [tab, setTab] = useState<DetailTab>(p.initialTab ?? 'Info');
  const [scroll, setScroll] = useState(0);
  const [copied, setCopied] = useState<number | undefined>(undefined);
  const [http, setHttp] = useState<TuiHttpEntry[] | undefined>(undefined);
  const [httpError, setHttpError] = useState<string | undefined>(undefined);
  const [logs, setLogs] = useState<TuiPodLogs | undefined>(undefined);
  const [logsError, setLogsError] = useState<string | undefined>(undefined);

  const key = f?.key;
  const podName = f?.podName;
  // HTTP exchanges: always polled (the tab title shows the count).
  useEffect(() => {
    if (!key) return;
    let alive = true;
    const load = (): void => {
      backend.httpTraffic(key).then(
        (entries) => {
          if (!alive) return;
          setHttp(entries);
          setHttpError(undefined);
        },
        (err: unknown) => alive && setHttpError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const t = setInterval(load, p.httpPollMs ?? 1000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [backend, key, p.httpPollMs]);

  // Pod logs: only while the Logs tab is open.
  useEffect(() => {
    if (tab !== 'Logs' || !f || !podName) return;
    let alive = true;
    const req = {
      context: f.context,
      namespace: f.namespace,
      podName,
      tailLines: LOG_TAIL,
      ...(f.containerName ? { container: f.containerName } : {}),
    };
    const load = (): void => {
      backend.podLogs(req).then(
        (result) => {
          if (!alive) return;
          setLogs({ ...result, lines: result.lines.slice(-MAX_LOG_LINES) });
          setLogsError(undefined);
        },
        (err: unknown) => alive && setLogsError(err instanceof Error ? err.message : String(err)),
      );
    };
    load();
    const t = setInterval(load, p.logsPollMs ?? 2000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [backend, tab, podName, f?.context, f?.namespace, f?.containerName, p.logsPollMs]);

  useEffect(() => {
    if (copied === undefined) return;
    const t = setTimeout(() => setCopied(undefined), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  const strings = f ? connectStrings(f, p.byIP) : [];
  const bodyHeight = Math.max(3, height - 5);

  let body: Line[];
  if (!f)
    body = [
      { text: 'This forward is gone (its service was removed or its pod changed).', color: theme.muted },
    ];
  else if (tab === 'Info')
    // Whole, wrapped: an error message cut at the edge ("(context "si…") tells nothing.
    body = infoLines(f, strings, copied, p.now, p.rates, width - 4, theme).flatMap((l) =>
      wrapText(l.text, width - 4).map((text) => ({ ...l, text })),
    );
  else if (tab === 'HTTP') body = httpLines(http, httpError, width - 4, theme);
  else body = logLines(logs, logsError, theme);
  const maxScroll = Math.max(0, body.length - bodyHeight);

  const doCopy = (i: number): void => {
    const s = strings[i];
    if (s === undefined) return;
    void p.copy(s).then((ok) => {
      setCopied(i);
      p.notify(ok ? `Copied ${s}` : `Could not copy ${s} (no clipboard)`);
    });
  };

  const switchTab = (delta: number): void => {
    const i = DETAIL_TABS.indexOf(tab);
    setTab(DETAIL_TABS[(i + delta + DETAIL_TABS.length) % DETAIL_TABS.length]!);
    setScroll(0);
  };

  // Keys arrive through the app's router, set during render: a modal's own useInput would be
  // subscribed only in a passive effect, and keys typed right after opening it would be lost.
  p.keys.current = (input, k) => {
    if (k.escape || input === 'q') return p.onClose();
    if (k.tab && k.shift) return switchTab(-1);
    if (k.tab || k.rightArrow) return switchTab(1);
    if (k.leftArrow) return switchTab(-1);
    if (input === 'h') {
      setTab(tab === 'HTTP' ? 'Info' : 'HTTP');
      return setScroll(0);
    }
    if (input === 'l') {
      setTab('Logs');
      return setScroll(0);
    }
    if (input === 'i') {
      setTab('Info');
      return setScroll(0);
    }
    if (tab === 'Info' && /^[1-9]$/.test(input)) return doCopy(Number(input) - 1);
    if (input === 'y') return doCopy(0);
    if ((input === 'r' || input === 'R') && f) {
      p.notify(reconnectingNotice(f.serviceKey));
      void backend
        .reconnectService(f.serviceKey)
        .catch((e: unknown) => p.notify(`Reconnect failed: ${String(e)}`));
      return;
    }
    if (input === 'u' && f) {
      p.notify(`Syncing ${f.serviceKey}...`);
      void backend
        .syncService(f.serviceKey, true)
        .catch((e: unknown) => p.notify(`Sync failed: ${String(e)}`));
      return;
    }
    // Info scrolls from the top; HTTP and Logs count lines back from the newest (0 = following).
    const half = Math.max(1, Math.floor(bodyHeight / 2));
    const dir = tab === 'Info' ? 1 : -1;
    const move = (d: number): void => setScroll((s) => Math.min(maxScroll, Math.max(0, s + d * dir)));
    if (input === 'j' || k.downArrow) move(1);
    else if (input === 'k' || k.upArrow) move(-1);
    else if (k.pageDown || (k.ctrl && input === 'd')) move(half);
    else if (k.pageUp || (k.ctrl && input === 'u')) move(-half);
    else if (input === 'g' || k.home) setScroll(tab === 'Info' ? 0 : maxScroll);
    else if (input === 'G' || k.end) setScroll(tab === 'Info' ? maxScroll : 0);
  };

  const tabTitle = (t: DetailTab): string => (t === 'HTTP' ? `HTTP (${http?.length ?? 0})` : t);
  const footer =
    tab === 'Info'
      ? '[Esc] Back  [Tab] Switch  [1-9] Copy  [r] Reconnect'
      : '[Esc] Back  [Tab] Switch  [j/k] Scroll';

  const start = tab === 'Info' ? Math.min(scroll, maxScroll) : maxScroll - Math.min(scroll, maxScroll);
  const shown = body.slice(start, start + bodyHeight);

  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={theme.focus}
      width={width}
      height={height}
      paddingX={1}
    >
      <Text wrap="truncate">
        <Text bold color={theme.title}>
          {f ? `${f.serviceName}.${f.namespace}` : 'Forward'}
        </Text>
        {f ? <Text color={theme.muted}> ({f.context}) </Text> : ' '}
        {DETAIL_TABS.map((t) => (
          <Text key={t} inverse={t === tab} color={t === tab ? theme.accent : theme.muted}>
            [{tabTitle(t)}]{' '}
          </Text>
        ))}
        {copied !== undefined ? <Text color={theme.ok}>✓ Copied!</Text> : null}
      </Text>
      <Box flexDirection="column" height={bodyHeight}>
        {shown.map((l, i) => (
          <Text key={start + i} wrap="truncate" color={l.color} bold={l.bold}>
            {l.text}
          </Text>
        ))}
      </Box>
      <Text color={theme.muted} wrap="truncate">
        {tab === 'Logs' ? (
          <Text color={scroll > 0 ? theme.warn : theme.ok}>{logStatus(logs, scroll > 0)}</Text>
        ) : null}
        {footer}
        {body.length > bodyHeight ? `  ↑ [${start + 1}/${body.length}] ↓` : ''}
      </Text>
    </Box>
  );
};

type Line = { text: string; color?: string; bold?: boolean };

const infoLines = (
  f: ForwardView,
  strings: string[],
  copied: number | undefined,
  now: number,
  rates: RateSeries | undefined,
  width: number,
  theme: Theme,
): Line[] => {
  const problem = problemText(f, now);
  const sparkWidth = Math.min(40, Math.max(15, Math.floor((width - 40) / 2)));
  // From when it last became Active, and only while it is: startedAt is when the local port began,
  // long before a forward that waits for a new pod (or re-dials) is connected, if ever.
  const activeSince = f.status === 'Active' && f.activeSince ? Date.parse(f.activeSince) : NaN;
  const connected = !Number.isNaN(activeSince)
    ? `   Connected: ${formatDuration(Math.max(0, now - activeSince))} ago`
    : f.status === 'Active'
      ? ''
      : `   not connected (${f.status})`;
  return [
    {
      text: `STATUS: ${statusText(f)}${problem ? ` - ${problem}` : ''}`,
      color: statusColor(theme, f.status),
      bold: true,
    },
    ...(f.errorCode ? [{ text: `  code: ${f.errorCode}`, color: theme.muted }] : []),
    // The fix the REST analysis and the MCP tools suggest for the same failure (domain/diagnosis).
    ...(isTroubled(f) ? [{ text: `  fix: ${classifyForward(f).suggestion}`, color: theme.muted }] : []),
    { text: `Service: ${f.serviceKey}   Local: ${f.localIP}:${f.localPort} → pod port ${f.podPort}` },
    {
      text: `Reconnects: ${f.reconnects}   Connections: ${f.connections} total, ${f.activeConnections} open${f.failedConnections ? `, ${f.failedConnections} failed` : ''}`,
    },
    // A forward can be Active while its pod turns every connection away: the last reason shows it.
    ...(f.lastConnectionError
      ? [
          {
            text: `Last failed connection (${f.lastConnectionErrorAt ? formatClock(Date.parse(f.lastConnectionErrorAt)) : '?'}): ${f.lastConnectionError}`,
            color: theme.warn,
          },
        ]
      : []),
    { text: '' },
    { text: 'CONNECT STRINGS (press 1-9 to copy)', bold: true, color: theme.accent },
    ...strings.map((s, i) => ({
      text: `${copied === i ? '✓' : ' '} [${i + 1}] ${s}`,
      ...(copied === i ? { color: theme.ok } : {}),
    })),
    { text: '' },
    { text: 'POD', bold: true, color: theme.accent },
    {
      text: `  ${f.podName || '-'}${f.containerName ? ` (${f.containerName})` : ''}${connected}`,
    },
    { text: '' },
    { text: 'BANDWIDTH', bold: true, color: theme.accent },
    {
      text: `  Received: ${fit(`${formatBytes(f.bytesIn)} (${formatRate(f.rateIn)})`, 24)} ${sparkline(rates?.rateIn ?? [], sparkWidth)}`,
    },
    {
      text: `  Sent:     ${fit(`${formatBytes(f.bytesOut)} (${formatRate(f.rateOut)})`, 24)} ${sparkline(rates?.rateOut ?? [], sparkWidth)}`,
    },
  ];
};

const httpLines = (
  entries: TuiHttpEntry[] | undefined,
  error: string | undefined,
  width: number,
  theme: Theme,
): Line[] => {
  if (error) return [{ text: `Error: ${error}`, color: theme.error }];
  if (!entries) return [{ text: 'Loading HTTP traffic...', color: theme.muted }];
  if (entries.length === 0)
    return [
      { text: 'No HTTP requests captured', color: theme.muted },
      { text: 'HTTP sniffing captures requests passing through the port forward.', color: theme.muted },
    ];
  const pathWidth = Math.max(10, Math.min(60, width - 45));
  return entries.map((e) => ({
    text: `${formatClock(e.at)} ${fit(e.method, 7)} ${fit(e.path, pathWidth)} ${e.statusCode} ${formatLatency(e.durationMs).padStart(6)} ${formatBytes(e.size)}`,
    color: e.statusCode >= 400 ? codeColor(theme, e.statusCode) : methodColor(theme, e.method),
  }));
};

const logLines = (logs: TuiPodLogs | undefined, error: string | undefined, theme: Theme): Line[] => {
  if (error) return [{ text: `Error: ${error}`, color: theme.error }];
  if (!logs) return [{ text: 'Loading pod logs...', color: theme.muted }];
  if (logs.lines.length === 0) return [{ text: 'No pod logs available', color: theme.muted }];
  return logs.lines.map((l) => ({ text: l }));
};

/** The Logs tab's status line: following or paused, which container, how many lines. */
const logStatus = (logs: TuiPodLogs | undefined, paused: boolean): string =>
  logs
    ? `● ${paused ? 'Paused (G to resume)' : 'Following'}${logs.containerName ? ` (${logs.containerName})` : ''} - ${logs.lines.length} lines  `
    : '';
