// A scriptable TuiBackend and render helpers for the TUI's component tests.
import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/tui/app.js';
import { EMPTY_SUMMARY, type TuiBackend, type TuiState } from '../../src/tui/backend.js';
import { THEMES } from '../../src/tui/theme.js';
import type { ForwardView } from '../../src/contract/state.js';

export interface FakeBackend extends TuiBackend {
  calls: { method: string; args: unknown[] }[];
  set(patch: Partial<TuiState>): void;
  setForwards(forwards: ForwardView[]): void;
  listenerCount(): number;
  http: Map<string, Awaited<ReturnType<TuiBackend['httpTraffic']>>>;
  podLogLines: string[];
  k8s: {
    contexts: { name: string; cluster: string }[];
    current: string;
    namespaces: Record<string, { name: string; forwarded: boolean }[]>;
    services: Record<string, { name: string; type: string; ports: string[]; forwarded: boolean }[]>;
  };
  failAddService?: string;
}

export const createFakeBackend = (initial: Partial<TuiState> = {}): FakeBackend => {
  let state: TuiState = {
    forwards: [],
    namespaces: [],
    summary: EMPTY_SUMMARY,
    currentContext: 'sim',
    logs: [],
    connected: true,
    ...initial,
  };
  const listeners = new Set<() => void>();
  const calls: FakeBackend['calls'] = [];
  const record =
    <T,>(method: string, result: T) =>
    async (...args: unknown[]): Promise<T> => {
      calls.push({ method, args });
      return result;
    };
  const b: FakeBackend = {
    calls,
    http: new Map(),
    podLogLines: [],
    k8s: {
      contexts: [
        { name: 'sim', cluster: 'sim' },
        { name: 'other', cluster: 'other' },
      ],
      current: 'sim',
      namespaces: {
        sim: [
          { name: 'default', forwarded: false },
          { name: 'shop', forwarded: true },
        ],
        other: [{ name: 'kube-system', forwarded: false }],
      },
      services: {
        'default.sim': [
          { name: 'alpha', type: 'ClusterIP', ports: ['80'], forwarded: false },
          { name: 'beta', type: 'ClusterIP', ports: ['8080', '9090'], forwarded: false },
          { name: 'gamma', type: 'ClusterIP', ports: ['5432'], forwarded: true },
        ],
      },
    },
    getState: () => state,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(patch) {
      state = { ...state, ...patch };
      for (const l of [...listeners]) l();
    },
    setForwards(forwards) {
      b.set({ forwards });
    },
    listenerCount: () => listeners.size,
    removeService: record('removeService', undefined),
    reconnectService: record('reconnectService', undefined),
    async reconnectErrored() {
      calls.push({ method: 'reconnectErrored', args: [] });
      return [
        ...new Set(
          state.forwards
            .filter((f) => f.status === 'Error' || f.status === 'Waiting')
            .map((f) => f.serviceKey),
        ),
      ];
    },
    syncService: record('syncService', undefined),
    addNamespace: record('addNamespace', undefined),
    removeNamespace: record('removeNamespace', undefined),
    async addService(req) {
      calls.push({ method: 'addService', args: [req] });
      if (b.failAddService === req.serviceName) throw new Error(`${req.serviceName} exploded`);
      return { key: `${req.serviceName}.${req.namespace}.${req.context ?? 'sim'}`, localIP: '127.40.27.9' };
    },
    async listContexts() {
      calls.push({ method: 'listContexts', args: [] });
      return { contexts: b.k8s.contexts, current: b.k8s.current };
    },
    async listNamespaces(context) {
      calls.push({ method: 'listNamespaces', args: [context] });
      return b.k8s.namespaces[context] ?? [];
    },
    async listServices(namespace, context) {
      calls.push({ method: 'listServices', args: [namespace, context] });
      return b.k8s.services[`${namespace}.${context}`] ?? [];
    },
    async httpTraffic(key) {
      calls.push({ method: 'httpTraffic', args: [key] });
      return b.http.get(key) ?? [];
    },
    async podLogs(req) {
      calls.push({ method: 'podLogs', args: [req] });
      return { containerName: 'main', lines: b.podLogLines };
    },
    close: () => undefined,
  };
  return b;
};

export const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

// eslint-disable-next-line no-control-regex -- an escape sequence is what it matches
const ESCAPE_SEQUENCE = /\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/g;

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  esc: '\x1b',
  tab: '\t',
  shiftTab: '\x1b[Z',
  backspace: '\x7f',
  pageDown: '\x1b[6~',
  pageUp: '\x1b[5~',
  home: '\x1b[H',
  end: '\x1b[F',
  ctrlC: '\x03',
};

export const mount = (backend: TuiBackend, props: Partial<AppProps> = {}) => {
  const copied: string[] = [];
  let quits = 0;
  const r = render(
    <App
      backend={backend}
      version="9.9.9"
      theme={THEMES.dark}
      width={120}
      height={30}
      renderIntervalMs={0}
      copy={async (t) => {
        copied.push(t);
        return true;
      }}
      onQuit={() => quits++}
      detailPollMs={{ http: 20, logs: 20 }}
      {...props}
    />,
  );
  /** Resolves once ink listens to stdin (its useInput subscribes in a passive effect). */
  const ready = async (): Promise<void> => {
    for (let i = 0; i < 200 && r.stdin.listenerCount('readable') === 0; i++) await tick(5);
  };
  /**
   * Types keys one by one; after each waits for the frame it causes (up to 400 ms — some keys
   * change nothing), so tests do not depend on how fast a loaded machine renders.
   */
  const press = async (...keys: string[]): Promise<void> => {
    await ready();
    for (const k of keys) {
      const before = r.frames.length;
      r.stdin.write(k);
      for (let i = 0; i < 80 && r.frames.length === before; i++) await tick(5);
      // A chunk of several keys renders once per key: wait until the frames stop coming.
      const several = [...k.replace(ESCAPE_SEQUENCE, '.')].length > 1;
      for (let seen = -1, i = 0; i < 100 && seen !== r.frames.length; i++) {
        seen = r.frames.length;
        await tick(several ? 100 : 5);
      }
    }
  };
  /** Runs a backend change and waits for the frame it causes. */
  const update = async (change: () => void): Promise<void> => {
    const before = r.frames.length;
    change();
    for (let i = 0; i < 200 && r.frames.length === before; i++) await tick(5);
  };
  return {
    ...r,
    press,
    ready,
    update,
    copied,
    quits: () => quits,
    frame: (): string => r.lastFrame() ?? '',
  };
};

/** Lines of the services table (between the rounded borders), without the borders. */
export const tableLines = (frame: string): string[] => {
  const lines = frame.split('\n');
  const top = lines.findIndex((l) => l.startsWith('╭'));
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('╰'));
  return lines.slice(top + 1, bottom).map((l) => l.slice(1, -1));
};

export const selectedLine = (frame: string): string | undefined =>
  tableLines(frame).find((l) => l.startsWith('▶'));

/** The table row whose hostname is `name`. */
export const rowOf = (frame: string, name: string): string | undefined =>
  tableLines(frame).find((l) => l.slice(1).split(/\s+/)[0] === name);

/** Hostnames of the table's rows, top to bottom. */
export const rowNames = (frame: string): string[] =>
  tableLines(frame)
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.slice(1).split(/\s+/)[0]!);

/**
 * Retries `check` until it stops throwing (for what arrives asynchronously: polls, loads). The
 * bound only matters when something is wrong; it is generous because a loaded 2-core CI machine
 * can take seconds for ink's first frame.
 */
export const until = async (check: () => void, timeoutMs = 15_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await tick(10);
    }
  }
};
