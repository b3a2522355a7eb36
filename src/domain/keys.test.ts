import { describe, expect, it } from 'vitest';
import {
  formatForwardKey,
  formatNamespaceKey,
  formatServiceKey,
  isServiceKey,
  parseForwardKey,
  parseNamespaceKey,
  parseServiceKey,
  serviceNameOf,
} from './keys.js';

describe('keys survive dots in context names', () => {
  it('service keys', () => {
    const key = formatServiceKey({ service: 'api', namespace: 'shop', context: 'prod.eu.example.com' });
    expect(key).toBe('api.shop.prod.eu.example.com');
    expect(parseServiceKey(key)).toEqual({
      service: 'api',
      namespace: 'shop',
      context: 'prod.eu.example.com',
    });
    const pod = formatServiceKey({ pod: 'db-0', service: 'db', namespace: 'shop', context: 'a.b' });
    expect(pod).toBe('db-0.db.shop.a.b');
    expect(parseServiceKey(pod, true)).toEqual({
      pod: 'db-0',
      service: 'db',
      namespace: 'shop',
      context: 'a.b',
    });
    for (const bad of ['api', 'api.shop', 'api.shop.', '.shop.ctx', 'api..ctx']) {
      expect(parseServiceKey(bad)).toBeUndefined();
      expect(isServiceKey(bad)).toBe(false);
    }
  });

  it('forward keys', () => {
    const svc = formatServiceKey({ service: 'api', namespace: 'shop', context: 'k.8.s' });
    const key = formatForwardKey(svc, 'api-1', 8080);
    expect(key).toBe('api.shop.k.8.s.api-1.8080');
    expect(parseForwardKey(key)).toEqual({
      service: 'api',
      namespace: 'shop',
      context: 'k.8.s',
      forwardPod: 'api-1',
      localPort: 8080,
    });
    expect(parseForwardKey('api.shop.ctx.-.x')).toBeUndefined();
    expect(parseForwardKey('api.8080')).toBeUndefined();
  });

  it('namespace keys', () => {
    expect(parseNamespaceKey(formatNamespaceKey('shop', 'a.b.c'))).toEqual({
      namespace: 'shop',
      context: 'a.b.c',
    });
    expect(parseNamespaceKey('shop', 'current')).toEqual({ namespace: 'shop', context: 'current' });
    expect(parseNamespaceKey('.ctx')).toBeUndefined();
  });

  it('the service name of a key whose namespace and context are known', () => {
    const context = 'arn:aws:eks:us-east-1:123:cluster/prod.eu';
    const key = formatServiceKey({ service: 'api', namespace: 'shop', context });
    expect(serviceNameOf(key, 'shop', context)).toBe('api');
    const perPod = formatServiceKey({ pod: 'db-0', service: 'db', namespace: 'shop', context });
    expect(serviceNameOf(perPod, 'shop', context)).toBe('db-0.db');
    expect(serviceNameOf(key, 'other', context)).toBeUndefined();
    expect(serviceNameOf(`.shop.${context}`, 'shop', context)).toBeUndefined();
  });
});
