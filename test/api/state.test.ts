import { afterEach, describe, expect, it } from 'vitest';
import { createTrafficRecorder, type TrafficRecorderHandle } from '../../src/engine/traffic/index.js';
import {
  createStateStore,
  filterForwards,
  filterServices,
  paginate,
  sortServices,
  type StateStore,
} from '../../src/state/index.js';
import { countIssues, issuesOf } from '../../src/api/server/issues.js';
import { eventBus, fwdRecord, manualClock, seed, svcRecord, T0 } from './fixtures.js';

describe('state store', () => {
  let store: StateStore | undefined;
  let traffic: TrafficRecorderHandle | undefined;
  afterEach(() => {
    store?.close();
    traffic?.close();
  });

  const setup = () => {
    const clock = manualClock();
    const bus = eventBus();
    traffic = createTrafficRecorder({ clock, sampleIntervalMs: 0 });
    store = createStateStore({ subscribe: (l) => bus.subscribe(l), traffic, clock });
    return { clock, bus, traffic, store };
  };

  it('reduces engine events into services, forwards, namespaces and a summary', () => {
    const { bus, store } = setup();
    const s0 = store.getSnapshot();
    seed(bus, manualClock());
    const s = store.getSnapshot();
    expect(s).not.toBe(s0);
    expect(Object.isFrozen(s)).toBe(true);
    expect(s.services.map((x) => [x.key, x.status])).toEqual([
      ['api.shop.sim', 'active'],
      ['db.shop.sim', 'error'],
      ['web.shop.sim', 'waiting'],
    ]);
    // Errored and waiting forwards stay visible with reason and next retry.
    const db = s.forwards.find((f) => f.serviceKey === 'db.shop.sim')!;
    expect(db).toMatchObject({
      status: 'Error',
      errorCode: 'CONNECTION_REFUSED',
      nextRetryAt: new Date(T0 + 2000).toISOString(),
    });
    const web = store.forward(s.forwards.find((f) => f.serviceKey === 'web.shop.sim')!.key)!;
    expect(web).toMatchObject({ status: 'Waiting', reason: 'no ready pod backs the service' });
    expect(s.summary).toMatchObject({
      totalServices: 3,
      activeServices: 1,
      totalForwards: 3,
      activeForwards: 1,
      errorCount: 1,
    });
    expect(s.namespaces).toEqual([
      expect.objectContaining({
        key: 'shop.sim',
        serviceCount: 3,
        activeCount: 1,
        errorCount: 1,
        running: true,
      }),
    ]);
    expect(store.getSnapshot()).toBe(s); // unchanged → same snapshot
  });

  it('merges traffic figures without a TUI', () => {
    const { bus, store, traffic, clock } = setup();
    const { apiF } = seed(bus, clock);
    const tap = traffic.connectionOpened(apiF);
    traffic.sampleNow();
    tap.toPod(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    tap.fromPod(Buffer.alloc(500));
    clock.advance(1000);
    traffic.sampleNow();
    const f = store.forward(apiF.key)!;
    expect(f).toMatchObject({
      bytesOut: 18,
      bytesIn: 500,
      rateIn: 500,
      connections: 1,
      activeConnections: 1,
    });
    expect(f.lastActive).toBeDefined();
    expect(store.service('api.shop.sim')).toMatchObject({ totalBytesIn: 500, totalBytesOut: 18 });
    expect(store.getSnapshot().summary.totalBytesIn).toBe(500);
  });

  it('reuses the views of unchanged forwards and services across snapshots; a change or traffic rebuilds them', () => {
    const { bus, store, traffic, clock } = setup();
    const { apiF, dbF } = seed(bus, clock);
    const s1 = store.getSnapshot();
    const view = (s: typeof s1, key: string) => s.forwards.find((f) => f.key === key)!;
    const svc = (s: typeof s1, key: string) => s.services.find((x) => x.key === key)!;
    bus.emit({
      type: 'ForwardUpdated',
      at: clock.now(),
      forward: { ...dbF, status: 'Active', reason: undefined },
      previousStatus: 'Error',
    });
    const s2 = store.getSnapshot();
    expect(s2).not.toBe(s1);
    expect(view(s2, apiF.key)).toBe(view(s1, apiF.key));
    expect(svc(s2, 'api.shop.sim')).toBe(svc(s1, 'api.shop.sim'));
    expect(view(s2, dbF.key)).not.toBe(view(s1, dbF.key));
    expect(view(s2, dbF.key).status).toBe('Active');
    expect(svc(s2, 'db.shop.sim')).not.toBe(svc(s1, 'db.shop.sim'));
    expect(svc(s2, 'db.shop.sim').status).toBe('active');
    // Traffic on api: its view and its service's view are new, with the figures.
    const tap = traffic.connectionOpened(apiF);
    tap.fromPod(Buffer.alloc(100));
    clock.advance(1000);
    traffic.sampleNow();
    const s3 = store.getSnapshot();
    expect(view(s3, apiF.key)).not.toBe(view(s2, apiF.key));
    expect(view(s3, apiF.key)).toMatchObject({ bytesIn: 100, connections: 1 });
    expect(svc(s3, 'api.shop.sim').totalBytesIn).toBe(100);
    expect(view(s3, dbF.key)).toBe(view(s2, dbF.key));
  });

  it('counts a forward re-dialling after a failure (Connecting with its error) as an error, as quick status and health do', () => {
    const { bus, store, clock } = setup();
    const { api, apiF } = seed(bus, clock);
    const api2 = fwdRecord(api, 'api-2', 'Active');
    bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: api2 });
    const outage = 'Get "https://10.0.0.1:6443/api/v1/namespaces/shop/pods": context deadline exceeded';
    const redial = (f: typeof apiF, error?: string) =>
      bus.emit({
        type: 'ForwardUpdated',
        at: clock.now(),
        forward: { ...f, status: 'Connecting', ...(error !== undefined ? { error } : {}) },
        previousStatus: 'Active',
      });
    const agrees = () => {
      // The same snapshot through the analysis' issue counts (quick status, health).
      const s = store.getSnapshot();
      expect(s.summary.errorCount).toBe(countIssues(issuesOf(s, clock.now())).errorForwards);
      return s;
    };

    redial(apiF, outage);
    let s = agrees();
    expect(store.service('api.shop.sim')).toMatchObject({ status: 'partial', activeCount: 1, errorCount: 1 });
    expect(s.summary).toMatchObject({ errorCount: 2, activeForwards: 1 });

    redial(api2, outage);
    s = agrees();
    expect(store.service('api.shop.sim')).toMatchObject({ status: 'error', activeCount: 0, errorCount: 2 });
    expect(s.summary.errorCount).toBe(3);
    expect(s.namespaces[0]).toMatchObject({ activeCount: 0, errorCount: 2 });

    // A first dial (no error yet) is starting, not failing.
    redial(apiF);
    redial(api2);
    s = agrees();
    expect(store.service('api.shop.sim')).toMatchObject({ status: 'pending', activeCount: 0, errorCount: 0 });
    expect(s.summary.errorCount).toBe(1);
  });

  it('carries activeSince: when the forward last became Active, only while it is (not the port start)', () => {
    const { bus, store, clock } = setup();
    const { apiF, webF } = seed(bus, clock); // at T0: api Active, web Waiting
    expect(store.forward(apiF.key)!.activeSince).toBe(new Date(T0).toISOString());
    expect(store.forward(webF.key)!.activeSince).toBeUndefined();
    const update = (f: typeof apiF, status: typeof apiF.status, previousStatus: typeof apiF.status) =>
      bus.emit({ type: 'ForwardUpdated', at: clock.now(), forward: { ...f, status }, previousStatus });

    // Another update while Active (reconnects, hostnames) keeps the time.
    clock.advance(30_000);
    bus.emit({
      type: 'ForwardUpdated',
      at: clock.now(),
      forward: { ...apiF, reconnects: 1 },
      previousStatus: 'Active',
    });
    expect(store.forward(apiF.key)!.activeSince).toBe(new Date(T0).toISOString());

    // Lost: no connected time while it re-dials; back: from then, not from startedAt.
    clock.advance(30_000);
    update(apiF, 'Connecting', 'Active');
    expect(store.forward(apiF.key)!.activeSince).toBeUndefined();
    clock.advance(10_000);
    update(apiF, 'Active', 'Connecting');
    const back = store.forward(apiF.key)!;
    expect(back.activeSince).toBe(new Date(T0 + 70_000).toISOString());
    expect(back.startedAt).toBe(new Date(T0).toISOString());

    // Still Waiting minutes later: never connected.
    clock.advance(180_000);
    update(webF, 'Waiting', 'Waiting');
    expect(store.forward(webF.key)!.activeSince).toBeUndefined();
  });

  it('notifies subscribers once per burst', async () => {
    const { bus, store } = setup();
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.services.length));
    seed(bus, manualClock());
    await Promise.resolve();
    expect(seen).toEqual([3]);
  });

  it('removes forwards with their service and everything of a removed namespace', () => {
    const { bus, store, clock } = setup();
    seed(bus, clock);
    bus.emit({
      type: 'ServiceRemoved',
      at: clock.now(),
      serviceKey: 'api.shop.sim',
      registryKey: 'api.shop.sim',
      serviceName: 'api',
      namespace: 'shop',
      context: 'sim',
    });
    expect(store.getSnapshot().services.map((s) => s.key)).toEqual(['db.shop.sim', 'web.shop.sim']);
    bus.emit({
      type: 'NamespaceRemoved',
      at: clock.now(),
      key: 'shop.sim',
      namespace: 'shop',
      context: 'sim',
    });
    const s = store.getSnapshot();
    expect([s.services.length, s.forwards.length, s.namespaces.length]).toEqual([0, 0, 0]);
  });

  it('records history: events, errors (resolved on recovery) and reconnections', () => {
    const { bus, store, clock } = setup();
    const { dbF } = seed(bus, clock);
    clock.advance(3000);
    bus.emit({
      type: 'Reconnect',
      at: clock.now(),
      serviceKey: 'db.shop.sim',
      trigger: 'auto',
      attempt: 1,
      success: false,
      durationMs: 12,
      error: 'connection refused',
    });
    bus.emit({
      type: 'Reconnect',
      at: clock.now(),
      serviceKey: 'db.shop.sim',
      trigger: 'pod-change',
      attempt: 2,
      success: true,
      durationMs: 30,
    });
    bus.emit({
      type: 'ForwardUpdated',
      at: clock.now(),
      forward: { ...dbF, status: 'Active', error: undefined },
      previousStatus: 'Error',
    });
    const h = store.history;
    const types = h.events().map((e) => e.type);
    expect(types).toContain('ServiceAdded');
    expect(types).toContain('ForwardStarted');
    expect(types).toContain('ForwardError');
    expect(types).toContain('ReconnectFailed');
    expect(types[0]).toBe('PodStatusChanged'); // newest first
    expect(h.events({ type: 'ForwardError' })).toHaveLength(1);
    const errs = h.errors();
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      serviceKey: 'db.shop.sim',
      errorType: 'connection_refused',
      resolved: true,
    });
    const rc = h.reconnections({ serviceKey: 'db.shop.sim' });
    expect(rc.map((r) => [r.trigger, r.success, r.duration])).toEqual([
      ['pod-change', true, 30_000_000],
      ['auto', false, 12_000_000],
    ]);
    expect(h.stats()).toMatchObject({
      totalReconnects: 2,
      totalErrors: 1,
      maxEvents: 1000,
      maxErrors: 500,
      maxReconnects: 200,
    });
  });

  it('records a forward that lost the pod it served as an error, once per outage, resolved when it serves again', () => {
    const { bus, store, clock } = setup();
    const pg = svcRecord('postgres', 'shop', 'sim', '127.1.27.9', 5432);
    bus.emit({ type: 'ServiceAdded', at: clock.now(), service: pg });
    // A forward that waits for its first pod (it never served) is no outage.
    const starting = fwdRecord(pg, '', 'Waiting', { reason: 'no ready pod yet', errorCode: 'NO_PODS' });
    bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: starting });
    expect(store.history.errors()).toEqual([]);
    bus.emit({ type: 'ForwardRemoved', at: clock.now(), ...starting });
    const served = fwdRecord(pg, 'postgres-0', 'Active');
    bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: served });
    // Scaled to zero: the forward moves off its pod (its record keyed by the pod goes) and waits.
    clock.advance(60_000);
    const lostAt = clock.now();
    bus.emit({ type: 'ForwardRemoved', at: lostAt, ...served });
    const podless = fwdRecord(pg, '', 'Waiting', { reason: 'no ready pod', errorCode: 'NO_PODS' });
    bus.emit({ type: 'ForwardAdded', at: lostAt, forward: podless });
    bus.emit({
      type: 'ForwardUpdated',
      at: lostAt + 5000,
      forward: { ...podless, reason: 'no ready pod (still)' },
      previousStatus: 'Waiting',
    });
    let errs = store.history.errors({ serviceKey: 'postgres.shop.sim' });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      serviceKey: 'postgres.shop.sim',
      podName: 'postgres-0',
      errorCode: 'NO_PODS',
      errorType: 'no_pods',
      message: 'lost pod postgres-0: no ready pod',
      timestamp: new Date(lostAt).toISOString(),
      resolved: false,
    });
    // 47 s later a pod is back: picking it is not recovery yet, serving is.
    clock.advance(47_000);
    bus.emit({ type: 'ForwardRemoved', at: clock.now(), ...podless });
    const back = fwdRecord(pg, 'postgres-1', 'Connecting');
    bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: back });
    expect(store.history.errors()[0]!.resolved).toBe(false);
    clock.advance(200);
    bus.emit({
      type: 'ForwardUpdated',
      at: clock.now(),
      forward: { ...back, status: 'Active' },
      previousStatus: 'Connecting',
    });
    errs = store.history.errors();
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ resolved: true, resolvedAt: new Date(clock.now()).toISOString() });
    // The next outage is a new record.
    bus.emit({
      type: 'ForwardUpdated',
      at: clock.now(),
      forward: { ...back, status: 'Waiting', reason: 'pod postgres-1 is not ready', errorCode: 'NO_PODS' },
      previousStatus: 'Active',
    });
    expect(store.history.errors({ unresolvedOnly: true })).toEqual([
      expect.objectContaining({
        podName: 'postgres-1',
        message: 'lost pod postgres-1: pod postgres-1 is not ready',
      }),
    ]);
  });

  it('records the start of a run of failing connections through an Active forward, once per run, resolved when one gets through', () => {
    const { bus, store, clock, traffic } = setup();
    const { apiF } = seed(bus, clock);
    clock.advance(1000);
    for (let i = 0; i < 5; i++) {
      traffic.connectionFailed(apiF, 'connection refused by the pod (port 8080)');
      clock.advance(100);
      traffic.sampleNow();
    }
    const runStart = T0 + 1000;
    let errs = store.history.errors({ serviceKey: 'api.shop.sim' });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      serviceKey: 'api.shop.sim',
      forwardKey: apiF.key,
      podName: 'api-1',
      errorCode: 'CONNECTION_REFUSED',
      errorType: 'connection_refused',
      message: 'connections to pod api-1 fail: connection refused by the pod (port 8080)',
      timestamp: new Date(runStart).toISOString(),
      resolved: false,
    });
    // A connection gets the pod's answer: the run is over.
    clock.advance(1000);
    const tap = traffic.connectionOpened(apiF);
    tap.fromPod(Buffer.from('+PONG\r\n'));
    const answeredAt = clock.now();
    clock.advance(1000);
    traffic.sampleNow();
    errs = store.history.errors({ serviceKey: 'api.shop.sim' });
    expect(errs[0]).toMatchObject({ resolved: true, resolvedAt: new Date(answeredAt).toISOString() });
    // A new run is a new record.
    traffic.connectionFailed(apiF, 'connection refused by the pod (port 8080)');
    traffic.sampleNow();
    expect(store.history.errors({ serviceKey: 'api.shop.sim', unresolvedOnly: true })).toHaveLength(1);
    expect(store.history.errors({ serviceKey: 'api.shop.sim' })).toHaveLength(2);
  });

  it('bounds history retention', () => {
    const clock = manualClock();
    const bus = eventBus();
    store = createStateStore({
      subscribe: (l) => bus.subscribe(l),
      clock,
      historyLimits: { maxEvents: 5, maxErrors: 2, maxReconnects: 3 },
    });
    for (let i = 0; i < 50; i++) {
      bus.emit({ type: 'ServiceAdded', at: clock.now(), service: svcRecord(`s${i}`) });
      bus.emit({
        type: 'Reconnect',
        at: clock.now(),
        serviceKey: `s${i}.shop.sim`,
        trigger: 'manual',
        attempt: 1,
        success: true,
        durationMs: 1,
      });
    }
    expect(store.history.events()).toHaveLength(5);
    expect(store.history.reconnections()).toHaveLength(3);
    expect(store.history.reconnections()[0]!.serviceKey).toBe('s49.shop.sim');
  });

  it("notes when a namespace's watch starts failing and when it works again, not each retry", () => {
    const { bus, store, clock } = setup();
    const ns = { key: 'shop.sim', namespace: 'shop', context: 'sim', running: true, startedAt: '' };
    bus.emit({ type: 'NamespaceAdded', at: clock.now(), namespace: ns });
    const failing = (watchError: string) =>
      bus.emit({
        type: 'NamespaceUpdated',
        at: clock.now(),
        namespace: { ...ns, watchError, watchErrorSince: new Date(T0).toISOString() },
      });
    failing('watch of pods failed: forbidden');
    failing('watch of pods failed: connection refused');
    bus.emit({ type: 'NamespaceUpdated', at: clock.now(), namespace: ns });
    bus.emit({ type: 'NamespaceUpdated', at: clock.now(), namespace: ns });
    const events = store.history.events().filter((e) => e.type.startsWith('NamespaceWatch'));
    expect(events.map((e) => [e.type, e.message])).toEqual([
      ['NamespaceWatchRecovered', 'namespace shop (context sim): kubefwd follows its changes again'],
      [
        'NamespaceWatchFailing',
        'namespace shop (context sim): kubefwd cannot follow its changes: watch of pods failed: forbidden',
      ],
    ]);
    expect(store.getSnapshot().namespaces[0]?.watchError).toBeUndefined();
  });

  it('keeps a filterable daemon log from the logger sink', () => {
    const { store } = setup();
    store.logs.sink().info('forwarding shop');
    store.logs.sink().warn('pod api-1 not ready', { apiKey: 'abcdef0123' });
    store.logs.sink().error('hosts file locked', { err: new Error('EBUSY') });
    store.logs.sink().debug('tick');
    expect(store.logs.list().map((l) => l.level)).toEqual(['info', 'warn', 'error', 'debug']);
    expect(store.logs.list({ level: 'warn' }).map((l) => l.message)).toEqual([
      'pod api-1 not ready',
      'hosts file locked',
    ]);
    expect(store.logs.list({ search: 'API-1' })).toHaveLength(1);
    expect(store.logs.list({ count: 1 })[0]!.message).toBe('tick');
    expect(JSON.stringify(store.logs.list())).not.toContain('abcdef0123');
    store.logs.clear();
    expect(store.logs.list()).toEqual([]);
  });

  it('stops listening when closed', () => {
    const { bus, store } = setup();
    expect(bus.size).toBe(1);
    store.close();
    expect(bus.size).toBe(0);
  });
});

describe('selectors', () => {
  it('filter, search, sort and page', () => {
    const clock = manualClock();
    const bus = eventBus();
    const store = createStateStore({ subscribe: (l) => bus.subscribe(l), clock });
    seed(bus, clock);
    const s = store.getSnapshot();
    expect(filterServices(s.services, { status: 'error' }).map((x) => x.serviceName)).toEqual(['db']);
    expect(filterServices(s.services, { search: 'WE' }).map((x) => x.serviceName)).toEqual(['web']);
    expect(filterForwards(s.forwards, { status: 'active' }).map((x) => x.serviceName)).toEqual(['api']);
    expect(filterForwards(s.forwards, { namespace: 'other' })).toEqual([]);
    expect(sortServices(s.services, 'status').map((x) => x.status)).toEqual(['active', 'error', 'waiting']);
    expect(paginate([1, 2, 3, 4], { limit: 2, offset: 1 })).toEqual([2, 3]);
    store.close();
    void fwdRecord;
  });
});
