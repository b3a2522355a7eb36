// Shared state of every port-forward protocol server: which protocols are on, the added latency,
// the open upgraded connections (so they can all be cut at once), and the counters tests read.
import type net from 'node:net';
import type { SpdyWriteStats } from '../../wire/spdy/index.js';
import type { KubeletUpstream } from './kubelet-upstream.js';

export type ProtocolName = 'tunnel' | 'spdy' | 'websocket';

export interface Counters {
  upgrades: { tunnel: number; spdy: number; websocket: number; refused: number };
  openStreams: number;
  openConnections: number;
  requests: number;
  /**
   * What our SPDY port-forward server (plain and tunnel) wrote and read, over all connections: the
   * bench shows from it that every client is served alike (same DATA frames, same flushes).
   */
  spdy: SpdyWriteStats;
}

export class PortForwardHub {
  readonly protocols: Record<ProtocolName, boolean> = { tunnel: true, spdy: true, websocket: true };
  latencyMs = 0;
  /** SPDY pairs end the way containerd ends them (see SpdyServeOptions.finGraceMs); undefined: ideally. */
  finGraceMs: number | undefined;
  /** A WebSocket (GET) port-forward needs "create" as well as "get" (Kubernetes ≥ 1.35); false: "get" only. */
  websocketNeedsCreate = true;
  /** The next upgrades turned away with 429 and this Retry-After, as API Priority and Fairness does. */
  throttle: { remaining: number; retryAfterSeconds: number } = { remaining: 0, retryAfterSeconds: 0 };
  /** Serve SPDY and tunnel port-forward through this kubelet-like server instead of our own. */
  upstream: KubeletUpstream | undefined;
  readonly counters: Counters = {
    upgrades: { tunnel: 0, spdy: 0, websocket: 0, refused: 0 },
    openStreams: 0,
    openConnections: 0,
    requests: 0,
    spdy: { dataFrames: 0, dataBytes: 0, flushes: 0, flushBytes: 0, reads: 0, readBytes: 0 },
  };
  private readonly connections = new Set<{ destroy(): void; goAway?(): void }>();

  /** Register an upgraded connection; returns the function to call when it closes. */
  openConnection(conn: { destroy(): void; goAway?(): void }): () => void {
    this.connections.add(conn);
    this.counters.openConnections = this.connections.size;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.connections.delete(conn);
      this.counters.openConnections = this.connections.size;
    };
  }

  /** Count one forwarded TCP stream; returns the function to call when it ends. */
  openStream(): () => void {
    this.counters.openStreams++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.counters.openStreams--;
    };
  }

  /** GOAWAY on every SPDY connection (a kubelet's idle timeout or shutdown); returns how many. */
  async goAwayAll(): Promise<number> {
    let n = 0;
    for (const c of this.connections)
      if (c.goAway) {
        c.goAway();
        n++;
      }
    if (this.upstream) n += await this.upstream.goAway();
    return n;
  }

  cutAll(): number {
    const all = [...this.connections];
    for (const c of all) c.destroy();
    return all.length;
  }
}

/**
 * Delays each queued action by the hub's current latency, keeping order (a later action never
 * overtakes an earlier one even if the latency changes in between).
 */
export class DelayLine {
  private readonly queue: { due: number; fn: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly latency: () => number) {}

  push(fn: () => void): void {
    const ms = this.latency();
    if (ms <= 0 && this.queue.length === 0) {
      fn();
      return;
    }
    this.queue.push({ due: Date.now() + Math.max(0, ms), fn });
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0]!.due - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length > 0 && this.queue[0]!.due <= now) this.queue.shift()!.fn();
      this.arm();
    }, wait);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

/** Parse `ports=80&ports=443` / `ports=80,443` (also the kubelet's `port=`), validating each. */
export function parsePorts(url: URL): number[] | string {
  const raw = [...url.searchParams.getAll('ports'), ...url.searchParams.getAll('port')].flatMap((v) =>
    v.split(','),
  );
  if (raw.length === 0) return 'at least one port must be specified';
  const ports: number[] = [];
  for (const r of raw) {
    const t = r.trim();
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 65535)
      return `unable to parse "${r}" as a port: invalid port`;
    ports.push(Number(t));
  }
  return ports;
}

export type SocketLike = net.Socket;
