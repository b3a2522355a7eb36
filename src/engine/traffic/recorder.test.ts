import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../gateways.js';
import { createRingBuffer } from './ring-buffer.js';
import { averageRate, createSampleRing, instantRate } from './samples.js';
import { createTrafficRecorder, type TrafficRecorderHandle } from './recorder.js';

const manualClock = () => {
  let t = 1_700_000_000_000;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => t,
    setTimeout: () => ({ cancel() {} }),
    advance(ms) {
      t += ms;
    },
  };
  return clock;
};

const fwd = (key = 'api.shop.sim.api-1.8080', serviceKey = 'api.shop.sim') => ({
  key,
  serviceKey,
  podName: 'api-1',
  localIP: '127.1.27.1',
  localPort: '8080',
  podPort: '8080',
});

describe('failed connections', () => {
  it('are counted per forward with the last reason and time, and in the totals', () => {
    const clock = manualClock();
    const r = createTrafficRecorder({ clock, sampleIntervalMs: 0 });
    try {
      r.connectionFailed(fwd(), 'connection refused');
      clock.advance(10);
      r.connectionFailed(fwd(), 'pod stream closed');
      expect(r.forward(fwd().key)).toMatchObject({
        failedConnections: 2,
        lastFailure: { reason: 'pod stream closed', at: clock.now() },
        connections: 0,
      });
      expect(r.totals().failedConnections).toBe(2);
    } finally {
      r.close();
    }
  });
});

describe('ring buffer', () => {
  it('keeps the newest items', () => {
    const r = createRingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.last(2)).toEqual([4, 5]);
    expect(r.total).toBe(5);
    expect(() => createRingBuffer(0)).toThrow(/capacity/);
  });
});

describe('sample ring and rates', () => {
  it('computes instant and 10 s average rates with kubefwd guards', () => {
    const ring = createSampleRing(60);
    expect(instantRate(ring)).toEqual({ rateIn: 0, rateOut: 0 });
    for (let i = 0; i <= 12; i++) ring.push(i * 1000, i * 100, i * 10);
    expect(instantRate(ring)).toEqual({ rateIn: 100, rateOut: 10 });
    expect(averageRate(ring)).toEqual({ rateIn: 100, rateOut: 10 });
    ring.push(13_000, 0, 0); // counters went backwards
    expect(instantRate(ring)).toEqual({ rateIn: 0, rateOut: 0 });
    ring.push(13_000, 5, 5); // no time passed
    expect(instantRate(ring)).toEqual({ rateIn: 0, rateOut: 0 });
  });
  it('keeps at most its capacity', () => {
    const ring = createSampleRing(5);
    for (let i = 0; i < 9; i++) ring.push(i, i, i);
    expect(ring.length).toBe(5);
    expect(ring.list().map((s) => s.at)).toEqual([4, 5, 6, 7, 8]);
  });
});

describe('traffic recorder', () => {
  let rec: TrafficRecorderHandle | undefined;
  afterEach(() => rec?.close());

  it('counts bytes and connections per forward and per service, with rates after sampling', () => {
    const clock = manualClock();
    rec = createTrafficRecorder({ clock, sampleIntervalMs: 0 });
    const a = rec.connectionOpened(fwd());
    const b = rec.connectionOpened(fwd());
    rec.connectionOpened(fwd('db.shop.sim.db-0.5432', 'db.shop.sim')).toPod(Buffer.alloc(7));
    rec.sampleNow();
    a.toPod(Buffer.alloc(100));
    a.fromPod(Buffer.alloc(1000));
    b.fromPod(Buffer.alloc(24));
    b.closed();
    b.closed(); // idempotent
    clock.advance(1000);
    rec.sampleNow();
    const f = rec.forward('api.shop.sim.api-1.8080')!;
    expect(f).toMatchObject({
      bytesIn: 1024,
      bytesOut: 100,
      connections: 2,
      activeConnections: 1,
      rateIn: 1024,
      rateOut: 100,
    });
    expect(rec.totals()).toMatchObject({
      bytesIn: 1024,
      bytesOut: 107,
      connections: 3,
      activeConnections: 2,
    });
    const hist = rec.serviceHistory('api.shop.sim');
    expect(hist.at(-1)).toMatchObject({ bytesIn: 1024, bytesOut: 100, rateIn: 1024 });
    expect(rec.history('api.shop.sim.api-1.8080', 1)).toHaveLength(1);
    clock.advance(1000);
    rec.sampleNow();
    expect(rec.forward('api.shop.sim.api-1.8080')).toMatchObject({ rateIn: 0, rateOut: 0 });
    rec.forwardRemoved('api.shop.sim.api-1.8080');
    expect(rec.forward('api.shop.sim.api-1.8080')).toBeUndefined();
    a.toPod(Buffer.alloc(1)); // a late chunk on a removed forward is harmless
  });

  it('sniffs HTTP exchanges into a bounded log per forward', () => {
    rec = createTrafficRecorder({ clock: manualClock(), sampleIntervalMs: 0, httpLogCapacity: 3 });
    const t = rec.connectionOpened(fwd());
    for (let i = 0; i < 5; i++) {
      t.toPod(Buffer.from(`GET /r${i} HTTP/1.1\r\nHost: api\r\n\r\n`));
      t.fromPod(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    }
    const log = rec.httpLog('api.shop.sim.api-1.8080');
    expect(log.map((x) => x.path)).toEqual(['/r2', '/r3', '/r4']);
    expect(log[0]).toMatchObject({
      method: 'GET',
      statusCode: 200,
      responseSize: 2,
      forwardKey: 'api.shop.sim.api-1.8080',
    });
    expect(rec.httpLog('api.shop.sim.api-1.8080', 1).map((x) => x.path)).toEqual(['/r4']);
  });

  it('samples on its timer and notifies listeners', () => {
    const pending: (() => void)[] = [];
    const clock: Clock = { now: () => 0, setTimeout: (fn) => (pending.push(fn), { cancel() {} }) };
    rec = createTrafficRecorder({ clock });
    let ticks = 0;
    const off = rec.onSample(() => ticks++);
    pending.shift()!();
    pending.shift()!();
    expect(ticks).toBe(2);
    off();
    pending.shift()!();
    expect(ticks).toBe(2);
  });
});
