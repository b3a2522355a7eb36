import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseFieldSelector, parseLabelSelector } from '../../domain/selectors.js';
import { fieldMatcher, matchesLabels } from './selectors.js';

describe('label selector matching', () => {
  it('matches as the API server does', () => {
    const l = { app: 'web', env: 'prod' };
    expect(matchesLabels(parseLabelSelector('app=web,env in (prod,qa)'), l)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app!=web'), l)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier notin (db)'), l)).toBe(true);
    expect(matchesLabels(parseLabelSelector('!env'), l)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier'), l)).toBe(false);
    expect(matchesLabels([], undefined)).toBe(true);
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

describe('field selector matching', () => {
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
