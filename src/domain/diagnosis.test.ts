import { describe, expect, it } from 'vitest';
import type { ForwardView } from '../contract/state.js';
import { RECENT_FAILURE_MS, classifyError, failingConnectionsIssue, forwardIssue } from './diagnosis.js';

describe('classifyError', () => {
  it('prefers the contract/errors code', () => {
    expect(classifyError('whatever', 'POD_NOT_FOUND')).toMatchObject({
      errorType: 'pod_not_found',
      severity: 'critical',
    });
    expect(classifyError(undefined, 'PERMISSION_DENIED').errorType).toBe('permission_denied');
  });

  it.each([
    ['dial tcp 10.0.0.6:5432: connect: connection refused', 'connection_refused'],
    ['error upgrading connection: i/o timeout', 'timeout'],
    ['context deadline exceeded', 'timeout'],
    ['pods "api-7f9" not found', 'pod_not_found'],
    ['pod api-1 was deleted', 'pod_not_found'],
    ['no ready pods back service api', 'no_pods'],
    ['pods "api" is forbidden: User "dev" cannot create resource "pods/portforward"', 'permission_denied'],
    ['Unauthorized', 'auth_failed'],
    ['x509: certificate signed by unknown authority', 'tls_error'],
    ['getaddrinfo ENOTFOUND k8s.example.com', 'api_unreachable'],
    ['the server has received too many requests and has asked us to try again later', 'api_busy'],
    ['upgrade answered 429', 'api_busy'],
    ['listen EADDRINUSE: address already in use 127.1.27.1:8080', 'port_in_use'],
    ['write EPIPE', 'broken_pipe'],
    ['read ECONNRESET', 'broken_pipe'],
    ['spdy stream reset', 'stream_error'],
    ['something odd', 'unknown'],
  ])('%s → %s', (message, type) => {
    const c = classifyError(message);
    expect(c.errorType).toBe(type);
    expect(c.suggestion.length).toBeGreaterThan(20);
  });
});

describe('a busy API server (429)', () => {
  it('is its own class: the cluster asked to wait, kubefwd retries, nothing to fix yet', () => {
    const c = classifyError('the API server is too busy (429 Too Many Requests)', 'API_BUSY');
    expect(c).toMatchObject({ code: 'API_BUSY', errorType: 'api_busy', severity: 'medium' });
    expect(c.suggestion).toMatch(/asked its clients to wait/);
  });
  it("is the cluster's issue, not the forward's", () => {
    const issue = forwardIssue({
      key: 'busy.app.sim.busy-0.9013',
      serviceKey: 'busy.app.sim',
      serviceName: 'busy',
      namespace: 'app',
      context: 'sim',
      podName: 'busy-0',
      localIP: '127.1.27.9',
      localPort: '9013',
      podPort: '9013',
      status: 'Waiting',
      reason: 'cannot connect to pod busy-0: the API server is too busy (429 Too Many Requests)',
      errorCode: 'API_BUSY',
      nextRetryAt: '2026-12-07T10:00:07Z',
    } as ForwardView);
    expect(issue).toMatchObject({
      component: 'cluster',
      errorType: 'api_busy',
      severity: 'medium',
      nextRetryAt: '2026-12-07T10:00:07Z',
    });
  });
});

describe('failingConnectionsIssue', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  const f = (over: Partial<ForwardView>): ForwardView =>
    ({
      key: 'redis.shop.sim.redis-0.6379',
      serviceKey: 'redis.shop.sim',
      serviceName: 'redis',
      namespace: 'shop',
      context: 'sim',
      podName: 'redis-0',
      localIP: '127.1.27.3',
      localPort: '6379',
      podPort: '6379',
      status: 'Active',
      failedConnections: 4,
      lastConnectionError: 'dial tcp4 127.0.0.1:6379: connect: connection refused',
      lastConnectionErrorAt: new Date(now - 5_000).toISOString(),
      ...over,
    }) as ForwardView;
  it('an Active forward whose connections failed lately is an issue, classified by the reason', () => {
    expect(failingConnectionsIssue(f({}), now)).toMatchObject({
      severity: 'high',
      status: 'Active',
      errorType: 'connection_refused',
      podName: 'redis-0',
      message: expect.stringMatching(
        /^connections through 127\.1\.27\.3:6379 to pod redis-0:6379 fail \(4 so far/,
      ),
    });
  });
  it('not after a minute, not without failures, and not for a forward already reported by its status', () => {
    expect(
      failingConnectionsIssue(
        f({ lastConnectionErrorAt: new Date(now - RECENT_FAILURE_MS).toISOString() }),
        now,
      ),
    ).toBeUndefined();
    expect(
      failingConnectionsIssue(f({ lastConnectionError: undefined, lastConnectionErrorAt: undefined }), now),
    ).toBeUndefined();
    expect(failingConnectionsIssue(f({ status: 'Error' }), now)).toBeUndefined();
  });
  it('not once a connection got the pod’s answer after the failure (it is over); still when before', () => {
    expect(
      failingConnectionsIssue(f({ lastAnsweredAt: new Date(now - 1_000).toISOString() }), now),
    ).toBeUndefined();
    expect(
      failingConnectionsIssue(f({ lastAnsweredAt: new Date(now - 9_000).toISOString() }), now),
    ).toBeDefined();
  });
});
