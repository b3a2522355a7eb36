import { describe, expect, it } from 'vitest';
import { SelectorError, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('label selector grammar', () => {
  it('parses equality, inequality, set-based, existence and comparisons', () => {
    expect(parseLabelSelector('a=b, c==d,e!=f')).toEqual([
      { op: 'in', key: 'a', values: ['b'] },
      { op: 'in', key: 'c', values: ['d'] },
      { op: 'notin', key: 'e', values: ['f'] },
    ]);
    expect(parseLabelSelector('env in (prod, staging),tier notin (db),app,!legacy,n>3')).toEqual([
      { op: 'in', key: 'env', values: ['prod', 'staging'] },
      { op: 'notin', key: 'tier', values: ['db'] },
      { op: 'exists', key: 'app' },
      { op: 'notexists', key: 'legacy' },
      { op: 'gt', key: 'n', value: 3 },
    ]);
    expect(parseLabelSelector('app.kubernetes.io/name=web')[0]).toEqual({
      op: 'in',
      key: 'app.kubernetes.io/name',
      values: ['web'],
    });
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['a in (', 'a b', '=x', 'a=b=c', 'a<x', 'a in ()', 'a notin ( )'])
      expect(() => parseLabelSelector(bad)).toThrow(SelectorError);
  });

  it('rejects an empty requirement (a stray comma) as the API server does; a blank selector selects all', () => {
    for (const bad of ['app=web,', 'a,,b', ',', ' , app=web'])
      expect(() => parseLabelSelector(bad), bad).toThrow(/empty requirement/);
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('  ')).toEqual([]);
    expect(parseLabelSelector('a in (x,)')).toEqual([{ op: 'in', key: 'a', values: ['x', ''] }]);
  });

  it('names the part that does not parse', () => {
    const err = (() => {
      try {
        parseLabelSelector('app=web, tier in (a b');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SelectorError);
    expect((err as SelectorError).part).toBe('tier in (a b');
  });
  it('checks keys as Kubernetes does: a DNS-subdomain prefix, a name of at most 63 characters', () => {
    expect(() => parseLabelSelector('Example.com/x=1')).toThrow(/invalid label key/);
    expect(() => parseLabelSelector(`${'a'.repeat(64)}=1`)).toThrow(/invalid label key/);
    expect(parseLabelSelector(`${'a'.repeat(63)}=1`)).toHaveLength(1);
  });
});

describe('field selector grammar', () => {
  it('parses =, == and !=, and rejects a part without an operator', () => {
    expect(parseFieldSelector('metadata.name=a, status.phase!=Failed,spec.nodeName==n1')).toEqual([
      { field: 'metadata.name', value: 'a', negate: false },
      { field: 'status.phase', value: 'Failed', negate: true },
      { field: 'spec.nodeName', value: 'n1', negate: false },
    ]);
    expect(() => parseFieldSelector('metadata.name')).toThrow(SelectorError);
    expect(parseFieldSelector('')).toEqual([]);
    expect(parseFieldSelector('metadata.name=a,')).toEqual([
      { field: 'metadata.name', value: 'a', negate: false },
    ]);
  });
});
