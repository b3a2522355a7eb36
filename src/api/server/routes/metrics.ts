// Traffic metrics: totals, per service (with per-forward figures), and per-service history.
import { z } from 'zod';
import {
  MetricsHistoryResponse,
  MetricsSummaryResponse,
  PointsQuery,
  ServiceMetricsResponse,
  type MetricsSample,
  type ServiceMetricsResponse as ServiceMetrics,
} from '../../../contract/api.js';
import type { ServiceView } from '../../../contract/state.js';
import type { TrafficSample } from '../../../engine/traffic/recorder.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { formatUptime } from '../duration.js';
import { KeyParam, requireService } from './services.js';

const sampleView = (s: TrafficSample): MetricsSample => ({
  timestamp: new Date(s.at).toISOString(),
  bytesIn: s.bytesIn,
  bytesOut: s.bytesOut,
  rateIn: s.rateIn,
  rateOut: s.rateOut,
});

const serviceMetrics = (ctx: RouteContext, svc: ServiceView, withHistory: boolean): ServiceMetrics => ({
  key: svc.key,
  serviceName: svc.serviceName,
  namespace: svc.namespace,
  context: svc.context,
  totalBytesIn: svc.totalBytesIn,
  totalBytesOut: svc.totalBytesOut,
  rateIn: svc.rateIn,
  rateOut: svc.rateOut,
  portForwards: (svc.forwards ?? []).map((f) => {
    const t = ctx.traffic?.forward(f.key);
    return {
      key: f.key,
      podName: f.podName,
      localIP: f.localIP,
      localPort: f.localPort,
      podPort: f.podPort,
      bytesIn: f.bytesIn,
      bytesOut: f.bytesOut,
      rateIn: f.rateIn,
      rateOut: f.rateOut,
      avgRateIn: f.avgRateIn,
      avgRateOut: f.avgRateOut,
      connections: f.connections,
      activeConnections: f.activeConnections,
      connectedAt: t ? new Date(t.connectedAt).toISOString() : f.startedAt,
      ...(f.lastActive ? { lastActivityAt: f.lastActive } : {}),
    };
  }),
  ...(withHistory ? { history: (ctx.traffic?.serviceHistory(svc.key) ?? []).map(sampleView) } : {}),
});

export const metricsRoutes = (ctx: RouteContext): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/v1/metrics',
    tag: 'metrics',
    summary: 'Traffic totals and counts',
    response: MetricsSummaryResponse,
    handler: () => {
      const snap = ctx.state.getSnapshot();
      const totals = ctx.traffic?.totals();
      return {
        totalServices: snap.summary.totalServices,
        activeServices: snap.summary.activeServices,
        totalForwards: snap.summary.totalForwards,
        activeForwards: snap.summary.activeForwards,
        errorCount: snap.summary.errorCount,
        totalBytesIn: snap.summary.totalBytesIn,
        totalBytesOut: snap.summary.totalBytesOut,
        totalRateIn: snap.summary.rateIn,
        totalRateOut: snap.summary.rateOut,
        totalConnections: totals?.connections ?? 0,
        activeConnections: totals?.activeConnections ?? 0,
        uptime: formatUptime(ctx.uptimeMs()),
        lastUpdated: new Date(snap.at).toISOString(),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/metrics/services',
    tag: 'metrics',
    summary: 'Traffic per service (without history)',
    response: z.array(ServiceMetricsResponse),
    handler: () => ctx.state.getSnapshot().services.map((s) => serviceMetrics(ctx, s, false)),
  }),
  route({
    method: 'get',
    path: '/api/v1/metrics/services/:key',
    tag: 'metrics',
    summary: 'Traffic of one service, with its per-second history',
    params: KeyParam,
    response: ServiceMetricsResponse,
    errors: [404],
    handler: ({ params }) => serviceMetrics(ctx, requireService(ctx, params.key), true),
  }),
  route({
    method: 'get',
    path: '/api/v1/metrics/services/:key/history',
    tag: 'metrics',
    summary: 'Per-second samples of a service (cumulative bytes and rates; all its forwards summed)',
    params: KeyParam,
    query: PointsQuery,
    response: MetricsHistoryResponse,
    errors: [404],
    handler: ({ params, query }) => {
      const svc = requireService(ctx, params.key);
      return {
        key: svc.key,
        history: (ctx.traffic?.serviceHistory(svc.key, query.points ?? 60) ?? []).map(sampleView),
      };
    },
  }),
];
