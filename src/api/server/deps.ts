// What the API server needs, passed in by the daemon (or a test).
import type { HealthResponse, ProcessStats } from '../../contract/api.js';
import type { Controller } from '../../engine/controller.js';
import type { Clock, Logger } from '../../engine/gateways.js';
import type { TrafficSource } from '../../engine/traffic/recorder.js';
import type { StateStore } from '../../state/store.js';
import type { DashboardSessions } from './dashboard-session.js';

export interface ApiDeps {
  state: StateStore;
  controller: Controller;
  /** Defaults to the state store's traffic source. */
  traffic?: TrafficSource;
  version: string;
  /** Daemon start (epoch ms). */
  startedAt: number;
  /** The bearer key every route but /api/health requires. */
  key: string;
  /**
   * Host header values we answer to ("name" = any port, "name:port"); a function when the port is
   * known only after listening. Default: kubefwd.internal, localhost, 127.0.0.1 on any port.
   */
  allowedHosts?: readonly string[] | (() => readonly string[]);
  /** What the command line asked for (shown by /api/info). */
  options?: {
    namespaces?: string[];
    contexts?: string[];
    tuiEnabled?: boolean;
    hostsFile?: { path: string; system: boolean };
  };
  clock?: Clock;
  /** SSE: keep-alive period (30 s), per-client buffer (100 events), open streams at most (64). */
  sse?: { keepAliveMs?: number; bufferSize?: number; maxStreams?: number };
  /**
   * The browser dashboard: its login sessions (the daemon mints the banner's link from them), the
   * built files (dist/web; without them `/` says how to build), and the address links name.
   */
  dashboard?: { sessions?: DashboardSessions; assetsDir?: string; baseUrl?: () => string | undefined };
  /** Where unexpected request failures are logged. */
  log?: Logger;
  /** File descriptors and refused connections, for /api/health. */
  resources?: () => NonNullable<HealthResponse['resources']>;
  /** The daemon process's memory, for /api/v1/diagnostics. */
  processStats?: () => ProcessStats;
}

/** Deps with defaults resolved, as the route modules see them. */
export interface RouteContext extends ApiDeps {
  traffic: TrafficSource | undefined;
  now: () => number;
  uptimeMs: () => number;
  /** The kubeconfig's current context (what an omitted `context` means). */
  currentContext: () => string;
  logError: (message: string) => void;
  /** Open SSE streams, shared by all stream routes (bounded by sse.maxStreams). */
  sseStreams: { open: number };
}
