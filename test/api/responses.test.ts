// Every JSON route's response, checked against the schema it declares — the schema the OpenAPI
// document is built from. Walks the app's own route table, so a route added later is checked too,
// and the document cannot drift from what the handlers send.
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { envelope } from '../../src/contract/api.js';
import type { RouteDef } from '../../src/api/server/define.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness> | undefined;
afterEach(() => h?.close());

/** Path parameters that name things the harness's state and fake cluster hold. */
const paramFor = (path: string, name: string): string => {
  switch (name) {
    case 'key':
      if (path.includes('/forwards/')) return 'api.shop.sim.api-1.8080';
      if (path.includes('/namespaces/')) return 'shop.sim';
      return 'api.shop.sim';
    case 'namespace':
      return 'shop';
    case 'name':
    case 'serviceName':
      return 'api';
    case 'podName':
      return 'api-1';
    default:
      throw new Error(`no sample value for :${name} of ${path}`);
  }
};

/** Bodies that the route accepts and that the fake controller can carry out. */
const BODIES: Record<string, unknown> = {
  'post /api/v1/services': { namespace: 'shop', serviceName: 'api', context: 'other' },
  'post /api/v1/namespaces': { namespace: 'default' },
};

/** Query parameters a route requires. */
const QUERIES: Record<string, string> = {
  'get /api/v1/kubernetes/services': '?namespace=shop',
};

const jsonRoutes = (routes: readonly RouteDef[]): RouteDef[] =>
  routes.filter((r) => (r.produces ?? 'json') === 'json');

describe('every REST route answers with its declared response schema', () => {
  it('covers every JSON route, and every one declares a response schema', () => {
    h = harness();
    const routes = jsonRoutes(h.app.routeTable);
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => r.response === undefined).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  const table = (() => {
    const probe = harness();
    const routes = jsonRoutes(probe.app.routeTable).map((r) => [`${r.method} ${r.path}`, r] as const);
    probe.close();
    return routes;
  })();

  it.each(table)('%s', async (name, def) => {
    h = harness();
    const path = def.path.replace(/:([A-Za-z_]+)/g, (_, p: string) =>
      encodeURIComponent(paramFor(def.path, p)),
    );
    const body = def.method === 'get' ? undefined : JSON.stringify(BODIES[name] ?? {});
    const res = await h.req(`${path}${QUERIES[name] ?? ''}`, {
      method: def.method.toUpperCase(),
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    expect(res.status, `${name} → ${res.status} ${text.slice(0, 300)}`).toBe(def.status ?? 200);
    const schema = def.bare ? def.response! : envelope(def.response as z.ZodType);
    const parsed = schema.safeParse(JSON.parse(text));
    expect(parsed.success ? [] : parsed.error.issues, `${name}: ${text.slice(0, 300)}`).toEqual([]);
  });
});
