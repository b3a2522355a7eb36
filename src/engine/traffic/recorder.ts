// The traffic recorder: per-forward byte and connection counters fed by ConnectionTaps on the data
// path, a once-a-second sample of every forward (60 kept) giving instant and 10 s average rates,
// and HTTP/1.x exchanges sniffed per connection into a bounded log per forward. Always on — the
// API, the state store and the TUI all read it. The data path only adds numbers; sniffing a
// connection stops at its first non-HTTP byte.
import type { Clock, ConnectionTap, TrafficForward, TrafficRecorder } from '../gateways.js';
import { systemClock } from '../gateways.js';
import { createConnectionSniffer, type HttpExchange } from './http-sniffer.js';
import { createRingBuffer, type RingBuffer } from './ring-buffer.js';
import { averageRate, createSampleRing, DEFAULT_SAMPLES, instantRate, type SampleRing } from './samples.js';

export type { HttpExchange } from './http-sniffer.js';

export interface ForwardTraffic extends TrafficForward {
  bytesIn: number;
  bytesOut: number;
  /** Connections ever opened / open now. */
  connections: number;
  activeConnections: number;
  /** Connections that failed, and the last one's reason and time (epoch ms). */
  failedConnections: number;
  lastFailure: { reason: string; at: number } | undefined;
  /** The last time a connection got the pod's first bytes (epoch ms): a failure before it is over. */
  lastAnswerAt: number | undefined;
  /** First connection (epoch ms). */
  connectedAt: number;
  lastActivity: number | undefined;
  rateIn: number;
  rateOut: number;
  avgRateIn: number;
  avgRateOut: number;
}

export interface TrafficSample {
  at: number;
  bytesIn: number;
  bytesOut: number;
  rateIn: number;
  rateOut: number;
}

export interface TrafficTotals {
  bytesIn: number;
  bytesOut: number;
  rateIn: number;
  rateOut: number;
  connections: number;
  activeConnections: number;
  failedConnections: number;
}

export interface HttpLogEntry extends HttpExchange {
  forwardKey: string;
}

/** The reading side, used by the state store and the API. */
export interface TrafficSource {
  forward(key: string): ForwardTraffic | undefined;
  forwards(): ForwardTraffic[];
  /** Samples of one forward, oldest first (at most `points`). */
  history(forwardKey: string, points?: number): TrafficSample[];
  /** The forwards of a service summed per sample tick, oldest first. */
  serviceHistory(serviceKey: string, points?: number): TrafficSample[];
  /** HTTP exchanges of a forward, oldest first (at most `count`). */
  httpLog(forwardKey: string, count?: number): HttpLogEntry[];
  totals(): TrafficTotals;
  /** Called after every sample tick. */
  onSample(listener: () => void): () => void;
}

export interface TrafficRecorderHandle extends TrafficRecorder, TrafficSource {
  /** Takes a sample now (the timer calls this every second). */
  sampleNow(): void;
  /** Stops the sampling timer. */
  close(): void;
}

export interface TrafficRecorderOptions {
  clock?: Clock;
  /** HTTP exchanges kept per forward (default 50). */
  httpLogCapacity?: number;
  /** Samples kept per forward (default 60). */
  samples?: number;
  /** Sampling period in ms (default 1000); 0 disables the timer (call sampleNow()). */
  sampleIntervalMs?: number;
  /** Sniff HTTP (default true). */
  sniffHttp?: boolean;
}

interface Entry extends TrafficForward {
  bytesIn: number;
  bytesOut: number;
  connections: number;
  activeConnections: number;
  failedConnections: number;
  lastFailure: { reason: string; at: number } | undefined;
  lastAnswerAt: number;
  connectedAt: number;
  lastActivity: number;
  rateIn: number;
  rateOut: number;
  avgRateIn: number;
  avgRateOut: number;
  ring: SampleRing;
  http: RingBuffer<HttpLogEntry> | undefined;
}

const view = (e: Entry): ForwardTraffic => ({
  key: e.key,
  serviceKey: e.serviceKey,
  podName: e.podName,
  localIP: e.localIP,
  localPort: e.localPort,
  podPort: e.podPort,
  bytesIn: e.bytesIn,
  bytesOut: e.bytesOut,
  connections: e.connections,
  activeConnections: e.activeConnections,
  failedConnections: e.failedConnections,
  lastFailure: e.lastFailure,
  lastAnswerAt: e.lastAnswerAt === 0 ? undefined : e.lastAnswerAt,
  connectedAt: e.connectedAt,
  lastActivity: e.lastActivity === 0 ? undefined : e.lastActivity,
  rateIn: e.rateIn,
  rateOut: e.rateOut,
  avgRateIn: e.avgRateIn,
  avgRateOut: e.avgRateOut,
});

const samplesOf = (ring: SampleRing, points: number): TrafficSample[] => {
  const list = ring.list(points + 1);
  const out: TrafficSample[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const p = list[i - 1];
    const dt = p ? (s.at - p.at) / 1000 : 0;
    const rin = p && dt > 0 && s.bytesIn >= p.bytesIn ? (s.bytesIn - p.bytesIn) / dt : 0;
    const rout = p && dt > 0 && s.bytesOut >= p.bytesOut ? (s.bytesOut - p.bytesOut) / dt : 0;
    out.push({ at: s.at, bytesIn: s.bytesIn, bytesOut: s.bytesOut, rateIn: rin, rateOut: rout });
  }
  return out.slice(Math.max(0, out.length - points));
};

// One closure on purpose: the taps, the sampler and the queries share the per-forward counters.
export const createTrafficRecorder = (options: TrafficRecorderOptions = {}): TrafficRecorderHandle => {
  const clock = options.clock ?? systemClock;
  const elapsed = clock.elapsed?.bind(clock) ?? (() => clock.now());
  const httpCapacity = options.httpLogCapacity ?? 50;
  const sampleCount = options.samples ?? DEFAULT_SAMPLES;
  const interval = options.sampleIntervalMs ?? 1000;
  const sniff = options.sniffHttp ?? true;
  const entries = new Map<string, Entry>();
  const listeners = new Set<() => void>();
  let timer: { cancel(): void } | undefined;
  let closed = false;

  const entryFor = (f: TrafficForward): Entry => {
    let e = entries.get(f.key);
    if (!e) {
      e = {
        key: f.key,
        serviceKey: f.serviceKey,
        podName: f.podName,
        localIP: f.localIP,
        localPort: f.localPort,
        podPort: f.podPort,
        bytesIn: 0,
        bytesOut: 0,
        connections: 0,
        activeConnections: 0,
        failedConnections: 0,
        lastFailure: undefined,
        lastAnswerAt: 0,
        connectedAt: clock.now(),
        lastActivity: 0,
        rateIn: 0,
        rateOut: 0,
        avgRateIn: 0,
        avgRateOut: 0,
        ring: createSampleRing(sampleCount),
        http: undefined,
      };
      entries.set(f.key, e);
    }
    return e;
  };

  const sampleNow = (): void => {
    const at = clock.now();
    for (const e of entries.values()) {
      e.ring.push(at, e.bytesIn, e.bytesOut);
      const r = instantRate(e.ring);
      const a = averageRate(e.ring);
      e.rateIn = r.rateIn;
      e.rateOut = r.rateOut;
      e.avgRateIn = a.rateIn;
      e.avgRateOut = a.rateOut;
    }
    for (const l of listeners) {
      try {
        l();
      } catch {
        // A listener's failure must not stop sampling.
      }
    }
  };

  const schedule = (): void => {
    if (closed || interval <= 0) return;
    timer = clock.setTimeout(() => {
      sampleNow();
      schedule();
    }, interval);
  };
  schedule();

  const connectionOpened: TrafficRecorder['connectionOpened'] = (f) => {
    const e = entryFor(f);
    e.connections++;
    e.activeConnections++;
    e.lastActivity = clock.now();
    let sniffer = sniff
      ? createConnectionSniffer(
          () => clock.now(),
          (x) => {
            e.http ??= createRingBuffer<HttpLogEntry>(httpCapacity);
            e.http.push({
              forwardKey: e.key,
              at: x.at,
              method: x.method,
              path: x.path,
              statusCode: x.statusCode,
              durationMs: x.durationMs,
              requestSize: x.requestSize,
              responseSize: x.responseSize,
            });
          },
          elapsed,
        )
      : undefined;
    let open = true;
    let answered = false;
    const tap: ConnectionTap = {
      toPod(chunk) {
        e.bytesOut += chunk.length;
        e.lastActivity = clock.now();
        if (sniffer) {
          sniffer.request(chunk);
          if (!sniffer.active) sniffer = undefined;
        }
      },
      fromPod(chunk) {
        e.bytesIn += chunk.length;
        e.lastActivity = clock.now();
        if (!answered) {
          answered = true;
          e.lastAnswerAt = e.lastActivity;
        }
        if (sniffer) {
          sniffer.response(chunk);
          if (!sniffer.active) sniffer = undefined;
        }
      },
      closed() {
        if (!open) return;
        open = false;
        e.activeConnections--;
        sniffer?.end();
        sniffer = undefined;
      },
    };
    return tap;
  };

  const sumBy = (pick: (e: Entry) => boolean): TrafficTotals => {
    const t: TrafficTotals = {
      bytesIn: 0,
      bytesOut: 0,
      rateIn: 0,
      rateOut: 0,
      connections: 0,
      activeConnections: 0,
      failedConnections: 0,
    };
    for (const e of entries.values()) {
      if (!pick(e)) continue;
      t.bytesIn += e.bytesIn;
      t.bytesOut += e.bytesOut;
      t.rateIn += e.rateIn;
      t.rateOut += e.rateOut;
      t.connections += e.connections;
      t.activeConnections += e.activeConnections;
      t.failedConnections += e.failedConnections;
    }
    return t;
  };

  return {
    connectionOpened,
    connectionFailed(f, reason) {
      const e = entryFor(f);
      e.failedConnections++;
      e.lastFailure = { reason, at: clock.now() };
    },
    forwardRemoved(key) {
      entries.delete(key);
    },
    forward(key) {
      const e = entries.get(key);
      return e ? view(e) : undefined;
    },
    forwards: () => [...entries.values()].map(view),
    history(key, points = sampleCount) {
      const e = entries.get(key);
      return e ? samplesOf(e.ring, Math.max(0, points)) : [];
    },
    serviceHistory(serviceKey, points = sampleCount) {
      const byAt = new Map<number, TrafficSample>();
      for (const e of entries.values()) {
        if (e.serviceKey !== serviceKey) continue;
        for (const s of samplesOf(e.ring, sampleCount)) {
          const acc = byAt.get(s.at);
          if (acc) {
            acc.bytesIn += s.bytesIn;
            acc.bytesOut += s.bytesOut;
            acc.rateIn += s.rateIn;
            acc.rateOut += s.rateOut;
          } else byAt.set(s.at, { ...s });
        }
      }
      const all = [...byAt.values()].sort((a, b) => a.at - b.at);
      return all.slice(Math.max(0, all.length - Math.max(0, points)));
    },
    httpLog(key, count = httpCapacity) {
      return entries.get(key)?.http?.last(count) ?? [];
    },
    totals: () => sumBy(() => true),
    onSample(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sampleNow,
    close() {
      closed = true;
      timer?.cancel();
      timer = undefined;
      listeners.clear();
    },
  };
};

/** A recorder that records nothing: for measuring the data path with metrics off (bench). */
export const createNullTrafficRecorder = (): TrafficRecorder => {
  const tap: ConnectionTap = { toPod() {}, fromPod() {}, closed() {} };
  return { connectionOpened: () => tap, connectionFailed() {}, forwardRemoved() {} };
};
