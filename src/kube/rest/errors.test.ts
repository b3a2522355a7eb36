import { describe, expect, it } from 'vitest';
import { apiStatusError, networkError, retryAfterMs } from './errors.js';

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason,
    message,
  });

describe('apiStatusError', () => {
  const list = { verb: 'list', resource: 'services', namespace: 'shop' };

  it('401 → AUTH_FAILED', () => {
    const e = apiStatusError(401, status(401, 'Unauthorized', 'Unauthorized'), list, 'sim');
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toMatch(/context "sim" rejected the credentials/);
  });

  it('403 → PERMISSION_DENIED naming verb and resource', () => {
    const e = apiStatusError(
      403,
      status(403, 'Forbidden', 'services is forbidden: User "dev" cannot list resource "services"'),
      list,
      'sim',
    );
    expect(e.code).toBe('PERMISSION_DENIED');
    expect(e.message).toMatch(
      /^permission denied: cannot list services in namespace "shop" \(context "sim"\)/,
    );
    expect(e.hint).toMatch(/"list services"/);
    const pf = apiStatusError(
      403,
      'forbidden',
      { verb: 'create', resource: 'pods/portforward', namespace: 'x' },
      'c',
    );
    expect(pf.message).toMatch(/cannot create pods\/portforward/);
  });

  it('404 → the resource’s *_NOT_FOUND', () => {
    const get = (resource: string) =>
      apiStatusError(
        404,
        status(404, 'NotFound', `${resource} "x" not found`),
        { verb: 'get', resource, name: 'x' },
        'c',
      ).code;
    expect(get('services')).toBe('SERVICE_NOT_FOUND');
    expect(get('pods')).toBe('POD_NOT_FOUND');
    expect(get('pods/log')).toBe('POD_NOT_FOUND');
    expect(get('namespaces')).toBe('NAMESPACE_NOT_FOUND');
    expect(get('events')).toBe('NOT_FOUND');
  });

  it('keeps the HTTP status and reason (410 Expired), maps 5xx and 400', () => {
    const gone = apiStatusError(410, status(410, 'Expired', 'too old resource version'), list, 'c');
    expect(gone.httpStatus).toBe(410);
    expect(gone.reason).toBe('Expired');
    expect(apiStatusError(503, 'upstream down', list, 'c').code).toBe('API_UNREACHABLE');
    expect(apiStatusError(500, status(500, 'InternalError', 'boom'), list, 'c').code).toBe('API_UNREACHABLE');
    expect(apiStatusError(504, '', list, 'c').code).toBe('TIMEOUT');
    const bad = apiStatusError(
      400,
      status(400, 'BadRequest', 'a container name must be specified'),
      list,
      'c',
    );
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/a container name must be specified/);
  });
});

describe('networkError', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('connection failures → API_UNREACHABLE naming the server', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']) {
      const e = networkError(err(code), 'https://10.0.0.1:6443', 'prod');
      expect(e.code).toBe('API_UNREACHABLE');
      expect(e.message).toMatch(/https:\/\/10\.0\.0\.1:6443 \(context "prod"\) is unreachable/);
    }
  });

  it('certificate failures → TLS_ERROR', () => {
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
    ])
      expect(networkError(err(code, 'cert problem'), 'https://x', 'c').code).toBe('TLS_ERROR');
    expect(networkError(new Error('unable to verify the first certificate'), 'https://x', 'c').code).toBe(
      'TLS_ERROR',
    );
  });
});

describe('retryAfterMs', () => {
  it('reads whole seconds; the HTTP-date form, negatives and junk give undefined', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(' 30 ')).toBe(30_000);
    expect(retryAfterMs(['2', '9'])).toBe(2000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
    expect(retryAfterMs('1.5')).toBeUndefined();
  });
});
