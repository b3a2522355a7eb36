import { describe, expect, it } from 'vitest';
import { classifyError } from './diagnosis.js';

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
