import { describe, expect, it } from 'vitest';
import { HELPER_MAX_ENTRIES } from '../contract/helper-protocol.js';
import { checkEntries, checkHostname, checkLoopbackIp, checkPort, parseOwner } from './validate.js';

const refusal = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('not refused');
};

describe('helper validation', () => {
  it('accepts 127.0.0.0/8 in canonical form only', () => {
    expect(checkLoopbackIp('127.1.27.1', 'ip')).toBe('127.1.27.1');
    for (const bad of [
      '10.0.0.1',
      '::1',
      '0.0.0.0',
      '127.1',
      '127.001.0.1',
      ' 127.0.0.1',
      '127.0.0.1\n',
      '128.0.0.1',
      '127.0.0.256',
      '',
      '/etc/passwd',
    ])
      expect(refusal(() => checkLoopbackIp(bad, 'ip'))).toMatchObject({
        code: 'HELPER_REFUSED',
        field: 'ip',
      });
  });

  it('accepts DNS names and refuses whitespace, newlines, # and the rest', () => {
    for (const ok of [
      'api-gateway',
      'api-gateway.shop.svc.cluster.local',
      'kafka-0.kafka',
      '_sip._tcp.example',
      'x.',
    ])
      expect(checkHostname(ok, 'h')).toBe(ok);
    for (const bad of [
      '',
      'a b',
      'a\nb',
      'a#b',
      '#',
      '-a',
      'a-',
      'a..b',
      'a/b',
      'a\tb',
      'é',
      'a'.repeat(64),
      `${'a.'.repeat(127)}a`,
    ])
      expect(refusal(() => checkHostname(bad, 'h'))).toMatchObject({ code: 'HELPER_REFUSED' });
  });

  it('owners are kubefwd block ids only', () => {
    expect(parseOwner('pid-42-1234')).toEqual({ id: 'pid-42-1234', pid: 42, start: '1234' });
    for (const bad of ['kubefwd', 'my-notes', 'pid-', 'pid-1 x', 'pid-1\n# kubefwd end', '../etc'])
      expect(refusal(() => parseOwner(bad))).toMatchObject({ code: 'HELPER_REFUSED', field: 'owner' });
  });

  it('ports are integers 0-65535', () => {
    expect(checkPort(80)).toBe(80);
    for (const bad of [-1, 65536, 1.5, Number.NaN])
      expect(refusal(() => checkPort(bad))).toMatchObject({ code: 'HELPER_REFUSED' });
  });

  it('a block has at most HELPER_MAX_ENTRIES addresses, each once', () => {
    const many = Array.from({ length: HELPER_MAX_ENTRIES + 1 }, (_, i) => ({
      ip: `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      hostnames: [`s${i}`],
    }));
    expect(refusal(() => checkEntries(many))).toMatchObject({ field: 'entries' });
    expect(checkEntries(many.slice(0, 10))).toHaveLength(10);
    expect(
      refusal(() =>
        checkEntries([
          { ip: '127.0.0.2', hostnames: ['a'] },
          { ip: '127.0.0.2', hostnames: ['b'] },
        ]),
      ),
    ).toMatchObject({ field: 'entries[1].ip' });
    expect(refusal(() => checkEntries([{ ip: '127.0.0.2', hostnames: [] }]))).toMatchObject({
      field: 'entries[0].hostnames',
    });
  });
});
