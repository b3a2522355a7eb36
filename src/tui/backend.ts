// What the TUI needs from the rest of kubefwd: a state source (snapshot + subscribe, the views of
// contract/state) plus the intents and queries its views send. Two implementations: in-process
// (local-backend.ts: the state store + the engine's Controller) and attached (api-backend.ts: the
// REST API + SSE of a running daemon). TUI-only view state (filter, sort, selection) never goes here.
import type { ForwardView, NamespaceView, Summary } from '../contract/state.js';
import { summaryOf } from '../state/views.js';

export interface TuiLogLine {
  /** Epoch ms. */
  at: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface TuiState {
  forwards: readonly ForwardView[];
  namespaces: readonly NamespaceView[];
  summary: Summary;
  /** The kubeconfig's current context: always shown in the header (kubefwd#38). */
  currentContext: string;
  /** The daemon's log, oldest first (bounded). */
  logs: readonly TuiLogLine[];
  /** Attached mode: whether the event stream is up; in-process always true. */
  connected: boolean;
  /** Attached mode: the daemon's address, shown in the header. */
  attachedTo?: string;
  /** Why the attached TUI is not connected (shown in the status bar). */
  connectionError?: string;
  /** The daemon is shutting down. */
  shuttingDown?: boolean;
  /**
   * Attached mode: the daemon is gone for good (its stream ended after it said it was shutting
   * down, its pid is gone, or its API stopped answering): what to tell the user. The TUI shows it,
   * then exits; the backend no longer reconnects.
   */
  stopped?: string;
  /** The hosts file the names went to when no resolver reads it (--hosts-path): connect by IP. */
  namesOnlyIn?: string;
}

export interface TuiHttpEntry {
  /** Epoch ms of the request. */
  at: number;
  method: string;
  path: string;
  statusCode: number;
  durationMs: number;
  /** Response body bytes. */
  size: number;
}

export interface TuiBrowseContext {
  name: string;
  cluster: string;
  namespace?: string;
}

export interface TuiBrowseNamespace {
  name: string;
  /** A namespace watcher exists for it in that context. */
  forwarded: boolean;
}

export interface TuiBrowseService {
  name: string;
  type: string;
  /** `80`, `8080/TCP`… as kubefwd lists them. */
  ports: string[];
  forwarded: boolean;
}

export interface TuiPodLogs {
  containerName?: string;
  lines: string[];
}

export interface TuiBackend {
  getState(): TuiState;
  /** Called after every state change (the TUI throttles its renders itself). */
  subscribe(listener: () => void): () => void;

  // intents
  removeService(serviceKey: string): Promise<void>;
  reconnectService(serviceKey: string): Promise<void>;
  /** Reconnects services with an errored/waiting forward; returns their keys. */
  reconnectErrored(): Promise<string[]>;
  syncService(serviceKey: string, force: boolean): Promise<void>;
  addNamespace(req: { namespace: string; context?: string }): Promise<void>;
  removeNamespace(namespace: string, context?: string): Promise<void>;
  addService(req: {
    namespace: string;
    serviceName: string;
    context?: string;
  }): Promise<{ key: string; localIP: string }>;

  // queries for the browse modal and the detail view
  listContexts(): Promise<{ contexts: TuiBrowseContext[]; current: string }>;
  listNamespaces(context: string): Promise<TuiBrowseNamespace[]>;
  listServices(namespace: string, context: string): Promise<TuiBrowseService[]>;
  /** HTTP exchanges seen on a forward, oldest first. */
  httpTraffic(forwardKey: string): Promise<TuiHttpEntry[]>;
  podLogs(req: {
    context: string;
    namespace: string;
    podName: string;
    container?: string;
    tailLines: number;
  }): Promise<TuiPodLogs>;

  /** Releases what the backend opened (the attached backend's event stream). */
  close(): void;
}

export const EMPTY_SUMMARY: Summary = summaryOf([], []);
