// Health (no key), info, the OpenAPI document (JSON at /api/openapi.json; YAML and the docs page
// outside /api, like kubefwd's /openapi.yaml and /docs, which hold no runtime data), and the index
// at /api and /api/v1 (the start-up log advertises /api; a 404 there was the first thing seen).
import { z } from 'zod';
import { HealthResponse, InfoResponse } from '../../../contract/api.js';
import { route, type RouteDef } from '../define.js';
import type { RouteContext } from '../deps.js';
import { formatUptime } from '../duration.js';

const ApiIndex = z.object({
  name: z.literal('kubefwd'),
  version: z.string(),
  docs: z.string(),
  openapi: z.string(),
  openapiYaml: z.string(),
  health: z.string(),
  auth: z.string(),
  routes: z.array(z.object({ method: z.string(), path: z.string(), summary: z.string(), key: z.boolean() })),
});

interface OpenApiDoc {
  paths?: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
}

/** Every route of the OpenAPI document: method, path, summary, and whether it needs the key. */
export const routesOf = (doc: object): z.infer<typeof ApiIndex>['routes'] =>
  Object.entries((doc as OpenApiDoc).paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      summary: op.summary ?? '',
      key: !Array.isArray(op.security) || op.security.length > 0,
    })),
  );

// Long as a table: one entry per meta route (info, OpenAPI, docs, index).
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
      ...(ctx.options?.hostsFile ? { hostsFile: ctx.options.hostsFile } : {}),
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
  ...['/api', '/api/v1'].map((path) =>
    route({
      method: 'get',
      path,
      tag: 'daemon',
      summary: 'Index: version, where the docs are, and every route (no key needed; the bare object)',
      auth: false,
      bare: true,
      response: ApiIndex,
      handler: () => ({
        name: 'kubefwd' as const,
        version: ctx.version,
        docs: '/docs',
        openapi: '/api/openapi.json',
        openapiYaml: '/openapi.yaml',
        health: '/api/health',
        auth: 'Routes with key: true need the header Authorization: Bearer <key> (the key is in ~/.kubefwd/api.json, or KUBEFWD_API_KEY)',
        routes: routesOf(openapi()),
      }),
    }),
  ),
];
