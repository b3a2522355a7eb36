import { describe, expect, it } from 'vitest';
import { ApiEvent } from '../../contract/api.js';
import type { EngineEvent } from '../../engine/events.js';
import type { ForwardTraffic } from '../../engine/traffic/recorder.js';
import { bandwidthEvent, FAILURE_ANNOUNCE_MS, logEvent, toApiEvent } from './event-map.js';

const svc = {
  key: 'api.shop.sim',
  registryKey: 'api.shop.sim',
  serviceName: 'api',
  namespace: 'shop',
  context: 'sim',
  headless: false,
  localIP: '127.1.27.1',
  hostnames: ['api'],
  ports: [],
};
const fwd = {
  key: 'api.shop.sim.api-1.8080',
  serviceKey: 'api.shop.sim',
  registryKey: 'api.shop.sim',
  serviceName: 'api',
  namespace: 'shop',
  context: 'sim',
  headless: false,
  podName: 'api-1',
  localIP: '127.1.27.1',
  localPort: '8080',
  podPort: '8080',
  hostnames: ['api'],
  status: 'Error' as const,
  error: 'refused',
  errorCode: 'CONNECTION_REFUSED',
  startedAt: '2026-11-25T10:00:00.000Z',
  reconnects: 0,
};

const fwdRemoved: EngineEvent = {
  type: 'ForwardRemoved',
  at: 0,
  key: fwd.key,
  serviceKey: fwd.serviceKey,
  serviceName: 'api',
  namespace: 'shop',
  context: 'sim',
  podName: 'api-1',
};

describe('engine events → SSE vocabulary', () => {
  const all: EngineEvent[] = [
    { type: 'ServiceAdded', at: 0, service: svc },
    { type: 'ServiceUpdated', at: 0, service: svc },
    {
      type: 'ServiceRemoved',
      at: 0,
      serviceKey: 'api.shop.sim',
      registryKey: 'api.shop.sim',
      serviceName: 'api',
      namespace: 'shop',
      context: 'sim',
    },
    { type: 'ServiceSkipped', at: 0, registryKey: 'ext.shop.sim', reason: 'ExternalName' },
    { type: 'ForwardAdded', at: 0, forward: fwd },
    { type: 'ForwardUpdated', at: 0, forward: fwd, previousStatus: 'Active' },
    fwdRemoved,
    {
      type: 'NamespaceAdded',
      at: 0,
      namespace: { key: 'shop.sim', namespace: 'shop', context: 'sim', running: true, startedAt: '' },
    },
    { type: 'NamespaceRemoved', at: 0, key: 'shop.sim', namespace: 'shop', context: 'sim' },
    {
      type: 'NamespaceUpdated',
      at: 0,
      namespace: {
        key: 'shop.sim',
        namespace: 'shop',
        context: 'sim',
        running: true,
        startedAt: '',
        watchError: 'watch of pods failed: forbidden',
        watchErrorSince: '2026-12-07T07:00:00.000Z',
      },
    },
    {
      type: 'Reconnect',
      at: 0,
      serviceKey: 'api.shop.sim',
      trigger: 'manual',
      attempt: 2,
      success: false,
      durationMs: 3,
      error: 'x',
    },
    {
      type: 'PodChanged',
      at: 0,
      context: 'sim',
      namespace: 'shop',
      podName: 'api-1',
      change: 'deleted',
      serviceKeys: ['api.shop.sim'],
    },
    { type: 'HostsWritten', at: 0, path: '/tmp/hosts', entries: 4 },
    { type: 'ShutdownStarted', at: 0 },
    { type: 'ShutdownComplete', at: 0 },
  ];

  it('maps every engine event to a valid ApiEvent', () => {
    const types = all.map((e) => {
      const out = toApiEvent(e);
      expect(out).toBeDefined();
      expect(ApiEvent.safeParse({ ...out, id: 1 }).success).toBe(true);
      return out!.type;
    });
    expect(types).toEqual([
      'ServiceAdded',
      'ServiceUpdated',
      'ServiceRemoved',
      'ServiceSkipped',
      'PodAdded',
      'PodStatusChanged',
      'PodRemoved',
      'NamespaceAdded',
      'NamespaceRemoved',
      'NamespaceUpdated',
      'ReconnectAttempt',
      'PodChanged',
      'HostsWritten',
      'ShutdownStarted',
      'ShutdownComplete',
    ]);
    expect(toApiEvent(all[5]!)!.data).toMatchObject({
      status: 'Error',
      previousStatus: 'Active',
      errorCode: 'CONNECTION_REFUSED',
    });
    expect(toApiEvent(all[9]!)!.data).toEqual({
      namespace: 'shop',
      context: 'sim',
      watchError: 'watch of pods failed: forbidden',
      watchErrorSince: '2026-12-07T07:00:00.000Z',
    });
  });

  it('removals carry what the additions did: service, namespace, context (and the pod of a forward)', () => {
    // A headless pod entry: its `service` is the serviceName GET /services shows (`kafka-0.kafka`).
    expect(
      toApiEvent({
        type: 'ServiceRemoved',
        at: 0,
        serviceKey: 'kafka-0.kafka.shop.sim',
        registryKey: 'kafka.shop.sim',
        serviceName: 'kafka-0.kafka',
        namespace: 'shop',
        context: 'sim',
      })?.data,
    ).toEqual({
      serviceKey: 'kafka-0.kafka.shop.sim',
      service: 'kafka-0.kafka',
      namespace: 'shop',
      context: 'sim',
      registryKey: 'kafka.shop.sim',
    });
    expect(toApiEvent(fwdRemoved)?.data).toEqual({
      serviceKey: 'api.shop.sim',
      service: 'api',
      namespace: 'shop',
      context: 'sim',
      forwardKey: fwd.key,
      podName: 'api-1',
    });
  });

  it('a daemon log line is a LogMessage', () => {
    const e = logEvent({ timestamp: '2026-01-01T00:00:00.000Z', level: 'warn', message: 'hi' });
    expect(ApiEvent.safeParse({ ...e, id: 1 }).success).toBe(true);
    expect(e).toMatchObject({ type: 'LogMessage', data: { level: 'warn', message: 'hi' } });
  });

  /** One forward's traffic figures, idle and without failures unless `over` says otherwise. */
  const traffic = (over: Partial<ForwardTraffic> = {}): ForwardTraffic => ({
    key: 'k',
    serviceKey: 's',
    podName: 'p',
    localIP: '',
    localPort: '',
    podPort: '',
    connections: 1,
    activeConnections: 1,
    failedConnections: 0,
    lastFailure: undefined,
    lastAnswerAt: undefined,
    connectedAt: 0,
    lastActivity: 0,
    bytesIn: 0,
    bytesOut: 0,
    rateIn: 0,
    rateOut: 0,
    avgRateIn: 0,
    avgRateOut: 0,
    ...over,
  });

  it('bandwidth: a forward that moved at the last tick and stopped is listed once more, at rate 0', () => {
    const f = traffic({ bytesIn: 5, bytesOut: 1 });
    const e = bandwidthEvent(0, [f], new Set(['k']))!;
    expect(e.data).toMatchObject({
      forwards: [expect.objectContaining({ key: 'k', rateIn: 0, rateOut: 0 })],
    });
    // Only once: the next tick's set (what moved at this one) no longer has it.
    expect(bandwidthEvent(1000, [f], new Set())).toBeUndefined();
  });

  it('bandwidth: only forwards that moved', () => {
    const f = traffic();
    expect(bandwidthEvent(0, [{ ...f, bytesIn: 5, bytesOut: 0, rateIn: 0, rateOut: 0 }])).toBeUndefined();
    const e = bandwidthEvent(0, [{ ...f, bytesIn: 5, bytesOut: 1, rateIn: 5, rateOut: 1 }])!;
    expect(e.data).toMatchObject({
      bytesIn: 5,
      rateOut: 1,
      forwards: [expect.objectContaining({ key: 'k' })],
    });
  });

  it('bandwidth: a forward whose connection just failed is listed with the failure, not counted as moving', () => {
    const f = traffic({
      connections: 3,
      activeConnections: 0,
      failedConnections: 3,
      lastFailure: { reason: 'connection refused', at: 10_000 },
      bytesIn: 7,
      bytesOut: 2,
    });
    const e = bandwidthEvent(10_000 + FAILURE_ANNOUNCE_MS - 1, [f])!;
    expect(ApiEvent.safeParse({ ...e, id: 1 }).success).toBe(true);
    expect(e.data).toMatchObject({
      bytesIn: 0,
      forwards: [
        {
          key: 'k',
          failedConnections: 3,
          lastConnectionError: 'connection refused',
          lastConnectionErrorAt: new Date(10_000).toISOString(),
        },
      ],
    });
    expect(bandwidthEvent(10_000 + FAILURE_ANNOUNCE_MS, [f])).toBeUndefined();
  });
});
