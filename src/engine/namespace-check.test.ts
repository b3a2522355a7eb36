import { describe, expect, it } from 'vitest';
import { closestNames, editDistance } from '../domain/did-you-mean.js';
import { ensureNamespaceExists } from './namespace-check.js';

describe('did you mean', () => {
  it('ranks names by edit distance and containment', () => {
    expect(editDistance('shop', 'shpo')).toBe(2);
    expect(closestNames('shpo', ['shop', 'sandbox', 'analytics', 'default'])).toEqual(['shop']);
    expect(closestNames('analytic', ['analytics', 'shop'])).toEqual(['analytics']);
    expect(closestNames('doesnotexist', ['shop', 'default', 'kube-system'])).toEqual([]);
  });

  it('refuses a missing namespace, and takes one on trust when namespaces cannot be listed', async () => {
    const cluster = (names: string[] | Error) => ({
      context: 'sim',
      listNamespaces: async () => {
        if (names instanceof Error) throw names;
        return names.map((name) => ({ metadata: { name } }));
      },
    });
    await expect(ensureNamespaceExists(cluster(['shop', 'sandbox']), 'shop')).resolves.toBeUndefined();
    await expect(ensureNamespaceExists(cluster(['shop', 'sandbox']), 'sandbx')).rejects.toMatchObject({
      code: 'NAMESPACE_NOT_FOUND',
      message: 'namespace "sandbx" does not exist in context sim (did you mean "sandbox"?)',
    });
    await expect(ensureNamespaceExists(cluster(new Error('forbidden')), 'x')).resolves.toBeUndefined();
  });
});
