// A cluster read the API server never answers (stopped, a VPN gone) is reported as the cluster out
// of reach, with that hint, not as a pod-side timeout.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../src/contract/errors.js';
import { withTimeout } from '../../src/api/server/routes/kubernetes/cluster-access.js';

afterEach(() => vi.useRealTimers());

describe('cluster reads that get no answer', () => {
  it('are API_UNREACHABLE after 10 s, naming what was asked', async () => {
    vi.useFakeTimers();
    const pending = withTimeout('list namespaces', new Promise<never>(() => undefined)).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const err = (await pending) as { code: string; message: string };
    expect(err.code).toBe('API_UNREACHABLE');
    expect(err.message).toBe('list namespaces: no answer from the Kubernetes API within 10 s');
    expect(ERROR_CODES.API_UNREACHABLE.hint).toMatch(/cluster-info/);
  });

  it('pass an answer through', async () => {
    expect(await withTimeout('get pod', Promise.resolve(7))).toBe(7);
  });
});
