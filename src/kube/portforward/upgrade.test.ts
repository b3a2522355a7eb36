import { describe, expect, it } from 'vitest';
import { refusedUpgrade } from './upgrade.js';

const status = (code: number, reason: string, message: string): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

describe('refusedUpgrade', () => {
  const what = 'port-forward to pod shop/web-0';
  const forbidden = status(
    403,
    'Forbidden',
    'pods "web-0" is forbidden: cannot get resource "pods/portforward"',
  );

  it('RBAC refusing a WebSocket GET falls back (SPDY is a POST, another verb); refusing SPDY does not', () => {
    const get = refusedUpgrade(403, forbidden, what, 'sim', 'GET');
    expect(get).toMatchObject({ code: 'PERMISSION_DENIED', fallback: true, httpStatus: 403 });
    expect(get.message).toContain('cannot get resource "pods/portforward"');
    expect(get.hint).toMatch(/"create pods\/portforward".*"get pods\/portforward"/);
    expect(refusedUpgrade(403, forbidden, what, 'sim', 'POST')).toMatchObject({
      code: 'PERMISSION_DENIED',
      fallback: false,
    });
  });

  it('a busy server (429, API Priority and Fairness) is no reason to change protocol; its Retry-After is kept', () => {
    const busy = status(429, 'TooManyRequests', 'Too many requests, please try again later.');
    const e = refusedUpgrade(429, busy, what, 'sim', 'GET', 3000);
    expect(e).toMatchObject({
      code: 'API_BUSY',
      fallback: false,
      httpStatus: 429,
      retryAfterMs: 3000,
    });
    expect(e.message).toContain('too busy');
    // A proxy's plain-text 429, and one without Retry-After.
    expect(refusedUpgrade(429, 'slow down', what, 'sim', 'POST')).toMatchObject({
      fallback: false,
      retryAfterMs: undefined,
    });
  });

  it('credentials and a missing pod never fall back; anything else from a server or proxy does', () => {
    for (const method of ['GET', 'POST'] as const) {
      expect(
        refusedUpgrade(401, status(401, 'Unauthorized', 'Unauthorized'), what, 'sim', method),
      ).toMatchObject({
        code: 'AUTH_FAILED',
        fallback: false,
      });
      expect(
        refusedUpgrade(404, status(404, 'NotFound', 'pods "web-0" not found'), what, 'sim', method),
      ).toMatchObject({
        code: 'POD_NOT_FOUND',
        fallback: false,
      });
      expect(refusedUpgrade(400, 'Upgrade request required', what, 'sim', method)).toMatchObject({
        code: 'STREAM_ERROR',
        fallback: true,
      });
    }
  });
});
