import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../contract/api-events.js';
import { formatForwardKey, formatServiceKey } from '../domain/keys.js';
import { RECENT_FAILURE_MS } from '../domain/diagnosis.js';
import { applyEvent, emptyLive, expireFailures } from './live.js';

const ev = (type: ApiEvent['type'], data: ApiEvent['data']): ApiEvent => ({
  type,
  timestamp: '2026-12-04T10:00:00.000Z',
  data,
});

const added = ev('PodAdded', {
  forwardKey: 'api.shop.sim.api-1.8080',
  serviceKey: 'api.shop.sim',
  service: 'api',
  namespace: 'shop',
  context: 'sim',
  podName: 'api-1',
  localIP: '127.1.27.1',
  localPort: '8080',
  podPort: '8080',
  hostnames: ['api', 'api.shop'],
  status: 'Connecting',
});

describe('applyEvent', () => {
  it('adds, updates (clearing a resolved error), moves bytes and removes forwards', () => {
    const live = emptyLive();
    expect(applyEvent(live, added)).toBe('changed');
    const key = 'api.shop.sim.api-1.8080';
    expect(live.forwards.get(key)).toMatchObject({ status: 'Connecting', podName: 'api-1', bytesIn: 0 });

    applyEvent(
      live,
      ev('PodStatusChanged', {
        forwardKey: key,
        status: 'Error',
        error: 'refused',
        errorCode: 'POD_NOT_FOUND',
        reason: 'pod gone',
      }),
    );
    expect(live.forwards.get(key)).toMatchObject({
      status: 'Error',
      errorCode: 'POD_NOT_FOUND',
      reason: 'pod gone',
    });
    const errored = live.forwards.get(key);
    applyEvent(
      live,
      ev('PodStatusChanged', { forwardKey: key, status: 'Active', podName: 'api-2', reconnects: 2 }),
    );
    const active = live.forwards.get(key)!;
    expect(active).not.toBe(errored); // a new object: the row re-renders
    expect(active).toMatchObject({ status: 'Active', podName: 'api-2', reconnects: 2 });
    expect(active.error).toBeUndefined();
    expect(active.reason).toBeUndefined();

    const bw = (rate: number) =>
      ev('BandwidthUpdate', {
        forwards: rate
          ? [{ key, serviceKey: 'api.shop.sim', bytesIn: 10, bytesOut: 20, rateIn: rate, rateOut: 0 }]
          : [],
      });
    applyEvent(live, bw(5));
    applyEvent(live, bw(0));
    expect(live.forwards.get(key)).toMatchObject({ bytesIn: 10, bytesOut: 20, rateIn: 0, reconnects: 2 });
    expect(live.spark.get(key)).toEqual([5, 0]);

    expect(applyEvent(live, ev('NamespaceAdded', { namespace: 'x', context: 'sim' }))).toBe('reload');
    expect(
      applyEvent(live, ev('NamespaceUpdated', { namespace: 'x', context: 'sim', watchError: 'e' })),
    ).toBe('reload');
    expect(applyEvent(live, ev('PodRemoved', { forwardKey: key, serviceKey: 'api.shop.sim' }))).toBe(
      'changed',
    );
    expect(live.forwards.size).toBe(0);
    expect(live.spark.size).toBe(0);
  });

  it('a failed connection reaches an Active forward by a bandwidth event and stops counting after a minute', () => {
    const live = emptyLive();
    applyEvent(live, added);
    const key = 'api.shop.sim.api-1.8080';
    applyEvent(live, ev('PodStatusChanged', { forwardKey: key, status: 'Active' }));
    const failedAt = Date.parse('2026-12-04T10:00:00.000Z');
    applyEvent(
      live,
      ev('BandwidthUpdate', {
        forwards: [
          {
            key,
            serviceKey: 'api.shop.sim',
            bytesIn: 0,
            bytesOut: 0,
            rateIn: 0,
            rateOut: 0,
            failedConnections: 2,
            lastConnectionError: 'connection refused',
            lastConnectionErrorAt: new Date(failedAt).toISOString(),
          },
        ],
      }),
    );
    const failing = live.forwards.get(key)!;
    expect(failing).toMatchObject({ failedConnections: 2, lastConnectionError: 'connection refused' });
    // A bandwidth event without the failure keeps what is known of it.
    applyEvent(live, ev('BandwidthUpdate', { forwards: [] }));
    expect(live.forwards.get(key)?.lastConnectionError).toBe('connection refused');

    expect(expireFailures(live, failedAt + 10_000, failedAt + 5_000)).toBe(false);
    expect(live.forwards.get(key)).toBe(failing);
    const end = failedAt + RECENT_FAILURE_MS;
    expect(expireFailures(live, end + 1, end - 4_000)).toBe(true);
    expect(live.forwards.get(key)).not.toBe(failing); // a new object: the row re-renders without it
    expect(expireFailures(live, end + 5_001, end + 1)).toBe(false);
  });

  it('a removed service takes its forwards along; unknown keys change nothing', () => {
    const live = emptyLive();
    applyEvent(live, added);
    expect(applyEvent(live, ev('PodRemoved', { forwardKey: 'nope' }))).toBe('none');
    expect(applyEvent(live, ev('ServiceRemoved', { serviceKey: 'api.shop.sim' }))).toBe('changed');
    expect(live.forwards.size).toBe(0);
  });
});

describe('keys with a context name holding dots and slashes', () => {
  const context = 'arn:aws:eks:us-east-1:123:cluster/prod.eu';
  const serviceKey = formatServiceKey({ service: 'api', namespace: 'shop', context });
  const forwardKey = formatForwardKey(serviceKey, 'api-1', 8080);

  it('an event without the service name still names the service, not a piece of the context', () => {
    const live = emptyLive();
    const { service: _omitted, ...data } = added.data;
    expect(applyEvent(live, ev('PodAdded', { ...data, forwardKey, serviceKey, context }))).toBe('changed');
    expect(live.forwards.get(forwardKey)).toMatchObject({ serviceName: 'api', serviceKey, context });
    const perPodKey = formatServiceKey({ pod: 'db-0', service: 'db', namespace: 'shop', context });
    const perPodForward = formatForwardKey(perPodKey, 'db-0', 5432);
    applyEvent(live, ev('PodAdded', { ...data, forwardKey: perPodForward, serviceKey: perPodKey, context }));
    expect(live.forwards.get(perPodForward)?.serviceName).toBe('db-0.db');
  });

  it('status, bytes and removal reach the forward by its key', () => {
    const live = emptyLive();
    applyEvent(live, ev('PodAdded', { ...added.data, forwardKey, serviceKey, context }));
    applyEvent(live, ev('PodStatusChanged', { forwardKey, status: 'Active' }));
    applyEvent(
      live,
      ev('BandwidthUpdate', {
        forwards: [{ key: forwardKey, serviceKey, bytesIn: 1, bytesOut: 2, rateIn: 3, rateOut: 4 }],
      }),
    );
    expect(live.forwards.get(forwardKey)).toMatchObject({ status: 'Active', bytesOut: 2, rateOut: 4 });
    expect(live.spark.get(forwardKey)).toEqual([7]);
    expect(applyEvent(live, ev('ServiceRemoved', { serviceKey }))).toBe('changed');
    expect(live.forwards.size).toBe(0);
  });
});
