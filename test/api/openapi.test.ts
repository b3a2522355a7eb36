// The OpenAPI document is structurally valid OpenAPI 3.1, and the document and the app agree:
// every documented operation is served and every served route is documented.
import { afterEach, describe, expect, it } from 'vitest';
import { isDashboardPagePath } from '../../src/api/server/dashboard-routes.js';
import { openApiPath } from '../../src/api/server/define.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness> | undefined;
afterEach(() => h?.close());

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: Record<string, string[]>[];
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const refsIn = (node: unknown, out: string[] = []): string[] => {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
};

describe('OpenAPI document', () => {
  it('is a structurally valid OpenAPI 3.1 document', async () => {
    h = harness();
    const doc = (await h.client.openapi()) as unknown as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'kubefwd API', version: '9.9.9-test' });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const schemas = doc.components.schemas;
    for (const ref of refsIn(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(METHODS).toContain(method);
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [code, res] of Object.entries(op.responses)) {
          expect(code).toMatch(/^[1-5]\d\d$/);
          expect(typeof res.description).toBe('string');
        }
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...pathParams].sort());
        for (const p of op.parameters ?? []) {
          expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
          if (p.in === 'path') expect(p.required).toBe(true);
          expect(p.schema).toBeDefined();
        }
        for (const s of op.security ?? [])
          for (const name of Object.keys(s)) expect(doc.components.securitySchemes[name]).toBeDefined();
      }
    }
    // Both spellings of query names are documented.
    const pods = doc.paths['/api/v1/kubernetes/pods/{namespace}']!.get!;
    const names = pods.parameters!.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['labelSelector', 'label_selector', 'serviceName', 'service_name']),
    );
    // Bodies reject unknown fields in the document too.
    const body = doc.paths['/api/v1/namespaces']!.post!.requestBody!.content['application/json']!.schema as {
      $ref?: string;
    };
    const ns = (body.$ref ? schemas[body.$ref.split('/').pop()!] : body) as {
      additionalProperties?: boolean;
      required?: string[];
    };
    expect(ns.additionalProperties).toBe(false);
    expect(ns.required).toEqual(['namespace']);
  });

  it('every documented operation is served and every served route is documented', async () => {
    h = harness();
    const doc = (await h.client.openapi()) as unknown as Doc;
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = new Set(
      h.app.routes
        .filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*')
        // The dashboard's login step and static files are pages, not API operations.
        .filter((r) => !isDashboardPagePath(r.path.replace(/:file$/, 'x')))
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    expect([...documented].sort()).toEqual([...served].sort());
    // And each answers (not 404) when called with its parameters filled in.
    // Deletions last, so they do not remove what the other calls use.
    for (const op of [...documented].sort(
      (a, b) => Number(a.startsWith('DELETE')) - Number(b.startsWith('DELETE')),
    )) {
      const [method, path] = op.split(' ') as [string, string];
      const url = path
        .replace('{namespace}', 'shop')
        .replace('{podName}', 'api-1')
        .replace('{serviceName}', 'api')
        .replace('{name}', 'api')
        .replace(
          '{key}',
          path.includes('namespaces')
            ? 'shop.sim'
            : path.includes('forwards')
              ? h.seeded!.apiF.key
              : 'api.shop.sim',
        );
      const init: RequestInit = { method };
      if (method === 'POST' && (path === '/api/v1/services' || path === '/api/v1/namespaces')) {
        init.headers = { 'content-type': 'application/json' };
        init.body = JSON.stringify(
          path === '/api/v1/services' ? { namespace: 'shop', serviceName: 'new' } : { namespace: 'default' },
        );
      }
      if (path.endsWith('/stream') || path === '/api/v1/events') continue; // SSE: covered in sse.test.ts
      const r = await h.req(path === '/api/v1/kubernetes/services' ? `${url}?namespace=shop` : url, init);
      expect([op, r.status < 400]).toEqual([op, true]);
    }
  });

  it('covers kubefwd’s route list', async () => {
    h = harness();
    const doc = (await h.client.openapi()) as unknown as Doc;
    const kubefwd = [
      'GET /api/health',
      'GET /api/info',
      'GET /api/v1/services',
      'GET /api/v1/services/{key}',
      'POST /api/v1/services',
      'DELETE /api/v1/services/{key}',
      'POST /api/v1/services/{key}/reconnect',
      'POST /api/v1/services/{key}/sync',
      'POST /api/v1/services/reconnect',
      'GET /api/v1/services/{key}/http',
      'GET /api/v1/services/{key}/history/reconnections',
      'GET /api/v1/forwards',
      'GET /api/v1/forwards/{key}',
      'GET /api/v1/forwards/{key}/http',
      'GET /api/v1/metrics',
      'GET /api/v1/metrics/services',
      'GET /api/v1/metrics/services/{key}',
      'GET /api/v1/metrics/services/{key}/history',
      'GET /api/v1/logs',
      'GET /api/v1/logs/stream',
      'GET /api/v1/logs/system',
      'DELETE /api/v1/logs/system',
      'GET /api/v1/events',
      'GET /api/v1/diagnostics',
      'GET /api/v1/diagnostics/services/{key}',
      'GET /api/v1/diagnostics/forwards/{key}',
      'GET /api/v1/diagnostics/network',
      'GET /api/v1/diagnostics/errors',
      'GET /api/v1/status',
      'GET /api/v1/analyze',
      'GET /api/v1/history/events',
      'GET /api/v1/history/errors',
      'GET /api/v1/history/reconnections',
      'GET /api/v1/history/stats',
      'GET /api/v1/namespaces',
      'GET /api/v1/namespaces/{key}',
      'POST /api/v1/namespaces',
      'DELETE /api/v1/namespaces/{key}',
      'GET /api/v1/kubernetes/namespaces',
      'GET /api/v1/kubernetes/services',
      'GET /api/v1/kubernetes/services/{namespace}/{name}',
      'GET /api/v1/kubernetes/contexts',
      'GET /api/v1/kubernetes/pods/{namespace}',
      'GET /api/v1/kubernetes/pods/{namespace}/{podName}',
      'GET /api/v1/kubernetes/pods/{namespace}/{podName}/logs',
      'GET /api/v1/kubernetes/events/{namespace}',
      'GET /api/v1/kubernetes/endpoints/{namespace}/{serviceName}',
      'GET /',
      'GET /docs',
      'GET /openapi.yaml',
    ];
    for (const op of kubefwd) {
      const [method, path] = op.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()], op).toBeDefined();
    }
  });
});
