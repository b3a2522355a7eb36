import { describe, expect, it } from 'vitest';
import { normaliseFlags, rewriteArgs } from './argv.js';
import { parseDuration } from './duration.js';
import { validateFieldSelector, validateLabelSelector } from '../domain/selectors.js';
import { parseListenAddress } from './addresses.js';
import { parseServicePattern } from '../domain/service-patterns.js';
import { BOOL_LONG, BOOL_SHORT, VALUE_SHORT } from './svc-options.js';

const spec = { boolLong: BOOL_LONG, boolShort: BOOL_SHORT, valueShort: VALUE_SHORT };

describe('argument rewriting (kubefwd parity)', () => {
  it('inserts svc for no args, flags and unknown words', () => {
    expect(rewriteArgs([])).toEqual(['svc']);
    expect(rewriteArgs(['-n', 'shop'])).toEqual(['svc', '-n', 'shop']);
    expect(rewriteArgs(['foo'])).toEqual(['svc', 'foo']);
    expect(rewriteArgs(['--help'])).toEqual(['svc', '--help']);
  });
  it('keeps command words', () => {
    for (const w of ['svc', 'svcs', 'services', 'version', 'mcp', 'help', 'completion', 'sim', 'demo', 'tui'])
      expect(rewriteArgs([w, 'x'])[0]).toBe(w);
  });
  it('accepts cobra spellings of booleans and short values', () => {
    expect(
      normaliseFlags(
        ['-a=false', '--auto-reconnect=true', '--tui=false', '-n=shop', '-v=1', '--', '-a=false'],
        spec,
      ),
    ).toEqual([
      '--no-auto-reconnect',
      '--auto-reconnect',
      '--no-tui',
      '-n',
      'shop',
      '--verbose',
      '--',
      '-a=false',
    ]);
  });
  it('refuses a boolean flag given a value that is not a boolean, naming the flag', () => {
    expect(normaliseFlags(['--tui=T', '-a=F'], spec)).toEqual(['--tui', '--no-auto-reconnect']);
    expect(() => normaliseFlags(['--tui=yes'], spec)).toThrow('invalid value "yes" for --tui');
    expect(() => normaliseFlags(['-a=maybe'], spec)).toThrow('invalid value "maybe" for -a');
    expect(() => normaliseFlags(['-v='], spec)).toThrow('invalid value "" for -v');
    // After `--` nothing is a flag.
    expect(normaliseFlags(['--', '--tui=yes'], spec)).toEqual(['--', '--tui=yes']);
  });
});

describe('Go durations', () => {
  it('parses kubefwd defaults and compounds', () => {
    expect(parseDuration('5m', '--resync-interval')).toBe(300_000);
    expect(parseDuration('10s', '--retry-interval')).toBe(10_000);
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('0', 'x')).toBe(0);
  });
  it('rejects anything else naming the flag', () => {
    for (const bad of ['', '10', 'abc', '5 m', '-1s', '1d'])
      expect(() => parseDuration(bad, '--retry-interval')).toThrow(/--retry-interval/);
  });
});

describe('selectors', () => {
  it('accepts the Kubernetes grammar', () => {
    for (const s of [
      'app=web',
      'app==web',
      'app!=web',
      'app in (a, b),tier',
      '!legacy',
      'example.com/team=x',
      'env notin (prod)',
      '',
    ])
      expect(() => validateLabelSelector(s)).not.toThrow();
    for (const s of ['metadata.name=api', 'metadata.namespace!=x,metadata.name==y'])
      expect(() => validateFieldSelector(s)).not.toThrow();
  });
  it('rejects typos naming the flag and the part', () => {
    expect(() => validateLabelSelector('app=web,=x')).toThrow(
      'invalid label selector "app=web,=x" for --selector: cannot parse "=x"',
    );
    expect(() => validateLabelSelector('app in a,b')).toThrow(/--selector/);
    expect(() => validateLabelSelector('a=b=c')).toThrow(/--selector/);
    expect(() => validateFieldSelector('metadata.name')).toThrow(/--field-selector/);
  });
});

describe('addresses and service patterns', () => {
  it('parses loopback listen addresses', () => {
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListenAddress('0.0.0.0:80')).toThrow(/loopback/);
    expect(() => parseListenAddress('127.0.0.1')).toThrow(/--api-listen/);
    expect(() => parseListenAddress('127.0.0.1:70000')).toThrow(/--api-listen/);
  });
  it('validates ns/name and ctx/ns/name', () => {
    expect(parseServicePattern('shop/postgres', '--service')).toEqual({
      namespace: 'shop',
      name: 'postgres',
    });
    expect(parseServicePattern('sim/shop/*', '--exclude')).toEqual({
      context: 'sim',
      namespace: 'shop',
      name: '*',
    });
    for (const bad of ['postgres', 'shop/', 'Shop/pg', 'a/b/c/d'])
      expect(() => parseServicePattern(bad, '--service')).toThrow(/--service/);
  });
});
