import { describe, expect, it } from 'vitest';
import { resolveServiceKey } from './service-key.js';

describe('short service keys', () => {
  const keys = ['postgres.shop.prod', 'postgres.billing.prod', 'redis.shop.prod', 'redis-cache.shop.prod'];
  it('resolves name and name.namespace when they name one service; the full key as is', () => {
    expect(resolveServiceKey('redis', keys)).toEqual({ kind: 'found', key: 'redis.shop.prod' });
    expect(resolveServiceKey('postgres.shop', keys)).toEqual({ kind: 'found', key: 'postgres.shop.prod' });
    expect(resolveServiceKey('postgres.shop.prod', keys)).toEqual({
      kind: 'found',
      key: 'postgres.shop.prod',
    });
  });
  it('lists the candidates of an ambiguous short key; nothing for an unknown one', () => {
    expect(resolveServiceKey('postgres', keys)).toEqual({
      kind: 'ambiguous',
      candidates: ['postgres.billing.prod', 'postgres.shop.prod'],
    });
    expect(resolveServiceKey('postgre', keys)).toEqual({ kind: 'missing' });
  });
});
