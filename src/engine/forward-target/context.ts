// What a forward target is handed at construction: who it is (identity) and what it works with
// (gateways, clock, the engine's settings and callbacks).
import type { EngineEvent } from '../events.js';
import type { Clock, ClusterGateway, ListenerGateway, Logger, TrafficRecorder } from '../gateways.js';
import type { SessionPool } from '../session-pool.js';

export interface TargetContext {
  cluster: ClusterGateway;
  listener: ListenerGateway;
  traffic: TrafficRecorder;
  pool: SessionPool;
  clock: Clock;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  autoReconnect: boolean;
  timeoutMs: number;
  retryIntervalMs: number;
  connectWaitMs: number;
  backoff: { initialMs?: number; maxMs?: number; jitter?: number };
  /** Asks the owner to re-plan (e.g. when a -t wait expires or a retry interval passes). */
  requestReconcile: () => void;
}

export interface TargetIdentity {
  /** `<name>.<ns>.<ctx>`. */
  key: string;
  registryKey: string;
  /** The forward's service name (service or `<pod>.<svc>`). */
  name: string;
  namespace: string;
  context: string;
  /** How log lines name it (service-entry.ts labelOf). */
  label: string;
  headless: boolean;
  ip: string;
  hostnames: string[];
}

/**
 * Hands the forward another address because its own is taken: as a whole (`address`: another
 * kubefwd claims it) or at one of its ports (`port`: another program listens there; the address
 * stays usable for other forwards). The new address with its alias and hosts-file promises; throws
 * (IP_EXHAUSTED) when no other address is free, the forward keeping its own. A reserved address
 * (-r, -z) has none: it stays put.
 */
export type AddressMover = (taken: 'address' | 'port') => {
  ip: string;
  alias: Promise<void>;
  names: Promise<void>;
};

/**
 * The hosts entry of a forward whose address is reserved (-r, -z): taken out while another program
 * or kubefwd holds the address (the names would lead clients to it), put back once it binds.
 */
export interface HostsEntryControl {
  withdraw(): void;
  restore(): Promise<void>;
}
