// The SSE streams: typed events in order with ids, type filter, bandwidth updates, keep-alive,
// bounded per-subscriber buffer, unsubscription on disconnect, the log stream, and the client's
// subscribeEvents + frame parser.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseParser, type SseFrame } from '../../src/api/client/index.js';
import type { ApiEvent } from '../../src/contract/api.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness> | undefined;
afterEach(() => h?.close());

/** Reads frames (and raw text) from a streaming response until `done` says so. */
const reader = (res: Response) => {
  const frames: SseFrame[] = [];
  let raw = '';
  const parser = createSseParser((f) => frames.push(f));
  const r = res.body!.getReader();
  const decoder = new TextDecoder();
  const until = async (done: () => boolean, limitMs = 5000): Promise<void> => {
    const deadline = Date.now() + limitMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${raw.slice(0, 500)}`);
      const { value, done: end } = await r.read();
      if (end) return;
      const text = decoder.decode(value, { stream: true });
      raw += text;
      parser.push(text);
    }
  };
  return { frames, until, raw: () => raw, cancel: () => r.cancel() };
};

describe('GET /api/v1/events', () => {
  it('streams typed events with ids and keep-alives, and unsubscribes on disconnect', async () => {
    h = harness();
    const res = await h.req('/api/v1/events');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const s = reader(res);
    await s.until(() => s.raw().includes(': connected'));
    const { dbF } = h.seeded!;
    h.bus.emit({
      type: 'PodChanged',
      at: h.clock.now(),
      context: 'sim',
      namespace: 'shop',
      podName: 'db-0',
      change: 'deleted',
      serviceKeys: ['db.shop.sim'],
    });
    h.bus.emit({
      type: 'Reconnect',
      at: h.clock.now(),
      serviceKey: 'db.shop.sim',
      trigger: 'pod-change',
      attempt: 1,
      success: true,
      durationMs: 40,
    });
    h.bus.emit({
      type: 'ForwardUpdated',
      at: h.clock.now(),
      forward: { ...dbF, status: 'Active' },
      previousStatus: 'Error',
    });
    await s.until(() => s.frames.length >= 3);
    expect(s.frames.map((f) => f.event)).toEqual(['PodChanged', 'ReconnectAttempt', 'PodStatusChanged']);
    const events = s.frames.map((f) => JSON.parse(f.data) as ApiEvent);
    expect(events[1]).toMatchObject({
      type: 'ReconnectAttempt',
      data: { serviceKey: 'db.shop.sim', trigger: 'pod-change', success: true },
    });
    expect(events[2]!.data).toMatchObject({
      status: 'Active',
      previousStatus: 'Error',
      forwardKey: dbF.key,
      service: 'db',
    });
    expect(s.frames.map((f) => Number(f.id))).toEqual(events.map((e) => e.id));
    expect(events[0]!.id! < events[2]!.id!).toBe(true);
    await s.until(() => s.raw().includes(': keepalive'));
    await s.cancel();
  });

  const removed = (n: number) => ({
    type: 'ServiceRemoved' as const,
    at: h!.clock.now(),
    serviceKey: `s${n}.shop.sim`,
    registryKey: `s${n}.shop.sim`,
    serviceName: `s${n}`,
    namespace: 'shop',
    context: 'sim',
  });

  it('an event has one id on every stream, ids count events, and Last-Event-ID replays what was missed', async () => {
    h = harness();
    const a = reader(await h.req('/api/v1/events?type=ServiceRemoved'));
    const b = reader(await h.req('/api/v1/events?type=ServiceRemoved'));
    await a.until(() => a.raw().includes(': connected'));
    await b.until(() => b.raw().includes(': connected'));
    h.bus.emit(removed(1));
    h.bus.emit(removed(2));
    await a.until(() => a.frames.length >= 2);
    await b.until(() => b.frames.length >= 2);
    const ids = a.frames.map((f) => Number(f.id));
    expect(b.frames.map((f) => Number(f.id))).toEqual(ids);
    expect(ids[1]).toBe(ids[0]! + 1);
    await a.cancel();
    await b.cancel();
    // Missed while away: two events; a reconnect with the last id seen gets exactly those, then live ones.
    h.bus.emit(removed(3));
    h.bus.emit(removed(4));
    const c = reader(
      await h.req('/api/v1/events?type=ServiceRemoved', { headers: { 'last-event-id': String(ids[1]) } }),
    );
    await c.until(() => c.frames.length >= 2);
    h.bus.emit(removed(5));
    await c.until(() => c.frames.length >= 3);
    expect(c.frames.map((f) => (JSON.parse(f.data) as ApiEvent).data.serviceKey)).toEqual([
      's3.shop.sim',
      's4.shop.sim',
      's5.shop.sim',
    ]);
    expect(c.frames.map((f) => Number(f.id))).toEqual([ids[1]! + 1, ids[1]! + 2, ids[1]! + 3]);
    await c.cancel();
  });

  it('ends cleanly after ShutdownComplete: the last event is written, then the stream closes', async () => {
    h = harness();
    const s = reader(await h.req('/api/v1/events'));
    await s.until(() => s.raw().includes(': connected'));
    h.bus.emit({ type: 'ShutdownStarted', at: h.clock.now() });
    h.bus.emit({ type: 'ShutdownComplete', at: h.clock.now() });
    // Read until the server ends the stream (until() returns at its end), or give up after 3 s.
    const ended = await Promise.race([
      s.until(() => false, 3000).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
    ]);
    expect(ended).toBe(true);
    expect(s.frames.map((f) => f.event)).toEqual(['ShutdownStarted', 'ShutdownComplete']);
  });

  it('a Last-Event-ID no longer kept (or never handed out) gets an EventsDropped event first', async () => {
    h = harness();
    for (let i = 0; i < 1005; i++) h.bus.emit(removed(i));
    for (const lastId of ['1', '999999', 'x']) {
      const s = reader(
        await h.req('/api/v1/events?type=ServiceRemoved', { headers: { 'last-event-id': lastId } }),
      );
      await s.until(() => s.frames.length >= 1);
      expect(s.frames[0]!.event).toBe('EventsDropped');
      expect(s.frames[0]!.id).toBeUndefined();
      expect((JSON.parse(s.frames[0]!.data) as ApiEvent).data.message).toMatch(/no longer kept/);
      await s.cancel();
    }
  });

  it('filters by ?type= (comma list) and refuses unknown types', async () => {
    h = harness();
    const res = await h.req('/api/v1/events?type=ServiceRemoved,NamespaceRemoved');
    const s = reader(res);
    await s.until(() => s.raw().includes(': connected'));
    h.state.logs.sink().info('noise');
    h.bus.emit({
      type: 'ServiceRemoved',
      at: h.clock.now(),
      serviceKey: 'api.shop.sim',
      registryKey: 'api.shop.sim',
      serviceName: 'api',
      namespace: 'shop',
      context: 'sim',
    });
    h.bus.emit({
      type: 'NamespaceRemoved',
      at: h.clock.now(),
      key: 'shop.sim',
      namespace: 'shop',
      context: 'sim',
    });
    await s.until(() => s.frames.length >= 2);
    expect(s.frames.map((f) => f.event)).toEqual(['ServiceRemoved', 'NamespaceRemoved']);
    await s.cancel();
    const bad = await h.req('/api/v1/events?type=Bogus');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('query.type');
  });

  it('sends BandwidthUpdate after a sample with traffic', async () => {
    h = harness();
    const s = reader(await h.req('/api/v1/events?type=BandwidthUpdate'));
    await s.until(() => s.raw().includes(': connected'));
    const tap = h.traffic.connectionOpened(h.seeded!.apiF);
    h.traffic.sampleNow();
    tap.fromPod(Buffer.alloc(2048));
    h.clock.advance(1000);
    h.traffic.sampleNow();
    await s.until(() => s.frames.length >= 1);
    const e = JSON.parse(s.frames[0]!.data) as ApiEvent;
    expect(e.data).toMatchObject({
      bytesIn: 2048,
      rateIn: 2048,
      forwards: [expect.objectContaining({ key: h.seeded!.apiF.key })],
    });
    await s.cancel();
  });

  it('drops (and says so) rather than buffering without bound for a slow client', async () => {
    h = harness();
    const s = reader(await h.req('/api/v1/events?type=LogMessage'));
    await s.until(() => s.raw().includes(': connected'));
    for (let i = 0; i < 500; i++) h.state.logs.sink().debug(`m${i}`);
    await s.until(() => s.raw().includes(': dropped'));
    expect(s.raw()).toMatch(/: dropped 400 events/);
    // Also as an event: EventSource and most SSE libraries never show comments.
    await s.until(() => s.frames.some((f) => f.event === 'EventsDropped'));
    expect(JSON.parse(s.frames.find((f) => f.event === 'EventsDropped')!.data)).toMatchObject({
      data: { dropped: 400 },
    });
    expect(s.frames.filter((f) => f.event === 'LogMessage').length).toBeLessThanOrEqual(100);
    await s.cancel();
  });
});

describe('stream limit', () => {
  it('refuses a stream beyond the limit, and frees the slot when one closes', async () => {
    h = harness({ maxStreams: 2 });
    const a = reader(await h.req('/api/v1/events'));
    const b = reader(await h.req('/api/v1/logs/stream'));
    await a.until(() => a.raw().includes(': connected'));
    await b.until(() => b.raw().includes(': connected'));
    const refused = await h.req('/api/v1/events');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
    await a.cancel();
    await new Promise((r) => setTimeout(r, 50));
    const c = await h.req('/api/v1/events');
    expect(c.status).toBe(200);
    await c.body?.cancel();
    await b.cancel();
  });
});

describe('GET /api/v1/logs/stream', () => {
  it('sends the last count matching lines first, then new ones', async () => {
    h = harness();
    for (const m of ['one', 'two', 'three']) h.state.logs.sink().warn(m);
    h.state.logs.sink().info('quiet');
    const s = reader(await h.req('/api/v1/logs/stream?count=2&level=warn'));
    await s.until(() => s.frames.length >= 2);
    h.state.logs.sink().warn('four');
    await s.until(() => s.frames.length >= 3);
    expect(s.frames.map((f) => (JSON.parse(f.data) as { message: string }).message)).toEqual([
      'two',
      'three',
      'four',
    ]);
    await s.cancel();
  });

  it('streams new log lines, filtered by level', async () => {
    h = harness();
    const s = reader(await h.req('/api/v1/logs/stream?level=warn'));
    await s.until(() => s.raw().includes(': connected'));
    h.state.logs.sink().info('quiet');
    h.state.logs.sink().error('loud', { service: 'db' });
    await s.until(() => s.frames.length >= 1);
    expect(s.frames[0]!.event).toBe('log');
    expect(JSON.parse(s.frames[0]!.data)).toMatchObject({
      level: 'error',
      message: 'loud',
      fields: { service: 'db' },
    });
    await s.cancel();
  });
});

describe('client subscribeEvents', () => {
  it('delivers parsed events and stops on close', async () => {
    h = harness();
    const got: ApiEvent[] = [];
    let opened = false;
    const sub = h.client.subscribeEvents({
      types: ['ServiceAdded'],
      onOpen: () => (opened = true),
      onEvent: (e) => got.push(e),
    });
    while (!opened) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    h.bus.emit({
      type: 'ServiceAdded',
      at: h.clock.now(),
      service: { ...h.seeded!.api, key: 'z.shop.sim', serviceName: 'z' },
    });
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(got[0]).toMatchObject({ type: 'ServiceAdded', data: { serviceKey: 'z.shop.sim', service: 'z' } });
    sub.close();
    await sub.done;
  });

  it('reports an error for a bad filter', async () => {
    h = harness();
    const errors: string[] = [];
    const sub = h.client.subscribeEvents({
      types: ['Nope' as never],
      onEvent: () => {},
      onError: (e) => errors.push(e.code),
    });
    await sub.done;
    expect(errors).toEqual(['INVALID_INPUT']);
  });
});

describe('SSE frame parser', () => {
  it('parses frames however the text is split', () => {
    const text =
      ': connected\n\nevent: A\nid: 1\ndata: {"x":1}\n\r\nevent: B\r\ndata: line1\r\ndata: line2\r\n\r\ndata:plain\n\n';
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 10 }), (cuts) => {
        const frames: SseFrame[] = [];
        const p = createSseParser((f) => frames.push(f));
        let prev = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          p.push(text.slice(prev, c));
          prev = c;
        }
        p.push(text.slice(prev));
        expect(frames).toEqual([
          { event: 'A', data: '{"x":1}', id: '1' },
          { event: 'B', data: 'line1\nline2', id: '1' },
          { event: 'message', data: 'plain', id: '1' },
        ]);
      }),
    );
  });
});
