import { describe, expect, it } from 'vitest';
import type { ConnectionKind } from './connection-strings.js';
import { matchesTerms, queryTerms, searchServices, type SearchableService } from './service-search.js';

const svc = (name: string, namespace: string, kinds: ConnectionKind[]): SearchableService => ({
  serviceName: name,
  key: `${name}.${namespace}.sim`,
  hostnames: [name, `${name}.${namespace}`, `${name}.${namespace}.svc.cluster.local`],
  kinds,
});

const SHOP = [
  svc('api-gateway', 'shop', ['http']),
  svc('postgres', 'shop', ['postgresql']),
  svc('legacy-db', 'shop', ['postgresql']),
  svc('redis', 'shop', ['redis']),
  svc('session-store', 'shop', ['redis']),
  svc('kafka', 'shop', ['kafka']),
  svc('postgres', 'analytics', ['postgresql']),
];
const names = (query: string): string[] => searchServices(SHOP, query).map((s) => s.key);

describe('queryTerms', () => {
  it('keeps the words that name something, lower-cased', () => {
    expect(queryTerms('Postgres in shop')).toEqual(['postgres', 'shop']);
    expect(queryTerms('the redis service of the shop namespace?')).toEqual(['redis', 'shop']);
    expect(queryTerms('shop/postgres')).toEqual(['shop', 'postgres']);
    expect(queryTerms('"kafka", analytics')).toEqual(['kafka', 'analytics']);
    expect(queryTerms('postgres.shop')).toEqual(['postgres.shop']);
    expect(queryTerms('  ')).toEqual([]);
    expect(queryTerms('the service')).toEqual([]);
  });
});

describe('matchesTerms', () => {
  it('needs every term to match the key, a hostname or a port kind', () => {
    const pg = SHOP[1]!;
    expect(matchesTerms(pg, ['postgres', 'shop'])).toBe(true);
    expect(matchesTerms(pg, ['postgres', 'analytics'])).toBe(false);
    expect(matchesTerms(pg, ['database'])).toBe(true);
    expect(matchesTerms(pg, ['cache'])).toBe(false);
    expect(matchesTerms(pg, ['post'])).toBe(true);
    expect(matchesTerms(pg, [])).toBe(true);
  });
});

describe('searchServices', () => {
  it('finds a service from the words of a request', () => {
    expect(names('postgres in shop')).toEqual(['postgres.shop.sim']);
    expect(names('shop postgres')).toEqual(['postgres.shop.sim']);
    expect(names('analytics/postgres')).toEqual(['postgres.analytics.sim']);
    expect(names('postgres.shop')).toEqual(['postgres.shop.sim']);
  });

  it('a kind word finds every server of that kind, those named for it first', () => {
    expect(names('the cache in shop')).toEqual(['redis.shop.sim', 'session-store.shop.sim']);
    expect(names('database in shop')).toEqual(['postgres.shop.sim', 'legacy-db.shop.sim']);
    expect(names('db')).toEqual(['legacy-db.shop.sim', 'postgres.shop.sim', 'postgres.analytics.sim']);
    expect(names('kafka broker')).toEqual(['kafka.shop.sim']);
  });

  it('a word that names a service no longer matches other services by kind', () => {
    expect(names('redis')).toEqual(['redis.shop.sim']);
    expect(names('postgres in shop')).toEqual(['postgres.shop.sim']);
    expect(names('postgres')).toEqual(['postgres.shop.sim', 'postgres.analytics.sim']);
    expect(names('store')).toEqual(['session-store.shop.sim']);
    // ...but still by name or namespace: a service called like the namespace hides nothing.
    const withShop = [
      svc('shop', 'shop', ['http']),
      svc('cart', 'shop', ['http']),
      svc('pay', 'shop', ['https']),
    ];
    expect(searchServices(withShop, 'services in shop').map((s) => s.key)).toEqual([
      'shop.shop.sim',
      'cart.shop.sim',
      'pay.shop.sim',
    ]);
  });

  it('ranks by name, then namespace or hostname, then kind', () => {
    const mixed = [
      svc('orders-db', 'shop', ['postgresql']),
      svc('web', 'db', ['http']),
      svc('db', 'shop', ['mysql']),
    ];
    expect(searchServices(mixed, 'db').map((s) => s.key)).toEqual([
      'db.shop.sim',
      'orders-db.shop.sim',
      'web.db.sim',
    ]);
    expect(searchServices(mixed, 'sql').map((s) => s.key)).toEqual(['orders-db.shop.sim', 'db.shop.sim']);
  });

  it('an empty or filler-only query matches everything in its order; a word that matches nothing, nothing', () => {
    expect(names('')).toHaveLength(SHOP.length);
    expect(names('the services')).toEqual(SHOP.map((s) => s.key));
    expect(names('postgres in staging')).toEqual([]);
  });
});
