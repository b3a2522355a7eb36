// Health (no key), info, the OpenAPI document (JSON at /api/openapi.json; YAML and the docs page
// outside /api, like kubefwd's /openapi.yaml and /docs, which hold no runtime data).
import { z } from 'zod';
import { HealthResponse, InfoResponse } from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { formatUptime } from '../duration.js';

export const metaRoutes = (
  ctx: RouteContext,
  openapi: () => object,
  yaml: () => string,
  docs: () => string,
): RouteDef[] => [
  route({
    method: 'get',
    path: '/api/health',
    tag: 'daemon',
    summary: 'Liveness (no key needed; the bare object, no envelope)',
    auth: false,
    bare: true,
    response: HealthResponse,
    handler: () => ({
      status: 'healthy' as const,
      version: ctx.version,
      uptime: formatUptime(ctx.uptimeMs()),
      timestamp: new Date(ctx.now()).toISOString(),
      ...(ctx.resources ? { resources: ctx.resources() } : {}),
    }),
  }),
  route({
    method: 'get',
    path: '/api/info',
    tag: 'daemon',
    summary: 'Version, platform, uptime and what the command line asked for',
    response: InfoResponse,
    handler: () => ({
      version: ctx.version,
      nodeVersion: process.version,
      platform: `${process.platform}/${process.arch}`,
      startTime: new Date(ctx.startedAt).toISOString(),
      uptime: formatUptime(ctx.uptimeMs()),
      ...(ctx.options?.namespaces?.length ? { namespaces: ctx.options.namespaces } : {}),
      ...(ctx.options?.contexts?.length ? { contexts: ctx.options.contexts } : {}),
      tuiEnabled: ctx.options?.tuiEnabled ?? false,
      apiEnabled: true as const,
    }),
  }),
  route({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'daemon',
    summary: 'This OpenAPI 3.1 document',
    bare: true,
    response: z.record(z.string(), z.unknown()),
    handler: () => openapi(),
  }),
  route({
    method: 'get',
    path: '/openapi.yaml',
    tag: 'daemon',
    summary: 'This OpenAPI 3.1 document as YAML (no key needed)',
    auth: false,
    produces: 'yaml',
    handler: ({ c }) => c.body(yaml(), 200, { 'Content-Type': 'application/yaml; charset=utf-8' }),
  }),
  route({
    method: 'get',
    path: '/docs',
    tag: 'daemon',
    summary: 'API documentation page (works offline; no key needed)',
    auth: false,
    produces: 'html',
    handler: ({ c }) => c.html(docs()),
  }),
  route({
    method: 'get',
    path: '/',
    tag: 'daemon',
    summary: 'Redirects to /docs',
    auth: false,
    produces: 'redirect',
    handler: ({ c }) => c.redirect('/docs', 302),
  }),
];
