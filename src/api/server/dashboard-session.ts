// Browser login for the dashboard without pasting the API key. A holder of the key (`kubefwd open`,
// the daemon's banner) mints a short-lived single-use token; the browser trades it at /login for a
// session cookie (HttpOnly: page scripts never see it; SameSite=Strict: other sites' pages cannot
// make the browser send it). Tokens and sessions live in memory: a restart logs everyone out.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../engine/gateways.js';
import { safeEqual, splitHost } from './security.js';

export const SESSION_COOKIE = 'kubefwd_session';
/** A link printed by `kubefwd open` is used within seconds. */
export const LINK_TTL_MS = 2 * 60_000;
/** The banner's link is read later, when the user gets to it. */
export const BANNER_LINK_TTL_MS = 15 * 60_000;
/** A working day; the cookie is a session cookie too (gone when the browser closes). */
export const SESSION_TTL_MS = 12 * 3600_000;
/** Unredeemed tokens kept at most (a script minting in a loop cannot grow memory). */
const MAX_TOKENS = 64;
const MAX_SESSIONS = 256;

export interface DashboardSessions {
  /** A new one-time login token. */
  mintToken(ttlMs?: number): { token: string; expiresAt: number };
  /** Consumes a token: the new session id, or why not ('unknown' covers replayed tokens). */
  redeem(token: string | undefined): { session: string } | { refused: 'missing' | 'unknown' | 'expired' };
  /** Whether a cookie value is a live session. */
  isSession(id: string | undefined): boolean;
}

const secret = (): string => randomBytes(32).toString('base64url');

/** Drops the oldest entries of an insertion-ordered map beyond `max`. */
const cap = (m: Map<string, number>, max: number): void => {
  for (const k of m.keys()) {
    if (m.size <= max) return;
    m.delete(k);
  }
};

export const createDashboardSessions = (clock: Pick<Clock, 'now'>): DashboardSessions => {
  const tokens = new Map<string, number>();
  const sessions = new Map<string, number>();
  const sweep = (m: Map<string, number>): void => {
    const now = clock.now();
    for (const [k, exp] of m) if (exp <= now) m.delete(k);
  };
  return {
    mintToken(ttlMs = LINK_TTL_MS) {
      sweep(tokens);
      const token = secret();
      const expiresAt = clock.now() + ttlMs;
      tokens.set(token, expiresAt);
      cap(tokens, MAX_TOKENS);
      return { token, expiresAt };
    },
    redeem(token) {
      if (token === undefined || token === '') return { refused: 'missing' };
      // Constant-time over the stored tokens: which prefix matched must not show in the timing.
      let found: string | undefined;
      for (const t of tokens.keys()) if (safeEqual(t, token)) found = t;
      if (found === undefined) return { refused: 'unknown' };
      const expiresAt = tokens.get(found)!;
      tokens.delete(found); // single use, even when expired
      if (expiresAt <= clock.now()) return { refused: 'expired' };
      sweep(sessions);
      const session = secret();
      sessions.set(session, clock.now() + SESSION_TTL_MS);
      cap(sessions, MAX_SESSIONS);
      return { session };
    },
    isSession(id) {
      if (id === undefined || id === '') return false;
      let exp: number | undefined;
      for (const [s, e] of sessions) if (safeEqual(s, id)) exp = e;
      return exp !== undefined && exp > clock.now();
    },
  };
};

/** The value of one cookie in a Cookie header (undefined when absent). */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

/** The Set-Cookie header of a new session: HttpOnly, SameSite=Strict, whole site, no Max-Age past the session's. */
export const sessionCookie = (session: string): string =>
  `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;

/**
 * Whether a request comes from a page of this daemon: its Origin is http on exactly the Host
 * the request was sent to (which the Host check has already found to be ours). A missing or
 * "null" Origin is not ours: browsers send Origin on every POST/DELETE, so only a non-browser or a
 * sandboxed frame omits it.
 */
export const isOwnOrigin = (origin: string | undefined, host: string | undefined): boolean => {
  if (!origin || !host || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // The daemon speaks plain HTTP on loopback: an https page is another origin.
  if (url.protocol !== 'http:') return false;
  const o = splitHost(url.host);
  const h = splitHost(host);
  return o.name === h.name && (o.port || '80') === (h.port || '80');
};

export type CookieAuth = 'none' | 'ok' | 'forbidden-origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates a request by session cookie: 'none' without a live session; reads pass; changes
 * also need an Origin that is the daemon's own (a cookie alone is what CSRF rides on).
 */
export const checkCookie = (
  sessions: DashboardSessions,
  req: { method: string; cookie: string | undefined; origin: string | undefined; host: string | undefined },
): CookieAuth => {
  if (!sessions.isSession(cookieValue(req.cookie, SESSION_COOKIE))) return 'none';
  if (SAFE_METHODS.has(req.method.toUpperCase())) return 'ok';
  return isOwnOrigin(req.origin, req.host) ? 'ok' : 'forbidden-origin';
};
