// Bad input never crashes the API and never yields a 500: random methods, paths, query values and
// bodies go at it; every answer is < 500 and every error uses the envelope with a code and message.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../src/contract/errors.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness>;
let templates: { method: string; path: string }[] = [];

beforeAll(async () => {
  h = harness();
  const doc = (await h.client.openapi()) as { paths: Record<string, Record<string, unknown>> };
  templates = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })))
    // The streams never end by design; they are tested in sse.test.ts.
    .filter((t) => t.path !== '/api/v1/events' && t.path !== '/api/v1/logs/stream');
});
afterAll(() => h.close());

const QUERY_NAMES = [
  'limit',
  'offset',
  'status',
  'namespace',
  'context',
  'search',
  'count',
  'points',
  'level',
  'type',
  'force',
  'tail_lines',
  'tailLines',
  'since_time',
  'sinceTime',
  'sinceSeconds',
  'previous',
  'timestamps',
  'container',
  'label_selector',
  'labelSelector',
  'service_name',
  'serviceName',
  'resource_kind',
  'resource_name',
  'zzz',
  '__proto__',
  'constructor',
];

const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    '-1',
    '0',
    '1e9',
    '99999999999999999999',
    'NaN',
    'true',
    'null',
    '../..',
    '%00',
    'a.b.c',
    '\u0000',
    '🙂',
    ' ',
  ),
  fc.integer({ min: -1_000_000, max: 10_000_000 }).map(String),
);

const segment = fc.oneof(nasty, fc.constantFrom('api.shop.sim', 'shop', 'api-1', 'shop.sim', 'db'));

const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 50 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        namespace: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
        serviceName: fc.oneof(fc.string({ maxLength: 10 }), fc.boolean()),
        service_name: fc.string({ maxLength: 10 }),
        context: fc.oneof(fc.string({ maxLength: 10 }), fc.constant('sim')),
        selector: fc.string({ maxLength: 10 }),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.constant('{"namespace":'),
  fc.constant('x'.repeat(70_000)),
);

const requestArb = fc.record({
  template: fc.nat(),
  method: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 5 },
    { arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'), weight: 1 },
  ),
  params: fc.array(segment, { minLength: 3, maxLength: 3 }),
  query: fc.dictionary(fc.constantFrom(...QUERY_NAMES), nasty, { maxKeys: 4 }),
  body: bodyArb,
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    '',
    'application/merge-patch+json',
    'multipart/form-data',
  ),
  randomPath: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.array(segment, { maxLength: 5 }), weight: 1 },
  ),
});

describe('bad input (property)', () => {
  it('never answers 500 and always uses the error envelope', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const t = templates[r.template % templates.length]!;
        let i = 0;
        const filled = r.randomPath
          ? `/api/v1/${r.randomPath.map(encodeURIComponent).join('/')}`
          : t.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.params[i++ % 3]!));
        const qs = new URLSearchParams(r.query).toString();
        const method = r.method ?? t.method;
        if (
          !r.randomPath &&
          (filled === '/api/v1/events' || filled === '/api/v1/logs/stream') &&
          method === 'GET'
        )
          return;
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        const res = await h.req(`${filled}${qs ? `?${qs}` : ''}`, {
          method,
          headers,
          ...(r.body !== undefined && method !== 'GET' ? { body: r.body } : {}),
        });
        expect(res.status, `${method} ${filled}?${qs}`).toBeLessThan(500);
        if (res.status >= 400) {
          const body = (await res.json()) as { success: boolean; error: { code: string; message: string } };
          expect(body.success).toBe(false);
          expect(isErrorCode(body.error.code)).toBe(true);
          expect(body.error.message.length).toBeGreaterThan(0);
        } else {
          await res.body?.cancel();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('names the field for the common mistakes', async () => {
    const post = (path: string, body: string, contentType = 'application/json') =>
      h.req(path, { method: 'POST', headers: { 'content-type': contentType }, body }).then(async (r) => ({
        status: r.status,
        error: ((await r.json()) as { error: { code: string; field?: string; message: string } }).error,
      }));
    expect(await post('/api/v1/namespaces', '{"namespace":')).toMatchObject({
      status: 400,
      error: { code: 'INVALID_INPUT', field: 'body' },
    });
    expect(await post('/api/v1/namespaces', '{"namespace":"a","bogus":1}')).toMatchObject({
      status: 400,
      error: { field: 'body.bogus', message: expect.stringContaining('unknown field "bogus"') },
    });
    expect(await post('/api/v1/namespaces', '{"namespace":5}')).toMatchObject({
      status: 400,
      error: { field: 'body.namespace' },
    });
    expect(await post('/api/v1/services', '{"namespace":"shop"}')).toMatchObject({
      status: 400,
      error: { field: 'body.serviceName' },
    });
    expect(await post('/api/v1/services', '[]')).toMatchObject({ status: 400, error: { field: 'body' } });
    expect(
      await post('/api/v1/services', '{"namespace":"shop","serviceName":"x"}', 'text/plain'),
    ).toMatchObject({
      status: 400,
      error: { field: 'body' },
    });
    expect(await post('/api/v1/services', 'x'.repeat(70_000))).toMatchObject({
      status: 400,
      error: { field: 'body' },
    });
  });
});
