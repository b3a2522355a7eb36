import { describe, expect, it } from 'vitest';
import { ObjectStore, StoreError } from './store.js';
import type { KObj } from './store.js';
import { projectEvent } from './watch.js';
import { applyJsonPatch, mergePatch, strategicMergePatch } from './patch.js';

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
  it('strategic merge patch merges keyed lists and follows the directives kubectl sends', () => {
    const c = (name: string, extra: object = {}): object => ({ name, image: `${name}:1`, ...extra });
    const pod = {
      metadata: { finalizers: ['a'], labels: { x: '1' } },
      spec: { containers: [c('web', { ports: [{ containerPort: 80 }, { containerPort: 81 }] }), c('side')] },
    };
    // set image: one container named, the other untouched; its ports merged by containerPort.
    expect(
      strategicMergePatch(pod, {
        metadata: { finalizers: ['b', 'a'] },
        spec: { containers: [{ name: 'web', image: 'web:2', ports: [{ containerPort: 81, name: 'm' }] }] },
      }),
    ).toEqual({
      metadata: { finalizers: ['a', 'b'], labels: { x: '1' } },
      spec: {
        containers: [
          { name: 'web', image: 'web:2', ports: [{ containerPort: 80 }, { containerPort: 81, name: 'm' }] },
          c('side'),
        ],
      },
    });
    // $patch: delete in a list, $setElementOrder, $deleteFromPrimitiveList, $retainKeys, null.
    expect(
      strategicMergePatch(pod, {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], labels: null },
        spec: {
          '$setElementOrder/containers': [{ name: 'new' }, { name: 'side' }],
          containers: [{ name: 'web', $patch: 'delete' }, c('new')],
        },
      }),
    ).toEqual({ metadata: { finalizers: [] }, spec: { containers: [c('new'), c('side')] } });
    expect(
      strategicMergePatch(
        { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
        {
          spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
        },
      ),
    ).toEqual({ spec: { strategy: { type: 'Recreate' } } });
    // $patch: replace replaces a list or a map; unkeyed lists (args) are replaced as in a merge patch.
    expect(
      strategicMergePatch(pod, {
        metadata: { labels: { $patch: 'replace', y: '2' } },
        spec: { containers: [{ $patch: 'replace' }, { name: 'only', args: ['a'] }] },
      }),
    ).toEqual({
      metadata: { finalizers: ['a'], labels: { y: '2' } },
      spec: { containers: [{ name: 'only', args: ['a'] }] },
    });
    // A Service's ports are keyed by port.
    expect(
      strategicMergePatch(
        {
          spec: {
            ports: [
              { name: 'a', port: 80 },
              { name: 'b', port: 90 },
            ],
          },
        },
        {
          spec: {
            ports: [
              { name: 'b', port: 91 },
              { port: 90, $patch: 'delete' },
            ],
          },
        },
      ),
    ).toEqual({
      spec: {
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 91 },
        ],
      },
    });
  });
  it('JSON patch refuses to remove or replace what is not there (RFC 6902)', () => {
    const doc = { metadata: { labels: { a: '1' } }, spec: { l: ['x'] } };
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/metadata/labels/nosuch' }])).toThrow(
      /Unable to remove nonexistent key: nosuch/,
    );
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/l/1', value: 'y' }])).toThrow(
      /Unable to replace nonexistent key: 1/,
    );
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/metadata/labels/b', value: '2' }])).toEqual({
      metadata: { labels: { a: '1', b: '2' } },
      spec: { l: ['x'] },
    });
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
