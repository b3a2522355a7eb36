import { describe, expect, it } from 'vitest';
import { localPortFor, parsePortMappings } from './port-mappings.js';

describe('port mapping', () => {
  it('maps service ports to local ports', () => {
    const m = parsePortMappings(['80:8080', '443:8443']);
    expect(localPortFor(80, m)).toBe(8080);
    expect(localPortFor(5432, m)).toBe(5432);
  });

  it('names the bad entry', () => {
    const hint = (entries: string[]): string => {
      try {
        parsePortMappings(entries);
      } catch (err) {
        return `${(err as Error).message} ${(err as { hint?: string }).hint ?? ''}`;
      }
      return '';
    };
    expect(hint(['80'])).toMatch(/invalid port mapping "80" for --mapping Use .* \(missing ":"\)/);
    expect(hint(['x:80'])).toMatch(/"x" is not a port number/);
    expect(hint(['80:70000'])).toMatch(/"70000" is not a port number/);
    expect(hint(['80:1', '80:2'])).toMatch(/already mapped to 1/);
  });
});
