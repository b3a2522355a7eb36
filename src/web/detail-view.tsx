// One service: connection strings with copy buttons, its forwards and pods, captured HTTP requests,
// pod logs and history; reconnect or stop it. Requests, paths and log lines are untrusted text from
// the cluster and its clients: they are rendered as text nodes only, never as markup.
import type { JSX } from 'preact';
import { useEffect, useRef, useState, type MutableRef } from 'preact/hooks';
import type { HistoryEvent, ReconnectRecord, ServiceHttpTrafficResponse } from '../contract/api.js';
import type { ForwardView } from '../contract/state.js';
import { parseServiceKey } from '../domain/keys.js';
import { connectStrings } from '../tui/connect-strings.js';
import { formatBytes, formatRate } from '../tui/format.js';
import { call, enc, hintOf } from './api.js';
import { time, withRetry } from './clock.js';
import { copyText } from './copy.js';
import type { KeyAction } from './keyboard.js';
import { useLive, type LiveHub } from './live-hub.js';
import { followLog, MAX_LOG_LINES } from './log-stream.js';
import { ProblemBox } from './problem.js';
import { Sparkline } from './sparkline.js';
import { useLoad } from './use-load.js';

export interface DetailActions {
  reconnect(serviceKey: string): void;
  sync(serviceKey: string): void;
  removeService(serviceKey: string): Promise<void>;
  /** Says what a copy key did. */
  copied(text: string, ok: boolean): void;
}

const CopyButton = ({ text }: { text: string }): JSX.Element => {
  const [done, setDone] = useState<boolean | undefined>(undefined);
  return (
    <button
      type="button"
      class="small"
      onClick={() => {
        void copyText(text).then((ok) => {
          setDone(ok);
          setTimeout(() => setDone(undefined), 1500);
        });
      }}
    >
      {done === undefined ? 'Copy' : done ? 'Copied' : 'Copy failed'}
    </button>
  );
};

const HttpPanel = ({ serviceKey, trigger }: { serviceKey: string; trigger: number }): JSX.Element => {
  const r = useLoad(
    () => call<ServiceHttpTrafficResponse>('GET', `/api/v1/services/${enc(serviceKey)}/http`),
    serviceKey,
    trigger,
  );
  const logs = (r.data?.forwards ?? [])
    .flatMap((f) => f.logs)
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))
    .slice(0, 200);
  return (
    <section class="panel">
      <h3>HTTP requests {r.data && <span class="sub">{r.data.summary.totalRequests} seen</span>}</h3>
      <ProblemBox problem={r.problem} />
      {logs.length === 0 ? (
        <p class="empty">No HTTP requests captured (non-HTTP protocols are not decoded).</p>
      ) : (
        <table class="http">
          <thead>
            <tr>
              <th>Time</th>
              <th>Method</th>
              <th>Path</th>
              <th class="num">Status</th>
              <th class="num">Duration</th>
              <th class="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {logs.map((l, i) => (
              <tr key={`${l.timestamp}-${i}`}>
                <td class="mono">{time(l.timestamp)}</td>
                <td class="mono">{l.method}</td>
                <td class="mono path">{l.path}</td>
                <td class={`num http-${Math.floor(l.statusCode / 100)}xx`}>{l.statusCode}</td>
                <td class="num">{l.duration}</td>
                <td class="num">{formatBytes(l.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};

const LogsPanel = ({ forwards }: { forwards: readonly ForwardView[] }): JSX.Element => {
  const pods = [...new Map(forwards.filter((f) => f.podName).map((f) => [f.podName, f])).values()];
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const pod = pods.find((f) => f.podName === picked) ?? pods[0];
  const [lines, setLines] = useState<readonly string[]>([]);
  const [note, setNote] = useState<string | undefined>(undefined);
  const pre = useRef<HTMLPreElement>(null);
  const url = pod
    ? `/api/v1/kubernetes/pods/${enc(pod.namespace)}/${enc(pod.podName)}/logs/stream?context=${enc(pod.context)}&tailLines=200`
    : undefined;
  useEffect(() => {
    setLines([]);
    setNote(undefined);
    if (!url) return;
    // A reconnect replays the tail: start over rather than show lines twice.
    let fresh = true;
    const f = followLog(url, {
      lines: (batch) => {
        const replace = fresh;
        fresh = false;
        setNote(undefined);
        setLines((old) => (replace ? batch : [...old, ...batch]).slice(-MAX_LOG_LINES));
      },
      ended: (reason) => {
        fresh = true;
        setNote(`Not following: ${reason}. Trying again…`);
      },
    });
    return () => f.close();
  }, [url]);
  // Keep the newest line in view unless the reader scrolled up.
  useEffect(() => {
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <section class="panel">
      <h3>
        Pod logs{' '}
        {pods.length > 1 && (
          <select value={pod?.podName} onChange={(e) => setPicked(e.currentTarget.value)} aria-label="Pod">
            {pods.map((f) => (
              <option value={f.podName}>{f.podName}</option>
            ))}
          </select>
        )}
        {pods.length === 1 && <span class="sub">{pod?.podName}</span>}
      </h3>
      {note !== undefined && <p class="hint">{note}</p>}
      {pod === undefined ? (
        <p class="empty">No pod backs this service right now.</p>
      ) : (
        <pre class="logs" ref={pre}>
          {lines.length > 0 ? lines.join('\n') : 'No log lines yet.'}
        </pre>
      )}
    </section>
  );
};

const HistoryPanel = ({ serviceKey, trigger }: { serviceKey: string; trigger: number }): JSX.Element => {
  const r = useLoad(
    async () => {
      const [events, reconnects] = await Promise.all([
        call<HistoryEvent[]>('GET', '/api/v1/history/events?count=1000'),
        call<ReconnectRecord[]>('GET', `/api/v1/services/${enc(serviceKey)}/history/reconnections?count=50`),
      ]);
      return {
        events: events
          .filter((e) => e.serviceKey === serviceKey)
          .slice(-50)
          .reverse(),
        reconnects,
      };
    },
    serviceKey,
    trigger,
  );
  return (
    <section class="panel">
      <h3>History</h3>
      <ProblemBox problem={r.problem} />
      {r.data && r.data.reconnects.length > 0 && (
        <p class="sub">
          {r.data.reconnects.length} reconnections, last {time(r.data.reconnects[0]!.timestamp)} (
          {r.data.reconnects[0]!.success ? 'succeeded' : `failed: ${r.data.reconnects[0]!.error ?? ''}`})
        </p>
      )}
      {r.data && r.data.events.length === 0 && <p class="empty">Nothing recorded yet.</p>}
      <ul class="history">
        {(r.data?.events ?? []).map((e) => (
          <li key={e.id} class={/Error|Failed/.test(e.type) ? 'bad' : undefined}>
            <span class="mono">{time(e.timestamp)}</span> <span class="tag">{e.type}</span> {e.message}
          </li>
        ))}
      </ul>
    </section>
  );
};

export interface DetailViewProps {
  serviceKey: string;
  hub: LiveHub;
  actions: DetailActions;
  /** Where App sends this page's keys (1–9 and y copy, r reconnect, u sync, d stop). */
  keys: MutableRef<((a: KeyAction) => boolean) | undefined>;
  /** The hosts file the names went to when they resolve nowhere (--hosts-path): the IP comes first. */
  namesOnlyIn?: string | undefined;
}

// Long for its markup: one service page (header actions, connection strings, forwards table, panels).
export const DetailView = ({ serviceKey, hub, actions, keys, namesOnlyIn }: DetailViewProps): JSX.Element => {
  useLive(hub);
  const forwards = [...hub.live.forwards.values()].filter((f) => f.serviceKey === serviceKey);
  const spark = hub.live.spark;
  const first = forwards[0];
  // A headless pod's entry follows its service's pods: stopping it stops the service.
  const removeKey = first?.registryKey ?? serviceKey;
  // Before its forwards arrive (or after they went) the page reads the key itself; the context in
  // it may hold dots, so only the key module splits it (a headless per-pod key then reads as a
  // service named after the pod: shown only until its forwards arrive).
  const parsed = first ? undefined : parseServiceKey(serviceKey);
  // Reload the HTTP log when bytes move; the history when a status, pod or reconnect count changes.
  const bytes = forwards.reduce((n, f) => n + f.bytesIn + f.bytesOut, 0);
  const shape = forwards.map((f) => `${f.key}:${f.status}:${f.podName}:${f.reconnects}`).join('|');
  const [historyTick, setHistoryTick] = useState({ shape, n: 0 });
  if (historyTick.shape !== shape) setHistoryTick({ shape, n: historyTick.n + 1 });
  const strings = [
    ...new Set(
      forwards.flatMap((f) => [
        ...connectStrings(f, namesOnlyIn !== undefined),
        `${f.localIP}:${f.localPort}`,
      ]),
    ),
  ];
  keys.current = (a: KeyAction): boolean => {
    switch (a.kind) {
      case 'copy': {
        const text = strings[a.index];
        if (text !== undefined) void copyText(text).then((ok) => actions.copied(text, ok));
        return true;
      }
      case 'reconnect':
        actions.reconnect(serviceKey);
        return true;
      case 'sync':
        actions.sync(serviceKey);
        return true;
      case 'remove':
        void actions.removeService(removeKey);
        return true;
      default:
        return false;
    }
  };
  return (
    <section class="detail">
      <p>
        <a href="#/">← All forwards</a>
      </p>
      <div class="detail-head">
        <h2>{first?.serviceName ?? parsed?.service ?? serviceKey}</h2>
        <span class="sub">
          {first
            ? `${first.namespace} · ${first.context}`
            : parsed
              ? `${parsed.namespace} · ${parsed.context}`
              : serviceKey}
        </span>
        <span class="spacer" />
        <button
          type="button"
          onClick={() => actions.sync(serviceKey)}
          id="sync-service"
          title="Re-read the service's pods and move the forward if its pod changed (u)"
        >
          Sync pods
        </button>
        <button
          type="button"
          onClick={() => actions.reconnect(serviceKey)}
          id="reconnect-service"
          title="Reconnect (r): closes its open connections"
        >
          Reconnect
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => void actions.removeService(removeKey)}
          id="remove-service"
          title="Stop forwarding (d)"
        >
          Stop forwarding
        </button>
      </div>
      {forwards.length === 0 && <p class="empty">This service is not forwarded (any more).</p>}
      {strings.length > 0 && (
        <section class="panel">
          <h3>
            Connect with <span class="sub">(1–9 copies one, y the first)</span>
          </h3>
          {namesOnlyIn !== undefined && (
            <p class="sub" id="names-only-in">
              The names are written to {namesOnlyIn} (--hosts-path), which no resolver reads: connect by IP.
            </p>
          )}
          <ul class="connect">
            {strings.map((s, i) => (
              <li key={s}>
                {i < 9 ? <kbd>{i + 1}</kbd> : <span class="kbd-pad" />} <code>{s}</code>{' '}
                <CopyButton text={s} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {forwards.length > 0 && (
        <section class="panel">
          <h3>Forwards and pods</h3>
          <table class="forwards">
            <thead>
              <tr>
                <th>Status</th>
                <th>Pod</th>
                <th>Ports</th>
                <th class="num">Conns</th>
                <th class="num">Reconnects</th>
                <th class="num">In</th>
                <th class="num">Out</th>
                <th>Rate</th>
              </tr>
            </thead>
            <tbody>
              {forwards.map((f) => (
                <tr key={f.key} data-key={f.key}>
                  <td>
                    <span class={`status status-${f.status.toLowerCase()}`}>{f.status}</span>
                    {(f.reason ?? f.error) !== undefined && f.status !== 'Active' && (
                      <div class="problem">
                        {withRetry(f.reason ?? f.error, f.nextRetryAt)}
                        {hintOf(f.errorCode) !== undefined && <div class="hint">{hintOf(f.errorCode)}</div>}
                      </div>
                    )}
                    {f.lastConnectionError !== undefined && (
                      <div class="problem last-failure">
                        {f.failedConnections ?? 1} failed connection(s), the last at{' '}
                        {f.lastConnectionErrorAt ? time(f.lastConnectionErrorAt) : '?'}:{' '}
                        {f.lastConnectionError}
                      </div>
                    )}
                  </td>
                  <td class="mono pod">
                    {f.podName}
                    {f.containerName && <span class="sub"> ({f.containerName})</span>}
                  </td>
                  <td class="mono">
                    {f.localIP}:{f.localPort} → {f.podPort}
                  </td>
                  <td class="num">
                    {f.activeConnections}/{f.connections}
                  </td>
                  <td class="num">{f.reconnects}</td>
                  <td class="num">{formatBytes(f.bytesIn)}</td>
                  <td class="num">{formatBytes(f.bytesOut)}</td>
                  <td class="rate">
                    <Sparkline values={spark.get(f.key)} />
                    <span class="num">{formatRate(f.rateIn + f.rateOut)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <HttpPanel serviceKey={serviceKey} trigger={bytes} />
      <LogsPanel forwards={forwards} />
      <HistoryPanel serviceKey={serviceKey} trigger={historyTick.n} />
    </section>
  );
};
