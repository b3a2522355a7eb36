import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackIPv4 } from './ipv4.js';

describe('loopback', () => {
  it('hosts the machine answers on itself', () => {
    for (const h of ['localhost', '::1', '[::1]', '127.0.0.1', '127.2.27.1'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '127.0.0.01', ' 127.0.0.1', 'example.com', '::'])
      expect(isLoopbackHost(h)).toBe(false);
    expect(isLoopbackIPv4('127.255.255.255')).toBe(true);
  });
});
