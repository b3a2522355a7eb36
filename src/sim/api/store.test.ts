import { describe, expect, it } from 'vitest';
import { ObjectStore, StoreError } from './store.js';
import type { KObj } from './store.js';
import { projectEvent } from './watch.js';
import { applyJsonPatch, mergePatch } from './patch.js';

const cm = (name: string, labels: Record<string, string> = {}): KObj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', labels },
});

describe('ObjectStore', () => {
  it('bumps one global resourceVersion per write and keeps uid across updates', () => {
    const s = new ObjectStore(100, 10);
    const a = s.create('configmaps', cm('a'));
    expect(a.metadata.resourceVersion).toBe('11');
    const b = s.update('configmaps', { ...a, data: { k: 'v' } });
    expect(b.metadata.resourceVersion).toBe('12');
    expect(b.metadata.uid).toBe(a.metadata.uid);
    expect(() => s.create('configmaps', cm('a'))).toThrow(StoreError);
    expect(s.delete('configmaps', 'ns', 'a').metadata.resourceVersion).toBe('13');
    expect(s.since(11)).toHaveLength(2);
  });

  it('answers expired for resourceVersions older than the kept history', () => {
    const s = new ObjectStore(2, 0);
    for (const n of ['a', 'b', 'c', 'd']) s.create('configmaps', cm(n));
    expect(s.since(1)).toBe('expired');
    expect(s.since(2)).toHaveLength(2);
    s.compact();
    expect(s.since(3)).toBe('expired');
    expect(s.since(4)).toEqual([]);
  });
});

describe('watch projection', () => {
  const sel = (o: KObj): boolean => o.metadata.labels?.tier === 'web';
  it('turns a MODIFIED that enters or leaves the selection into ADDED or DELETED', () => {
    const base = { resource: 'configmaps', rv: 1 };
    expect(
      projectEvent({ ...base, type: 'MODIFIED', object: cm('a', { tier: 'web' }), previous: cm('a') }, sel),
    ).toBe('ADDED');
    expect(
      projectEvent({ ...base, type: 'MODIFIED', object: cm('a'), previous: cm('a', { tier: 'web' }) }, sel),
    ).toBe('DELETED');
    expect(
      projectEvent(
        { ...base, type: 'MODIFIED', object: cm('a', { tier: 'web' }), previous: cm('a', { tier: 'web' }) },
        sel,
      ),
    ).toBe('MODIFIED');
    expect(projectEvent({ ...base, type: 'ADDED', object: cm('a') }, sel)).toBeUndefined();
  });
});

describe('patches', () => {
  it('merge patch sets, replaces and deletes (null) keys', () => {
    expect(mergePatch({ a: 1, m: { x: 1, y: 2 }, l: [1] }, { m: { y: null, z: 3 }, l: [2], b: 'n' })).toEqual(
      { a: 1, m: { x: 1, z: 3 }, l: [2], b: 'n' },
    );
  });
  it('JSON patch adds, replaces, removes and tests', () => {
    expect(
      applyJsonPatch({ spec: { replicas: 1, l: ['a'] } }, [
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/spec/l/-', value: 'b' },
        { op: 'test', path: '/spec/replicas', value: 3 },
        { op: 'remove', path: '/spec/l/0' },
      ]),
    ).toEqual({ spec: { replicas: 3, l: ['b'] } });
  });
});
