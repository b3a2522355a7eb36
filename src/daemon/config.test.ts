import { describe, expect, it } from 'vitest';
import { announcedApiUrl } from './config.js';

describe('announcedApiUrl', () => {
  it('names kubefwd.internal on the well-known address with the system hosts file', () => {
    expect(
      announcedApiUrl({ wellKnown: true, hostsPathExplicit: false, listenUrl: 'http://127.2.27.1' }),
    ).toBe('http://kubefwd.internal');
  });
  it('gives the address with --hosts-path, where the name resolves nowhere', () => {
    expect(
      announcedApiUrl({ wellKnown: true, hostsPathExplicit: true, listenUrl: 'http://127.2.27.1' }),
    ).toBe('http://127.2.27.1');
  });
  it('gives the listen address when the API is not on the well-known one', () => {
    expect(
      announcedApiUrl({ wellKnown: false, hostsPathExplicit: false, listenUrl: 'http://127.0.0.1:43121' }),
    ).toBe('http://127.0.0.1:43121');
  });
});
