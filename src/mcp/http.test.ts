import { describe, expect, it } from 'vitest';
import { bearerMatches, isLoopbackHost, parseHttpAddress } from './http.js';

describe('--http address', () => {
  it.each([
    ['', { host: '127.0.0.1', port: 27227 }],
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['127.0.0.5:0', { host: '127.0.0.5', port: 0 }],
    ['localhost:9000', { host: 'localhost', port: 9000 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['127.0.0.5', { host: '127.0.0.5', port: 27227 }],
  ])('%j', (input, want) => {
    expect(parseHttpAddress(input)).toEqual(want);
  });

  it.each(['a b:1', ':99999', 'host:1:2', '--evil', 'x;y'])('rejects %j naming --http', (input) => {
    expect(() => parseHttpAddress(input)).toThrow(/--http/);
  });

  it('knows loopback', () => {
    expect(isLoopbackHost('127.9.9.9')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});

describe('bearer check', () => {
  it('accepts only the exact key', () => {
    expect(bearerMatches('Bearer k3y', 'k3y')).toBe(true);
    expect(bearerMatches('bearer k3y', 'k3y')).toBe(true);
    expect(bearerMatches('Bearer k3y2', 'k3y')).toBe(false);
    expect(bearerMatches('k3y', 'k3y')).toBe(false);
    expect(bearerMatches(undefined, 'k3y')).toBe(false);
    expect(bearerMatches('Bearer ', 'k3y')).toBe(false);
  });
});
