import { describe, expect, it } from 'vitest';
import { bypassesProxy, checkProxyUrl, proxyFromEnvironment } from './proxy.js';

describe('NO_PROXY as Go reads it', () => {
  it.each([
    ['api.corp.example', 443, 'corp.example', true], // a domain matches its subdomains
    ['corp.example', 443, 'corp.example', true], // … and itself
    ['corp.example', 443, '.corp.example', false], // a leading dot: subdomains only
    ['api.corp.example', 443, '*.corp.example', true],
    ['xcorp.example', 443, 'corp.example', false], // not a label boundary
    ['api.corp.example', 443, 'corp.example:6443', false], // the port must match
    ['api.corp.example', 6443, 'corp.example:6443', true],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['10.1.2.3', 443, '10.1.2.3', true],
    ['10.1.2.3', 443, '10.1.2.4', false],
    ['fd00::5', 443, 'fd00::/16', true],
    ['[fd00::5]', 443, '[fd00::5]:443', true],
    ['anything.example', 443, ' * ', true],
    ['API.Corp.Example', 443, 'CORP.example', true],
    ['localhost', 443, '', true], // never proxied
    ['127.0.0.9', 443, '', true],
    ['[::1]', 443, '', true],
    ['10.1.2.3', 443, '', false],
    ['kube.test', 443, 'other.test,,example.com', false],
  ])('%s:%i with NO_PROXY=%j → bypass %s', (host, port, noProxy, expected) => {
    expect(bypassesProxy(host, port, noProxy)).toBe(expected);
  });
});

describe('proxyFromEnvironment', () => {
  it('picks the variable by the server scheme, upper case first; a bare host:port is http', () => {
    const env = { HTTPS_PROXY: 'proxy:3128', https_proxy: 'http://lower:1', HTTP_PROXY: 'http://plain:8080' };
    expect(proxyFromEnvironment(env, 'https://api.example:6443')).toEqual({
      url: 'http://proxy:3128',
      source: 'HTTPS_PROXY',
    });
    expect(proxyFromEnvironment({ https_proxy: 'http://lower:1' }, 'https://api.example')).toEqual({
      url: 'http://lower:1',
      source: 'https_proxy',
    });
    expect(proxyFromEnvironment(env, 'http://api.example')).toEqual({
      url: 'http://plain:8080',
      source: 'HTTP_PROXY',
    });
    expect(proxyFromEnvironment({ HTTP_PROXY: 'http://plain:8080' }, 'https://api.example')).toBeUndefined();
    expect(proxyFromEnvironment({ ...env, no_proxy: 'example' }, 'https://api.example')).toBeUndefined();
  });

  it('a SOCKS proxy from the environment is refused naming the variable', () => {
    expect(() => checkProxyUrl('socks5://p:1080', 'ctx', 'HTTPS_PROXY')).toThrow(
      /HTTPS_PROXY "socks5:\/\/p:1080" uses socks5; only http and https proxies are supported/,
    );
  });
});
