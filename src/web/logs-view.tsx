// kubefwd's own log (the TUI's logs panel), live: the recent lines, then each new one as the daemon
// writes it (`/api/v1/logs/stream`); minimum level and text search as the API takes them. Messages
// can quote the cluster (pod names, reasons): they are text children, never markup.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LogEntry, LogsResponse } from '../contract/api.js';
import { call, enc } from './api.js';
import { followAgain } from './follow-again.js';
import { createSseParser } from './sse.js';

/** Lines kept on the page. */
export const MAX_DAEMON_LINES = 1000;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Follows the daemon's log: the stream first, then the recent lines, so none is lost between. */
const follow = (
  query: string,
  cb: { reset(lines: LogEntry[]): void; add(line: LogEntry): void; note(text: string | undefined): void },
): (() => void) => {
  const once = async (signal: AbortSignal): Promise<string> => {
    const res = await fetch(`/api/v1/logs/stream?${query}`, { credentials: 'same-origin', signal });
    if (!res.ok || !res.body) return `HTTP ${res.status}`;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const recent = await call<LogsResponse>('GET', `/api/v1/logs?count=${MAX_DAEMON_LINES}&${query}`);
    cb.reset(recent.logs);
    cb.note(undefined);
    const parser = createSseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'the stream closed';
      for (const m of parser.push(value).messages)
        if (m.event === 'log') {
          try {
            cb.add(JSON.parse(m.data) as LogEntry);
          } catch {
            // not a log line
          }
        }
    }
  };
  return followAgain(once, (reason) => cb.note(`Not following: ${reason}. Trying again…`));
};

/** A line and its arrival number: a stable key while old lines drop off the top. */
interface Line {
  seq: number;
  entry: LogEntry;
}

const clock = (iso: string): string => {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleTimeString() : iso;
};

export const LogsView = (): JSX.Element => {
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('info');
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState<readonly Line[]>([]);
  const seq = useRef(0);
  const number = (entry: LogEntry): Line => ({ seq: seq.current++, entry });
  const [note, setNote] = useState<string | undefined>(undefined);
  const box = useRef<HTMLDivElement>(null);
  const query = `level=${level}${search ? `&search=${enc(search)}` : ''}`;
  useEffect(
    () =>
      follow(query, {
        reset: (all) => setLines(all.slice(-MAX_DAEMON_LINES).map(number)),
        add: (l) => setLines((old) => [...old.slice(-(MAX_DAEMON_LINES - 1)), number(l)]),
        note: setNote,
      }),
    [query],
  );
  // Keep the newest line in view unless the reader scrolled up.
  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <section class="logs-page">
      <p>
        <a href="#/">← All forwards</a>
      </p>
      <div class="toolbar">
        <h2>kubefwd’s log</h2>
        <span class="spacer" />
        <label>
          Level{' '}
          <select
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value as (typeof LEVELS)[number])}
            aria-label="Minimum level"
          >
            {LEVELS.map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
        </label>
        <input
          type="search"
          class="filter"
          placeholder="Search the log"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          aria-label="Search the log"
        />
      </div>
      {note !== undefined && <p class="hint">{note}</p>}
      <div class="panel daemon-log" ref={box} id="daemon-log">
        {lines.length === 0 ? (
          <p class="empty">No log lines{search ? ' match' : ' yet'}.</p>
        ) : (
          lines.map(({ seq: n, entry: l }) => (
            <div key={n} class={`log-line log-${l.level}`}>
              <span class="mono sub">{clock(l.timestamp)}</span> <span class="tag">{l.level}</span>{' '}
              <span class="msg">{l.message}</span>
            </div>
          ))
        )}
      </div>
    </section>
  );
};
