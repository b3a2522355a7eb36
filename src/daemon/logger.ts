// The daemon's logger: kubefwd-like text lines (`INFO[15:04:05] message key=value`), or JSON lines
// with --json-logs. -v enables debug. Warnings and errors go to stderr, the rest to stdout. A sink
// lets the state store keep the lines for the API's /logs.
import { escapeTerminal, terminalSafeJson } from '../contract/terminal-text.js';
import { SUBJECT_FIELD, type Logger } from '../engine/gateways.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface DaemonLogger extends Logger {
  /** Also send every line (at or above the logger's level) here. */
  addSink(sink: (level: Level, message: string, fields?: Record<string, unknown>) => void): () => void;
  /**
   * An info line for the terminal only, never the sinks: for secrets such as the dashboard's
   * one-time link, which must not be kept in the API's /logs (MCP get_logs, a log file).
   */
  terminalOnly(message: string): void;
  /** Stops writing to the terminal (the TUI owns it); sinks keep receiving. */
  setQuiet(quiet: boolean): void;
}

export interface LoggerOptions {
  verbose: boolean;
  json: boolean;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  now?: () => Date;
}

const LABEL: Record<Level, string> = { debug: 'DEBU', info: 'INFO', warn: 'WARN', error: 'ERRO' };
const COLOUR: Record<Level, string> = { debug: '37', info: '36', warn: '33', error: '31' };

// Messages and field values carry untrusted text (HTTP paths, API-server errors, pod names from a
// cluster): control characters are escaped visibly so a line can never drive the terminal.
const fmtValue = (v: unknown): string => {
  const s = typeof v === 'string' ? v : terminalSafeJson(v);
  return /[\s"=]/.test(s) ? terminalSafeJson(s) : escapeTerminal(s);
};

export const formatText = (
  level: Level,
  message: string,
  fields: Record<string, unknown> | undefined,
  time: Date,
  colour: boolean,
): string => {
  const hh = String(time.getHours()).padStart(2, '0');
  const mm = String(time.getMinutes()).padStart(2, '0');
  const ss = String(time.getSeconds()).padStart(2, '0');
  const label = colour ? `\x1b[${COLOUR[level]}m${LABEL[level]}\x1b[0m` : LABEL[level];
  const extra = fields
    ? Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}=${fmtValue(v)}`)
        .join('')
    : '';
  return `${label}[${hh}:${mm}:${ss}] ${escapeTerminal(message)}${extra}\n`;
};

export const createLogger = (options: LoggerOptions): DaemonLogger => {
  const now = options.now ?? (() => new Date());
  const sinks = new Set<(level: Level, message: string, fields?: Record<string, unknown>) => void>();
  let quiet = false;
  const write = (level: Level, message: string, fields?: Record<string, unknown>, toSinks = true): void => {
    if (level === 'debug' && !options.verbose) return;
    const { [SUBJECT_FIELD]: subject, ...own } = fields ?? {};
    // For programs: the subject's fields first, beside the line's own. Text: the line's own only.
    const all = subject === undefined ? fields : { ...(subject as Record<string, unknown>), ...own };
    if (toSinks) for (const s of sinks) s(level, message, all);
    if (quiet) return;
    const out = level === 'warn' || level === 'error' ? options.stderr : options.stdout;
    const time = now();
    if (options.json)
      out.write(`${terminalSafeJson({ time: time.toISOString(), level, msg: message, ...all })}\n`);
    else
      out.write(formatText(level, message, subject === undefined ? fields : own, time, out.isTTY === true));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    terminalOnly: (m) => write('info', m, undefined, false),
    addSink(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    setQuiet(q) {
      quiet = q;
    },
  };
};
