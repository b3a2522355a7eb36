import { describe, expect, it } from 'vitest';
import type { ForwardView, NamespaceView } from '../../contract/state.js';
import { serviceView, summaryOf } from '../../state/views.js';
import { analyze, healthOf, quickStatus, type AnalysisInput } from './analysis.js';

type Snapshot = AnalysisInput['snapshot'];

const NOW = Date.parse('2026-12-07T10:00:00Z');

/** A forward of service `svc` (one forward per service unless given a port). */
const fwd = (svc: string, status: ForwardView['status'], over: Partial<ForwardView> = {}): ForwardView => ({
  key: `${svc}.shop.sim.${svc}-0.${over.localPort ?? '80'}`,
  serviceKey: `${svc}.shop.sim`,
  registryKey: `${svc}.shop.sim`,
  serviceName: svc,
  namespace: 'shop',
  context: 'sim',
  headless: false,
  podName: `${svc}-0`,
  localIP: '127.1.27.1',
  localPort: '80',
  podPort: '80',
  hostnames: [svc],
  status,
  startedAt: new Date(NOW - 600_000).toISOString(),
  reconnects: 0,
  connections: 0,
  activeConnections: 0,
  bytesIn: 0,
  bytesOut: 0,
  rateIn: 0,
  rateOut: 0,
  avgRateIn: 0,
  avgRateOut: 0,
  ...over,
});

const active = (svc: string) => fwd(svc, 'Active');
const inError = (svc: string) =>
  fwd(svc, 'Error', { error: 'dial tcp: connection refused', errorCode: 'CONNECTION_REFUSED' });
const waiting = (svc: string) =>
  fwd(svc, 'Waiting', { podName: '', reason: 'no ready pod', errorCode: 'NO_PODS' });
/** Active, but the pod refuses the connections made through it (the forward itself is fine). */
const refusing = (svc: string) =>
  fwd(svc, 'Active', {
    failedConnections: 3,
    lastConnectionError: 'connection refused by the pod',
    lastConnectionErrorAt: new Date(NOW - 5_000).toISOString(),
  });

/** A snapshot as the store builds it (services and summary from the forwards). */
const snapshot = (forwards: ForwardView[], namespaces: Partial<NamespaceView>[] = []): Snapshot => {
  const keys = [...new Set(forwards.map((f) => f.serviceKey))];
  const services = keys.map((k) =>
    serviceView(
      k,
      undefined,
      forwards.filter((f) => f.serviceKey === k),
    ),
  );
  return {
    version: 1,
    at: NOW,
    services,
    forwards,
    namespaces: namespaces as NamespaceView[],
    summary: summaryOf(services, forwards),
    skipped: [],
    shuttingDown: false,
  };
};

const input = (s: Snapshot): AnalysisInput =>
  ({ snapshot: s, history: undefined, now: NOW, uptimeMs: 1000, version: 't' }) as unknown as AnalysisInput;

describe('healthOf', () => {
  it('is healthy only when nothing is errored or waiting', () => {
    expect(healthOf(snapshot([active('a'), active('b')]), NOW)).toBe('healthy');
    expect(healthOf(snapshot([]), NOW)).toBe('healthy');
  });
  it('is degraded while a service waits for a pod (e.g. its pod was deleted), even with no error yet', () => {
    expect(healthOf(snapshot([active('a'), waiting('b')]), NOW)).toBe('degraded');
  });
  it('is degraded while a namespace cannot be followed, its forwards fine or not', () => {
    expect(
      healthOf(
        snapshot([active('a')], [{ namespace: 'shop', watchError: 'watch of services failed: x' }]),
        NOW,
      ),
    ).toBe('degraded');
  });
  it('is unhealthy when errored services outnumber active ones', () => {
    expect(healthOf(snapshot([inError('a'), inError('b'), active('c')]), NOW)).toBe('unhealthy');
    expect(healthOf(snapshot([inError('a'), active('c')]), NOW)).toBe('degraded');
  });
});

describe('quickStatus', () => {
  it('is ok only when every service is active, and says which wait for a pod otherwise (as healthOf)', () => {
    expect(quickStatus(input(snapshot([active('a'), active('b')])))).toMatchObject({
      status: 'ok',
      message: 'All 2 services healthy, 2 active forwards',
    });
    expect(quickStatus(input(snapshot([active('a'), waiting('b')])))).toMatchObject({
      status: 'issues',
      message:
        '1 of 2 services have issues: 1 waiting for a pod or a retry (b.shop.sim); the analysis says why',
      errorCount: 0,
      waitingCount: 1,
    });
  });

  it('says which namespace is not followed, whatever its forwards say', () => {
    const ns = [
      { namespace: 'analytics', context: 'ctx', watchError: 'watch of services failed: unable to parse' },
    ];
    expect(quickStatus(input(snapshot([active('a')], ns)))).toMatchObject({
      status: 'issues',
      message:
        'namespace analytics (watch of services failed: unable to parse) not followed: the analysis says why',
    });
  });
});

describe('quick status, health and analyze agree on what an issue is', () => {
  /** The three views of one snapshot. */
  const views = (s: Snapshot) => {
    const i = input(s);
    return { quick: quickStatus(i), health: healthOf(s, NOW), analysis: analyze(i) };
  };

  it('an Active forward whose connections fail counts as an error everywhere, and the message counts services as the counts do', () => {
    // The trial: redis Active with connections refused, legacy-db Waiting, 7 services fine.
    const fine = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(active);
    const { quick, health, analysis } = views(snapshot([...fine, refusing('redis'), waiting('legacy-db')]));
    expect(analysis.issues).toHaveLength(2);
    expect(quick).toMatchObject({
      status: 'issues',
      errorCount: 1,
      waitingCount: 1,
      message:
        '2 of 9 services have issues: connections to 1 fail (redis.shop.sim); 1 waiting for a pod or a retry (legacy-db.shop.sim); the analysis says why',
    });
    expect(quick.errorCount + quick.waitingCount).toBe(analysis.issues.length);
    expect(health).toBe('degraded');
    expect(analysis.status).toBe(health);
    expect(analysis.stats).toMatchObject({ erroredServices: 1, waitingServices: 1 });
  });

  it('a forward in error and another waiting are two services with issues (was "1 of 9")', () => {
    const fine = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(active);
    const denied = fwd('api', 'Error', {
      error: 'pods "api-0" is forbidden: cannot create pods/portforward',
      errorCode: 'PERMISSION_DENIED',
    });
    const { quick, analysis } = views(snapshot([...fine, denied, waiting('legacy-db')]));
    expect(quick).toMatchObject({ status: 'issues', errorCount: 1, waitingCount: 1 });
    expect(quick.message).toMatch(/^2 of 9 services have issues: 1 in error \(api\.shop\.sim\); 1 waiting/);
    expect(analysis.status).toBe('degraded');
  });

  it('a service is counted once, by its worst issue, whatever its forwards', () => {
    const s = snapshot([
      inError('a'),
      fwd('a', 'Waiting', { localPort: '81', reason: 'no ready pod', errorCode: 'NO_PODS' }),
      active('b'),
      active('c'),
    ]);
    expect(quickStatus(input(s))).toMatchObject({
      errorCount: 1,
      waitingCount: 1,
      message: '1 of 3 services have issues: 1 in error (a.shop.sim); the analysis says why',
    });
  });

  it('a forward re-dialling after a failure (Connecting with its last error) is an error, not "none active yet"', () => {
    // The API server stopped: every forward's session was lost and its re-dial hangs.
    const redialling = ['a', 'b', 'c'].map((svc) =>
      fwd(svc, 'Connecting', {
        error: 'no answer from the API server within 10s',
        errorCode: 'TIMEOUT',
        reason: `lost connection to pod ${svc}-0: no answer from the API server within 10s; trying again now (attempt 1)`,
      }),
    );
    const { quick, health, analysis } = views(snapshot([...redialling, waiting('d')]));
    expect(analysis.issues.filter((x) => x.errorType === 'timeout')).toHaveLength(3);
    expect(quick).toMatchObject({ status: 'error', errorCount: 3, waitingCount: 1 });
    expect(quick.message).toMatch(
      /^4 of 4 services have issues: 3 in error \(a\.shop\.sim, b\.shop\.sim, c\.shop\.sim\)/,
    );
    expect(health).toBe('unhealthy');
    expect(analysis.status).toBe('unhealthy');
    // Still starting, no failure yet: not an issue.
    expect(
      quickStatus(input(snapshot([fwd('a', 'Connecting', { reason: 'connecting to pod a-0' })]))),
    ).toMatchObject({
      status: 'issues',
      errorCount: 0,
      message: '1 services forwarded, none active yet',
    });
  });
});

describe('analyze: services with no ready pod', () => {
  it('counts the services waiting for a pod, not those waiting for a busy API server or a re-dial', () => {
    // The trial: one service waited for the API server (429) while its pod was ready, and was
    // counted among the "3 service(s) have no ready pod".
    const busy = fwd('cart', 'Waiting', {
      error: 'the API server is busy (429); retrying in 5s',
      errorCode: 'API_BUSY',
    });
    const redial = fwd('orders', 'Waiting', {
      error: 'port-forward connection closed',
      errorCode: 'STREAM_ERROR',
      reason: 'lost connection to pod orders-0: port-forward connection closed',
    });
    const stale = fwd('legacy', 'Waiting', {
      podName: '',
      reason: 'Endpoints name no pod',
      errorCode: 'ENDPOINTS_STALE',
    });
    const uncoded = fwd('web', 'Waiting', { podName: '', reason: 'no ready pod' });
    const analysis = analyze(input(snapshot([busy, redial, waiting('db'), stale, uncoded, active('a')])));
    const noPod = analysis.recommendations.filter((r) => r.message.includes('no ready pod'));
    expect(noPod.map((r) => r.message)).toEqual([
      '3 service(s) have no ready pod. Check their workloads (pods, events); kubefwd retries on its own.',
    ]);
    expect(analysis.suggestedActions.filter((a) => a.action === 'check_pods').map((a) => a.target)).toEqual([
      'shop/db',
      'shop/legacy',
      'shop/web',
    ]);
    // Only waits for the API server: no "no ready pod" at all.
    const onlyBusy = analyze(input(snapshot([busy, active('a')])));
    expect(onlyBusy.recommendations.some((r) => r.message.includes('no ready pod'))).toBe(false);
    expect(onlyBusy.suggestedActions.some((a) => a.action === 'check_pods')).toBe(false);
  });
});
