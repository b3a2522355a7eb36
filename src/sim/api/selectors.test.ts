import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fieldMatcher,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.js';

describe('label selectors', () => {
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

  it('matches as the API server does', () => {
    const l = { app: 'web', env: 'prod' };
    expect(matchesLabels(parseLabelSelector('app=web,env in (prod,qa)'), l)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app!=web'), l)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier notin (db)'), l)).toBe(true);
    expect(matchesLabels(parseLabelSelector('!env'), l)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier'), l)).toBe(false);
    expect(matchesLabels([], undefined)).toBe(true);
  });

  it('rejects malformed selectors', () => {
    for (const bad of ['a in (', 'a b', '=x', 'a=b=c', 'a<x'])
      expect(() => parseLabelSelector(bad)).toThrow(SelectorError);
  });

  it('a selector built from a label map always matches that map', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
    const value = fc.stringMatching(/^[a-zA-Z0-9]{1,10}$/);
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1 }), (labels) => {
        const text = Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        expect(matchesLabels(parseLabelSelector(text), labels)).toBe(true);
      }),
    );
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'a', namespace: 'shop' }, status: { phase: 'Running' } };
  it('matches supported fields and rejects unsupported ones', () => {
    expect(
      fieldMatcher(parseFieldSelector('metadata.name=a,metadata.namespace!=x'), [
        'metadata.name',
        'metadata.namespace',
      ])(pod),
    ).toBe(true);
    expect(fieldMatcher(parseFieldSelector('status.phase==Pending'), ['status.phase'])(pod)).toBe(false);
    expect(() => fieldMatcher(parseFieldSelector('spec.bogus=1'), ['metadata.name'])).toThrow(
      'field label not supported: spec.bogus',
    );
  });
});
