// The shapes this adapter offers. They mirror the engine ports (src/engine/ports.ts) on purpose:
// kube/ may not import engine/, so it satisfies those ports structurally; test/kube checks that the
// two stay assignable.
import type { Duplex } from 'node:stream';
import type { KubefwdError } from '../contract/errors.js';
import type { KContext, KEndpoints, KEvent, KNamespace, KPod, KService } from '../contract/kube.js';

export interface KubeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: KubeLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Time, injectable so backoff and resync are testable without sleeping. */
export interface KubeClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const realClock: KubeClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerHandler<T> {
  onAdd(obj: T): void;
  onUpdate(obj: T, old: T): void;
  onDelete(obj: T): void;
  onSynced?(): void;
  onError?(err: KubefwdError, retryInMs: number): void;
}

export interface Informer<T> {
  readonly synced: Promise<void>;
  list(): T[];
  stop(): void;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface PodLogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

export interface PodSession {
  ready(): Promise<void>;
  openStream(port: number): Promise<Duplex>;
  readonly closed: Promise<KubefwdError | undefined>;
  readonly transport: string;
  close(): void;
}

export interface ClusterPort {
  readonly context: string;
  readonly defaultNamespace: string;
  watchServices(
    namespace: string,
    selectors: Selectors,
    handler: InformerHandler<KService>,
  ): Informer<KService>;
  watchPods(namespace: string, handler: InformerHandler<KPod>): Informer<KPod>;
  watchEndpoints(namespace: string, handler: InformerHandler<KEndpoints>): Informer<KEndpoints>;
  getService(namespace: string, name: string): Promise<KService>;
  listServices(namespace: string, selectors?: Selectors): Promise<KService[]>;
  listNamespaces(): Promise<KNamespace[]>;
  listPods(namespace: string, selectors?: Selectors): Promise<KPod[]>;
  getPod(namespace: string, name: string): Promise<KPod>;
  getEndpoints(namespace: string, name: string): Promise<KEndpoints>;
  listEvents(namespace: string, selectors?: Selectors): Promise<KEvent[]>;
  podLogs(namespace: string, name: string, options: PodLogOptions): Promise<string>;
  checkAccess(namespace: string): Promise<string[]>;
  openSession(pod: PodRef): PodSession;
  close(): void;
}

export interface ClusterProvider {
  currentContext(): string;
  contexts(): KContext[];
  cluster(context?: string): ClusterPort;
  close(): void;
}

export type TransportChoice = 'auto' | 'tunnel' | 'spdy' | 'websocket';
