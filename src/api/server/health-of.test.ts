import { describe, expect, it } from 'vitest';
import type { NamespaceView, ServiceView } from '../../contract/state.js';
import { healthOf, quickStatus, type AnalysisInput } from './analysis.js';

type Snapshot = Parameters<typeof healthOf>[0];

const svc = (status: ServiceView['status'], errorCount = 0): ServiceView => ({
  key: `s-${status}-${errorCount}.ns.ctx`,
  serviceName: 's',
  namespace: 'ns',
  context: 'ctx',
  headless: false,
  status,
  activeCount: status === 'active' ? 1 : 0,
  errorCount,
  totalBytesIn: 0,
  totalBytesOut: 0,
  rateIn: 0,
  rateOut: 0,
});

const snapshot = (services: ServiceView[], namespaces: Partial<NamespaceView>[] = []): Snapshot =>
  ({
    services,
    namespaces,
    summary: { activeServices: services.filter((s) => s.activeCount > 0).length },
  }) as unknown as Snapshot;

describe('healthOf', () => {
  it('is healthy only when nothing is errored or waiting', () => {
    expect(healthOf(snapshot([svc('active'), svc('active')]))).toBe('healthy');
    expect(healthOf(snapshot([]))).toBe('healthy');
  });
  it('is degraded while a service waits for a pod (e.g. its pod was deleted), even with no error yet', () => {
    expect(healthOf(snapshot([svc('active'), svc('waiting')]))).toBe('degraded');
  });
  it('is degraded while a namespace cannot be followed, its forwards fine or not', () => {
    expect(
      healthOf(snapshot([svc('active')], [{ namespace: 'ns', watchError: 'watch of services failed: x' }])),
    ).toBe('degraded');
  });
  it('is unhealthy when errored services outnumber active ones', () => {
    expect(healthOf(snapshot([svc('error', 1), svc('error', 1), svc('active')]))).toBe('unhealthy');
    expect(healthOf(snapshot([svc('error', 1), svc('active')]))).toBe('degraded');
  });
});

describe('quickStatus', () => {
  const input = (services: ServiceView[], namespaces: Partial<NamespaceView>[] = []): AnalysisInput =>
    ({
      snapshot: {
        services,
        namespaces,
        forwards: [],
        summary: {
          activeServices: services.filter((s) => s.activeCount > 0).length,
          totalServices: services.length,
          activeForwards: services.filter((s) => s.activeCount > 0).length,
          errorCount: services.reduce((n, s) => n + s.errorCount, 0),
        },
      },
      uptimeMs: 1000,
    }) as unknown as AnalysisInput;
  it('is ok only when every service is active, and says which wait for a pod otherwise (as healthOf)', () => {
    expect(quickStatus(input([svc('active'), svc('active', 0)]))).toMatchObject({ status: 'ok' });
    const waiting = svc('waiting');
    expect(quickStatus(input([svc('active'), waiting]))).toMatchObject({
      status: 'issues',
      message: `1 of 2 services active; 1 waiting for a pod (${waiting.key})`,
    });
  });

  it('says which namespace is not followed, whatever its forwards say', () => {
    const ns = [
      { namespace: 'analytics', context: 'ctx', watchError: 'watch of services failed: unable to parse' },
    ];
    expect(quickStatus(input([svc('active')], ns))).toMatchObject({
      status: 'issues',
      message:
        'namespace analytics (watch of services failed: unable to parse) not followed: the analysis says why',
    });
  });
});
