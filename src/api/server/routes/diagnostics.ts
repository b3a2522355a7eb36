// Diagnostics and analysis: quick status, full analysis, per-service/forward diagnosis, errors, network.
import { z } from 'zod';
import {
  AnalysisResponse,
  CountQuery,
  DiagnosticSummary,
  ErrorDetail,
  ForwardDiagnostic,
  NetworkStatus,
  QuickStatus,
  ServiceDiagnostic,
} from '../../../contract/api.js';
import {
  analyze,
  diagnosticSummary,
  errorDetails,
  forwardDiagnostic,
  networkStatus,
  quickStatus,
  serviceDiagnostic,
  type AnalysisInput,
} from '../analysis.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { requireForward } from './forwards.js';
import { KeyParam, requireService } from './services.js';

export const diagnosticRoutes = (ctx: RouteContext): RouteDef[] => {
  const input = (): AnalysisInput => ({
    snapshot: ctx.state.getSnapshot(),
    history: ctx.state.history,
    now: ctx.now(),
    uptimeMs: ctx.uptimeMs(),
    version: ctx.version,
  });
  const summaryInput = (): AnalysisInput => ({ ...input(), process: ctx.processStats?.() });
  return [
    route({
      method: 'get',
      path: '/api/v1/status',
      tag: 'diagnostics',
      summary: 'Quick status: ok, issues or error, with a one-line message',
      response: QuickStatus,
      handler: () => quickStatus(input()),
    }),
    route({
      method: 'get',
      path: '/api/v1/analyze',
      tag: 'diagnostics',
      summary:
        'Full analysis: classified issues, recommendations and the actions to take (best starting point)',
      response: AnalysisResponse,
      handler: () => analyze(input()),
    }),
    route({
      method: 'get',
      path: '/api/v1/diagnostics',
      tag: 'diagnostics',
      summary: 'Diagnostic summary: health, service counts by status, network, current errors',
      response: DiagnosticSummary,
      handler: () => diagnosticSummary(summaryInput()),
    }),
    route({
      method: 'get',
      path: '/api/v1/diagnostics/network',
      tag: 'diagnostics',
      summary: 'Local addresses, ports and hostnames in use',
      response: NetworkStatus,
      handler: () => networkStatus(ctx.state.getSnapshot()),
    }),
    route({
      method: 'get',
      path: '/api/v1/diagnostics/errors',
      tag: 'diagnostics',
      summary: 'Current forward errors, classified',
      query: CountQuery(500),
      response: z.array(ErrorDetail),
      handler: ({ query }) => errorDetails(ctx.state.getSnapshot(), ctx.now()).slice(0, query.count ?? 50),
    }),
    route({
      method: 'get',
      path: '/api/v1/diagnostics/services/:key',
      tag: 'diagnostics',
      summary: 'Diagnosis of one service: forwards, reconnect and sync state, error history',
      params: KeyParam,
      response: ServiceDiagnostic,
      errors: [404],
      handler: ({ params }) => serviceDiagnostic(requireService(ctx, params.key), input()),
    }),
    route({
      method: 'get',
      path: '/api/v1/diagnostics/forwards/:key',
      tag: 'diagnostics',
      summary: 'Diagnosis of one forward',
      params: KeyParam,
      response: ForwardDiagnostic,
      errors: [404],
      handler: ({ params }) => forwardDiagnostic(requireForward(ctx, params.key), ctx.now()),
    }),
  ];
};
