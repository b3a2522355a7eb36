// What the engine tells the rest of the program. The state store reduces these; the API streams
// them (SSE); history records them. Timestamps are epoch milliseconds.
import type { ForwardRecord, NamespaceRecord, ServiceRecord } from './model.js';

export type ReconnectTrigger = 'auto' | 'manual' | 'sync' | 'pod-change';

export type EngineEvent =
  | { type: 'ServiceAdded'; at: number; service: ServiceRecord }
  | { type: 'ServiceUpdated'; at: number; service: ServiceRecord }
  /** `serviceName` as the service's record had it (`<pod>.<svc>` for a headless pod entry). */
  | {
      type: 'ServiceRemoved';
      at: number;
      serviceKey: string;
      registryKey: string;
      serviceName: string;
      namespace: string;
      context: string;
    }
  /** A cluster service kubefwd will not forward (ExternalName, UDP only, no pods to point at). */
  | { type: 'ServiceSkipped'; at: number; registryKey: string; reason: string }
  | { type: 'ForwardAdded'; at: number; forward: ForwardRecord }
  /** Status, pod, reason or hostnames changed. */
  | { type: 'ForwardUpdated'; at: number; forward: ForwardRecord; previousStatus: ForwardRecord['status'] }
  /** What the forward's record said: a client that missed its PodAdded still knows what went. */
  | {
      type: 'ForwardRemoved';
      at: number;
      key: string;
      serviceKey: string;
      serviceName: string;
      namespace: string;
      context: string;
      podName: string;
    }
  | { type: 'NamespaceAdded'; at: number; namespace: NamespaceRecord }
  /** A namespace's watch started or stopped failing. */
  | { type: 'NamespaceUpdated'; at: number; namespace: NamespaceRecord }
  | { type: 'NamespaceRemoved'; at: number; key: string; namespace: string; context: string }
  | {
      type: 'Reconnect';
      at: number;
      serviceKey: string;
      trigger: ReconnectTrigger;
      attempt: number;
      success: boolean;
      durationMs: number;
      error?: string;
    }
  | {
      type: 'PodChanged';
      at: number;
      context: string;
      namespace: string;
      podName: string;
      change: 'deleted' | 'ready' | 'not-ready' | 'added';
      serviceKeys: string[];
    }
  | { type: 'HostsWritten'; at: number; path: string; entries: number }
  | { type: 'ShutdownStarted'; at: number }
  | { type: 'ShutdownComplete'; at: number };

export type EngineEventType = EngineEvent['type'];

export type EngineEventListener = (event: EngineEvent) => void;
