// The dashboard's login and CSRF rules, through the real app: a one-time link minted with the key
// becomes an HttpOnly SameSite=Strict cookie; the cookie reads; changes need the daemon's own
// Origin; replayed, expired, missing tokens and foreign origins or Hosts are refused.
import { afterEach, describe, expect, it } from 'vitest';
import {
  cookieValue,
  isOwnOrigin,
  LINK_TTL_MS,
  SESSION_COOKIE,
} from '../../src/api/server/dashboard-session.js';
import { harness } from './harness.js';

let h: ReturnType<typeof harness> | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const HOST = '127.0.0.1:8080';
const ORIGIN = `http://${HOST}`;

/** Mints a link with the key and returns its path (`/login?token=…`). */
const mint = async (hh: ReturnType<typeof harness>): Promise<string> => {
  const r = await hh.req('/api/v1/dashboard/link', { method: 'POST' });
  expect(r.status).toBe(200);
  const { data } = (await r.json()) as { data: { url: string; expiresAt: string } };
  const url = new URL(data.url);
  expect(url.origin).toBe(ORIGIN); // the Host the key holder used
  expect(url.pathname).toBe('/login');
  return `${url.pathname}${url.search}`;
};

const login = async (hh: ReturnType<typeof harness>): Promise<string> => {
  const r = await hh.req(await mint(hh), { noKey: true });
  expect(r.status).toBe(303);
  expect(r.headers.get('location')).toBe('/');
  const setCookie = r.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Path=\//);
  return `${SESSION_COOKIE}=${cookieValue(setCookie.split(';')[0], SESSION_COOKIE)}`;
};

describe('dashboard login', () => {
  it('trades a one-time token for a session cookie that reads the API without the key', async () => {
    h = harness();
    const cookie = await login(h);
    const r = await h.req('/api/v1/services', { noKey: true, headers: { cookie } });
    expect(r.status).toBe(200);
    // The key never reaches the page: the redirect goes to `/`, the link holds only the token.
    expect((await h.req('/', { noKey: true, headers: { cookie } })).status).toBe(200);
  });

  it('refuses a replayed token (401), even after a successful login', async () => {
    h = harness();
    const link = await mint(h);
    expect((await h.req(link, { noKey: true })).status).toBe(303);
    const again = await h.req(link, { noKey: true });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('kubefwd open');
  });

  it('refuses a missing, unknown or expired token (401)', async () => {
    h = harness();
    expect((await h.req('/login', { noKey: true })).status).toBe(401);
    expect((await h.req('/login?token=', { noKey: true })).status).toBe(401);
    expect((await h.req('/login?token=not-a-token', { noKey: true })).status).toBe(401);
    const link = await mint(h);
    h.clock.advance(LINK_TTL_MS + 1);
    const r = await h.req(link, { noKey: true });
    expect(r.status).toBe(401);
    expect(await r.text()).toContain('expired');
  });

  it('minting needs the key: without it 401', async () => {
    h = harness();
    expect((await h.req('/api/v1/dashboard/link', { method: 'POST', noKey: true })).status).toBe(401);
  });

  it('a made-up or expired session cookie is no session (401)', async () => {
    h = harness();
    const forged = await h.req('/api/v1/services', {
      noKey: true,
      headers: { cookie: `${SESSION_COOKIE}=forged` },
    });
    expect(forged.status).toBe(401);
    const cookie = await login(h);
    h.clock.advance(13 * 3600_000);
    expect((await h.req('/api/v1/services', { noKey: true, headers: { cookie } })).status).toBe(401);
  });
});

describe('dashboard CSRF and DNS rebinding', () => {
  const post = (hh: ReturnType<typeof harness>, headers: Record<string, string>) =>
    hh.req('/api/v1/services/api.shop.sim/reconnect', { method: 'POST', noKey: true, headers });

  it('changes with the cookie need an Origin that is the daemon itself', async () => {
    h = harness();
    const cookie = await login(h);
    expect((await post(h, { cookie, origin: ORIGIN })).status).toBe(200);
    for (const origin of [
      'http://evil.example',
      'http://127.0.0.1:9999', // another local app on another port
      'http://localhost:8080', // another origin on the same socket
      'https://127.0.0.1:8080',
      'null',
    ]) {
      const r = await post(h, { cookie, origin });
      expect([origin, r.status]).toEqual([origin, 403]);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN_ORIGIN');
    }
    const none = await post(h, { cookie });
    expect(none.status).toBe(403);
  });

  it('a DNS-rebinding Host is refused before any cookie is looked at (403)', async () => {
    h = harness();
    const cookie = await login(h);
    const r = await h.req('/api/v1/services', {
      noKey: true,
      headers: { cookie, host: 'evil.example:8080' },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN_HOST');
    const p = await post(h, { cookie, host: 'evil.example:8080', origin: 'http://evil.example:8080' });
    expect(p.status).toBe(403);
    const l = await h.req(await mint(h), { noKey: true, headers: { host: 'evil.example' } });
    expect(l.status).toBe(403);
  });

  it('without cookie or key a change is 401; the bearer key keeps working without Origin', async () => {
    h = harness();
    expect((await post(h, { origin: ORIGIN })).status).toBe(401);
    const r = await h.req('/api/v1/services/api.shop.sim/reconnect', { method: 'POST' });
    expect(r.status).toBe(200);
  });
});

describe('isOwnOrigin', () => {
  it('is the exact scheme-less host and port of the request', () => {
    expect(isOwnOrigin('http://kubefwd.internal', 'kubefwd.internal')).toBe(true);
    expect(isOwnOrigin('http://kubefwd.internal', 'kubefwd.internal:80')).toBe(true);
    expect(isOwnOrigin('http://KUBEFWD.internal:80', 'kubefwd.internal')).toBe(true);
    expect(isOwnOrigin('http://kubefwd.internal:8080', 'kubefwd.internal')).toBe(false);
    expect(isOwnOrigin('http://kubefwd.internal.evil', 'kubefwd.internal')).toBe(false);
    expect(isOwnOrigin('ftp://kubefwd.internal', 'kubefwd.internal')).toBe(false);
    expect(isOwnOrigin('not a url', 'kubefwd.internal')).toBe(false);
    expect(isOwnOrigin(undefined, 'kubefwd.internal')).toBe(false);
    expect(isOwnOrigin('http://[::1]:8080', '[::1]:8080')).toBe(true);
  });

  it('cookieValue picks one cookie', () => {
    expect(cookieValue('a=1; kubefwd_session=xyz; b=2', SESSION_COOKIE)).toBe('xyz');
    expect(cookieValue('xkubefwd_session=1', SESSION_COOKIE)).toBeUndefined();
    expect(cookieValue(undefined, SESSION_COOKIE)).toBeUndefined();
  });
});
