import { describe, expect, it } from 'vitest';
import { buildReservationConfig, parseFwdConf, parseReserveFlag } from './reservations.js';

describe('reservations', () => {
  it('parses -r name:ip at the first colon', () => {
    expect(parseReserveFlag('db.shop:127.1.28.1')).toEqual({ name: 'db.shop', ip: '127.1.28.1' });
    expect(() => parseReserveFlag('db')).toThrow(/invalid reservation "db"/);
    expect(() => parseReserveFlag('db:abc')).toThrow(/"abc" is not an IPv4 address/);
    expect(() => parseReserveFlag('db:10.0.0.1')).toThrow(/10\.0\.0\.1 is not in the range 127/);
  });

  it('reads kubefwd’s real -z format', () => {
    const conf = parseFwdConf(
      'baseUnreservedIP: 127.1.27.1\nserviceConfigurations:\n  - name: myservice\n    ip: 127.1.28.1\n  - name: your-svc.your-namespace\n    ip: 127.1.28.2\n',
    );
    expect(conf).toEqual({
      baseUnreservedIP: '127.1.27.1',
      serviceConfigurations: [
        { name: 'myservice', ip: '127.1.28.1' },
        { name: 'your-svc.your-namespace', ip: '127.1.28.2' },
      ],
    });
    expect(parseFwdConf('')).toEqual({ serviceConfigurations: [] });
  });

  it('names the file and entry of a malformed -z file', () => {
    expect(() => parseFwdConf('a: [', 'fwd.yml')).toThrow(
      /^invalid reservation file fwd\.yml: not valid YAML: [^:]+ \(line 1, column 5\)$/,
    );
    expect(() => parseFwdConf('serviceConfigurations:\n  - name: x\n    ip: nope\n', 'fwd.yml')).toThrow(
      /fwd\.yml: "nope" is not an IPv4 address \(the ip of x\)/,
    );
    expect(() => parseFwdConf('serviceConfigurations: 3', 'f')).toThrow(/must be a list/);
    expect(() => parseFwdConf('- a', 'f')).toThrow(/expected a mapping/);
    // A misspelt key is named, with the one meant; not ignored for the defaults.
    expect(() => parseFwdConf('baseUnreservedIp: 127.1.40.1\n', 'f')).toThrow(
      /unknown key "baseUnreservedIp" \(did you mean "baseUnreservedIP"\?\)/,
    );
    expect(() => parseFwdConf('serviceConfigurations:\n  - name: x\n    ip: 127.1.61.999\n', 'f')).toThrow(
      /"127\.1\.61\.999" is not an IPv4 address/,
    );
  });

  it('merges flags over the file by name and picks the base', () => {
    const conf = buildReservationConfig({
      fileText: 'baseUnreservedIP: 127.9.27.1\nserviceConfigurations:\n  - name: a\n    ip: 127.1.28.1\n',
      flags: ['a:127.1.28.9', 'b:127.1.28.2'],
    });
    expect(conf).toEqual({
      baseIP: '127.9.27.1',
      reservations: [
        { name: 'a', ip: '127.1.28.9' },
        { name: 'b', ip: '127.1.28.2' },
      ],
    });
    expect(buildReservationConfig({ ipBase: '127.50.27.1' }).baseIP).toBe('127.50.27.1');
    expect(buildReservationConfig().baseIP).toBe('127.1.27.1');
  });

  it('rejects non-loopback and duplicate reserved addresses', () => {
    expect(() => buildReservationConfig({ flags: [{ name: 'a', ip: '10.0.0.1' }] })).toThrow(
      /10\.0\.0\.1 is not in the range 127\.0\.0\.0\/8 \(the IP for a\)/,
    );
    expect(() => buildReservationConfig({ flags: ['a:127.1.1.1', 'b:127.1.1.1'] })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('multiple services (a, b)') as unknown,
      }) as Error,
    );
    expect(() => buildReservationConfig({ fileText: 'baseUnreservedIP: 192.168.0.1' })).toThrow(
      /baseUnreservedIP "192\.168\.0\.1" is not an address in 127/,
    );
    expect(() => buildReservationConfig({ ipBase: '10.0.0.1' })).toThrow(/base IP 10\.0\.0\.1/);
  });
});
