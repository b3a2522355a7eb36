// The API's two guards: the bearer key (constant-time compare) and the Host header (DNS
// rebinding: a browser page on evil.example resolving to 127.0.0.1 still sends Host: evil.example).
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time independent of where they differ (hashing equalises lengths). */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export type AuthResult = 'ok' | 'missing' | 'invalid';

export const checkBearer = (header: string | undefined, key: string): AuthResult => {
  if (header === undefined || header.trim() === '') return 'missing';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return 'invalid';
  return safeEqual(m[1]!, key) ? 'ok' : 'invalid';
};

/** Lower-cased host and port ("" when absent) of a Host header; IPv6 literals keep their brackets. */
export const splitHost = (host: string): { name: string; port: string } => {
  const h = host.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(h);
  return { name: m?.[1] ?? h, port: m?.[2] ?? '' };
};

/**
 * Whether the Host header names us. Entries are "name" (any port) or "name:port" (that port;
 * ":80" also matches a Host without a port).
 */
export const isAllowedHost = (host: string | undefined, allowed: readonly string[]): boolean => {
  if (!host) return false;
  const h = splitHost(host);
  return allowed.some((entry) => {
    const a = splitHost(entry);
    if (a.name !== h.name) return false;
    if (a.port === '') return true;
    return a.port === h.port || (a.port === '80' && h.port === '');
  });
};

/** The names a kubefwd API answers to when listening on `host:port`. */
export const defaultAllowedHosts = (host: string, port: number): string[] => {
  const names = new Set([host, 'kubefwd.internal', 'localhost', '127.0.0.1']);
  return [...names].map((n) => (n.includes(':') && !n.startsWith('[') ? `[${n}]:${port}` : `${n}:${port}`));
};

/** Shows a key without revealing it: first 4 characters and the length. */
export const maskKey = (key: string): string => `${key.slice(0, 4)}… (${key.length} chars)`;
