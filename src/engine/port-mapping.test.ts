import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';
import { localPortFor, parsePortMappings } from './port-mapping.js';

describe('port mapping', () => {
  it('maps service ports to local ports', () => {
    const m = parsePortMappings(['80:8080', '443:8443']);
    expect(localPortFor(80, m)).toBe(8080);
    expect(localPortFor(5432, m)).toBe(5432);
  });

  it('names the bad entry', () => {
    expect(() => parsePortMappings(['80'])).toThrow(/invalid port mapping "80": missing ":"/);
    expect(() => parsePortMappings(['x:80'])).toThrow(/"x" is not a port number/);
    expect(() => parsePortMappings(['80:70000'])).toThrow(/"70000" is not a port number/);
    expect(() => parsePortMappings(['80:1', '80:2'])).toThrow(/already mapped to 1/);
  });
});

describe('backoff', () => {
  it('doubles from 1 s to a 5 min cap and resets', () => {
    const b = createBackoff();
    const seq = Array.from({ length: 11 }, () => b.next());
    expect(seq).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000]);
    expect(b.attempt).toBe(11);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('applies jitter downwards only', () => {
    const b = createBackoff({ jitter: 0.5, random: () => 1 });
    expect(b.next()).toBe(500);
  });
});
