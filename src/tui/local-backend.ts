// The in-process backend (`kubefwd --tui`, `kubefwd svc ... --tui`): reads the daemon's state
// store and sends intents straight to the engine's Controller; discovery goes through the
// ClusterGateway the engine already uses, HTTP exchanges through the traffic recorder.
import type { LogEntry } from '../contract/api.js';
import { formatServiceKey } from '../domain/keys.js';
import type { Controller } from '../engine/controller.js';
import type { TrafficSource } from '../engine/traffic/index.js';
import type { StateStore } from '../state/index.js';
import type { TuiBackend, TuiLogLine, TuiState } from './backend.js';

/** The part of the state store the TUI reads (StateStore satisfies it). */
export type LocalStateSource = Pick<StateStore, 'getSnapshot' | 'subscribe'> & {
  readonly logs: Pick<StateStore['logs'], 'list' | 'subscribe'>;
  readonly traffic?: TrafficSource | undefined;
};

export interface LocalBackendDeps {
  state: LocalStateSource;
  controller: Controller;
  /** Defaults to the state store's traffic source. */
  traffic?: TrafficSource;
  /** Daemon log lines kept for the logs panel (default 500). */
  logLines?: number;
  /** The hosts file the names go to when no resolver reads it (--hosts-path). */
  namesOnlyIn?: string;
}

export const toLogLine = (e: LogEntry): TuiLogLine => ({
  at: Date.parse(e.timestamp) || 0,
  level: e.level,
  message: e.message,
});

const splitLines = (text: string): string[] => {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
};

// One closure on purpose: the TUI's intents and its state source share the store subscription.
export const createLocalBackend = (deps: LocalBackendDeps): TuiBackend => {
  const { state, controller } = deps;
  const traffic = (): TrafficSource | undefined => deps.traffic ?? state.traffic;
  const logCount = deps.logLines ?? 500;
  let logsVersion = 0;
  let cached: { version: number; logsVersion: number; value: TuiState } | undefined;
  let logLines: TuiLogLine[] | undefined;

  const currentContext = (): string => {
    try {
      return controller.contexts().current;
    } catch {
      return '';
    }
  };

  const getState = (): TuiState => {
    const snap = state.getSnapshot();
    if (cached && cached.version === snap.version && cached.logsVersion === logsVersion) return cached.value;
    logLines ??= state.logs.list({ count: logCount }).map(toLogLine);
    const value: TuiState = {
      forwards: snap.forwards,
      namespaces: snap.namespaces,
      summary: snap.summary,
      currentContext: currentContext(),
      logs: logLines,
      connected: true,
      shuttingDown: snap.shuttingDown,
      ...(deps.namesOnlyIn !== undefined ? { namesOnlyIn: deps.namesOnlyIn } : {}),
    };
    cached = { version: snap.version, logsVersion, value };
    return value;
  };

  const isForwarded = (registryKey: string): boolean => {
    const snap = state.getSnapshot();
    return (
      snap.services.some((s) => s.key === registryKey) ||
      snap.forwards.some((f) => f.registryKey === registryKey)
    );
  };

  return {
    getState,
    subscribe(listener) {
      const offState = state.subscribe(() => listener());
      const offLogs = state.logs.subscribe(() => {
        logsVersion++;
        logLines = undefined;
        listener();
      });
      return () => {
        offState();
        offLogs();
      };
    },

    removeService: (key) => controller.removeService(key),
    reconnectService: (key) => controller.reconnectService(key),
    reconnectErrored: () => controller.reconnectErrored(),
    syncService: (key, force) => controller.syncService(key, force),
    async addNamespace(req) {
      await controller.addNamespace({
        namespace: req.namespace,
        ...(req.context ? { context: req.context } : {}),
      });
    },
    removeNamespace: (namespace, context) => controller.removeNamespace(namespace, context),
    async addService(req) {
      const rec = await controller.addService({
        namespace: req.namespace,
        serviceName: req.serviceName,
        ...(req.context ? { context: req.context } : {}),
      });
      return { key: rec.key, localIP: rec.localIP };
    },

    async listContexts() {
      const { contexts, current } = controller.contexts();
      return {
        current,
        contexts: contexts.map((c) => ({
          name: c.name,
          cluster: c.cluster,
          ...(c.namespace ? { namespace: c.namespace } : {}),
        })),
      };
    },
    async listNamespaces(context) {
      const list = await controller.cluster(context).listNamespaces();
      const watched = new Set(
        controller
          .namespaces()
          .filter((n) => n.context === context)
          .map((n) => n.namespace),
      );
      return list
        .map((n) => ({ name: n.metadata.name, forwarded: watched.has(n.metadata.name) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async listServices(namespace, context) {
      const list = await controller.cluster(context).listServices(namespace);
      return list
        .map((s) => ({
          name: s.metadata.name,
          type: s.spec.type ?? 'ClusterIP',
          ports: (s.spec.ports ?? []).map((p) => String(p.port)),
          forwarded: isForwarded(formatServiceKey({ service: s.metadata.name, namespace, context })),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async httpTraffic(forwardKey) {
      return (traffic()?.httpLog(forwardKey) ?? []).map((e) => ({
        at: e.at,
        method: e.method,
        path: e.path,
        statusCode: e.statusCode,
        durationMs: e.durationMs,
        size: e.responseSize,
      }));
    },
    async podLogs(req) {
      const text = await controller.cluster(req.context).podLogs(req.namespace, req.podName, {
        tailLines: req.tailLines,
        ...(req.container ? { container: req.container } : {}),
      });
      return { ...(req.container ? { containerName: req.container } : {}), lines: splitLines(text) };
    },
    close() {
      // Nothing to release: the store and the controller belong to the daemon.
    },
  };
};
