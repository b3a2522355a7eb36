// The attached backend (`kubefwd tui`): watches a running daemon over its REST API and SSE, so a
// user can watch forwards an AI assistant is driving. The event stream triggers a coalesced
// refetch (at most one request in flight plus one trailing), BandwidthUpdate events patch rates
// in place, LogMessage events feed the log panel, and a slow periodic refresh covers anything a
// dropped stream missed. Intents are the API's routes.
// A dropped stream is a hiccup and is reconnected, unless the daemon is gone: it said it was
// shutting down, its pid is gone, or nothing has answered at its address for a while. Then the
// state says it stopped and the backend stops reconnecting: a kubefwd started again (a new pid,
// a new key, maybe the same address) is another daemon, not this one back.
import type { ApiEvent, ForwardsListResponse } from '../contract/api.js';
import type { ForwardView } from '../contract/state.js';
import type { ApiClient } from '../api/client/index.js';
import { errorMessage, type KubefwdError } from '../contract/errors.js';
import { EMPTY_SUMMARY, type TuiBackend, type TuiLogLine, type TuiState } from './backend.js';
import { toLogLine } from './local-backend.js';

export interface ApiBackendOptions {
  /** Periodic full refresh in ms (default 5000; 0 disables). */
  refreshMs?: number;
  /** SSE reconnect delay in ms (default 1000). */
  reconnectMs?: number;
  /** Log lines kept (default 500). */
  logLines?: number;
  /** The daemon's pid (from its discovery file): named when it stops, checked when the stream drops. */
  pid?: number;
  /** Whether a pid runs; without it a dropped stream does not check the pid. */
  isAlive?: (pid: number) => boolean;
  /**
   * How long nothing may answer at the daemon's address (the stream cannot reconnect) before the
   * TUI calls kubefwd stopped, when it did not say it was shutting down (default 10000). A
   * shorter outage is a hiccup the stream reconnects through.
   */
  goneAfterMs?: number;
}

type Client = Pick<
  ApiClient,
  | 'baseUrl'
  | 'listForwards'
  | 'listNamespaces'
  | 'info'
  | 'k8sContexts'
  | 'k8sNamespaces'
  | 'k8sServices'
  | 'logs'
  | 'removeService'
  | 'reconnectService'
  | 'reconnectAll'
  | 'syncService'
  | 'addNamespace'
  | 'removeNamespace'
  | 'addService'
  | 'forwardHttpTraffic'
  | 'podLogs'
  | 'subscribeEvents'
>;

const PAGE = 1000;

// One closure on purpose: the SSE follower, the refresh and the intents share the mirrored state.
export const createApiBackend = (
  client: Client,
  options: ApiBackendOptions = {},
): TuiBackend & { readonly ready: Promise<void> } => {
  const listeners = new Set<() => void>();
  const logCap = options.logLines ?? 500;
  let state: TuiState = {
    forwards: [],
    namespaces: [],
    summary: EMPTY_SUMMARY,
    currentContext: '',
    logs: [],
    connected: false,
    attachedTo: client.baseUrl,
  };
  let closed = false;
  const set = (patch: Partial<TuiState>): void => {
    if (closed) return;
    state = { ...state, ...patch };
    for (const l of [...listeners]) l();
  };

  const fetchForwards = async (): Promise<ForwardsListResponse> => {
    const first = await client.listForwards({ limit: PAGE });
    let forwards = first.forwards;
    let offset = forwards.length;
    while (forwards.length < first.summary.totalForwards && offset > 0) {
      const next = await client.listForwards({ limit: PAGE, offset });
      if (next.forwards.length === 0) break;
      forwards = forwards.concat(next.forwards);
      offset += next.forwards.length;
    }
    return { forwards, summary: first.summary };
  };

  const load = async (): Promise<void> => {
    const [fw, ns, ctx, info] = await Promise.all([
      fetchForwards(),
      client.listNamespaces(),
      state.currentContext ? Promise.resolve(undefined) : client.k8sContexts().catch(() => undefined),
      state.currentContext ? Promise.resolve(undefined) : client.info().catch(() => undefined),
    ]);
    set({
      forwards: fw.forwards,
      summary: fw.summary,
      namespaces: ns.namespaces,
      ...(ctx ? { currentContext: ctx.currentContext } : {}),
      ...(info?.hostsFile && !info.hostsFile.system ? { namesOnlyIn: info.hostsFile.path } : {}),
    });
  };

  // Coalesced refresh: one in flight, at most one more queued behind it.
  let inFlight: Promise<void> | undefined;
  let again = false;
  const refresh = (): void => {
    if (closed) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = load()
      .catch((err: unknown) => set({ connectionError: errorMessage(err) }))
      .finally(() => {
        inFlight = undefined;
        if (again) {
          again = false;
          refresh();
        }
      });
  };

  const appendLog = (line: TuiLogLine): void => set({ logs: [...state.logs.slice(-(logCap - 1)), line] });

  const applyBandwidth = (ev: ApiEvent): void => {
    const moved = new Map((ev.data.forwards ?? []).map((f) => [f.key, f]));
    let rateIn = 0;
    let rateOut = 0;
    const forwards: ForwardView[] = state.forwards.map((f) => {
      const m = moved.get(f.key);
      const next = m
        ? { ...f, bytesIn: m.bytesIn, bytesOut: m.bytesOut, rateIn: m.rateIn, rateOut: m.rateOut }
        : f.rateIn === 0 && f.rateOut === 0
          ? f
          : { ...f, rateIn: 0, rateOut: 0 };
      rateIn += next.rateIn;
      rateOut += next.rateOut;
      return next;
    });
    set({ forwards, summary: { ...state.summary, rateIn, rateOut } });
  };

  const onEvent = (ev: ApiEvent): void => {
    switch (ev.type) {
      case 'BandwidthUpdate':
        return applyBandwidth(ev);
      case 'LogMessage':
        return appendLog({
          at: Date.parse(ev.timestamp) || Date.now(),
          level: (['debug', 'info', 'warn', 'error'] as const).find((l) => l === ev.data.level) ?? 'info',
          message: ev.data.message ?? '',
        });
      // No refresh: the API is going away. The stream ends next, and then the daemon is gone.
      case 'ShutdownStarted':
      case 'ShutdownComplete':
        set({ shuttingDown: true });
        return;
      default:
        return refresh();
    }
  };

  // Gone for good: say so once, stop reconnecting and refreshing. Declared before the timer and
  // the subscription it stops; it runs only from the stream's callbacks, which come later.
  const who = options.pid !== undefined ? `kubefwd (pid ${options.pid})` : 'kubefwd';
  const goneAfterMs = options.goneAfterMs ?? 10_000;
  let unreachableSince: number | undefined;
  const stop = (why: string): void => {
    if (closed || state.stopped !== undefined) return;
    set({ connected: false, stopped: why });
    sub.close();
    if (timer) clearInterval(timer);
  };
  const onStreamError = (err: KubefwdError): void => {
    if (state.shuttingDown) return stop(`${who} stopped`);
    if (options.pid !== undefined && options.isAlive?.(options.pid) === false) return stop(`${who} stopped`);
    // Only "nothing answers" counts toward gone: a stream the daemon turns down (busy, a key it
    // refuses) has a daemon behind it.
    if (err.code === 'DAEMON_UNAVAILABLE') {
      const now = Date.now();
      unreachableSince ??= now;
      if (now - unreachableSince >= goneAfterMs)
        return stop(`${who} stopped answering at ${client.baseUrl} (${err.message})`);
    }
    set({ connected: false, connectionError: err.message });
  };

  const ready = (async () => {
    await load();
    const logs = await client.logs({ count: logCap }).catch(() => undefined);
    if (logs) set({ logs: logs.logs.map(toLogLine) });
  })();
  // Awaiting `ready` is optional: a failed first load also shows as connectionError.
  ready.catch((err: unknown) => set({ connectionError: errorMessage(err) }));

  const refreshMs = options.refreshMs ?? 5000;
  const timer = refreshMs > 0 ? setInterval(refresh, refreshMs) : undefined;
  timer?.unref?.();
  const sub = client.subscribeEvents({
    onEvent,
    onOpen: () => {
      unreachableSince = undefined;
      set({ connected: true, connectionError: undefined });
      refresh();
    },
    onError: onStreamError,
    reconnectMs: options.reconnectMs ?? 1000,
  });

  const after = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    refresh();
    return r;
  };

  return {
    ready,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    removeService: async (key) => void (await after(client.removeService(key))),
    reconnectService: async (key) => void (await after(client.reconnectService(key))),
    reconnectErrored: async () => (await after(client.reconnectAll())).services ?? [],
    syncService: async (key, force) => void (await after(client.syncService(key, { force }))),
    addNamespace: async (req) =>
      void (await after(
        client.addNamespace({ namespace: req.namespace, ...(req.context ? { context: req.context } : {}) }),
      )),
    removeNamespace: async (namespace, context) =>
      void (await after(client.removeNamespace(namespace, context))),
    async addService(req) {
      const r = await after(
        client.addService({
          namespace: req.namespace,
          serviceName: req.serviceName,
          ...(req.context ? { context: req.context } : {}),
        }),
      );
      return { key: r.key, localIP: r.localIP };
    },

    async listContexts() {
      const r = await client.k8sContexts();
      return {
        current: r.currentContext,
        contexts: r.contexts.map((c) => ({
          name: c.name,
          cluster: c.cluster,
          ...(c.namespace ? { namespace: c.namespace } : {}),
        })),
      };
    },
    async listNamespaces(context) {
      const r = await client.k8sNamespaces({ context });
      return r.namespaces.map((n) => ({ name: n.name, forwarded: n.forwarded }));
    },
    async listServices(namespace, context) {
      const r = await client.k8sServices(namespace, { context });
      return r.services.map((s) => ({
        name: s.name,
        type: s.type,
        ports: s.ports.map((p) => String(p.port)),
        forwarded: s.forwarded,
      }));
    },
    async httpTraffic(forwardKey) {
      const r = await client.forwardHttpTraffic(forwardKey);
      return r.logs.map((e) => ({
        at: Date.parse(e.timestamp) || 0,
        method: e.method,
        path: e.path,
        statusCode: e.statusCode,
        durationMs: e.durationMs,
        size: e.size,
      }));
    },
    async podLogs(req) {
      const r = await client.podLogs(req.namespace, req.podName, {
        context: req.context,
        tailLines: req.tailLines,
        ...(req.container ? { container: req.container } : {}),
      });
      return { containerName: r.containerName, lines: r.logs };
    },
    close() {
      closed = true;
      sub.close();
      if (timer) clearInterval(timer);
      listeners.clear();
    },
  };
};
