import { describe, expect, it } from 'vitest';
import { AppliedConfigs, removedFields } from './apply.js';
import type { KObj } from './store.js';

describe('removedFields', () => {
  it('nulls what the last applied configuration had and this one has not, at any depth; lists are whole', () => {
    expect(
      removedFields(
        { metadata: { labels: { a: '1', b: '2' } }, data: { x: '1' }, spec: { ports: [1, 2] } },
        { metadata: { labels: { a: '1' } }, spec: { ports: [1] } },
      ),
    ).toEqual({ metadata: { labels: { b: null } }, data: null });
    expect(removedFields(undefined, { a: 1 })).toEqual({});
  });
});

describe('AppliedConfigs', () => {
  it("merges per field manager: one manager's removal leaves another's fields", () => {
    const applied = new AppliedConfigs();
    const obj = (labels: Record<string, string>): KObj => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', uid: 'u1', labels },
    });
    const first = obj({ a: '1', b: '2' });
    applied.remember(first, first, 'one');
    const other = obj({ c: '3' });
    const both = applied.merge(first, other, 'two');
    applied.remember(both, other, 'two');
    expect(both.metadata.labels).toEqual({ a: '1', b: '2', c: '3' });
    expect(applied.merge(both, obj({ a: '1' }), 'one').metadata.labels).toEqual({ a: '1', c: '3' });
  });
});
