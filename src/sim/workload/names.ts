// Generated names as Kubernetes makes them: pod-template-hash (10 chars) and random 5-char
// suffixes, from the alphabet Kubernetes uses (no vowels, no confusable digits).
import { createHash, randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const randomSuffix = (n = 5): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)]!;
  return s;
};

/** A template's canonical form: keys sorted, nulls and empty maps left out (as a typed decode does). */
const canonical = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const c = canonical((v as Record<string, unknown>)[k]);
    if (c === null || c === undefined) continue;
    if (typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
    out[k] = c;
  }
  return out;
};

/** The pod-template-hash of a template: the same for the same template in any key order. */
export const templateHash = (template: unknown): string => {
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical(template ?? {})))
    .digest();
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[digest[i]! % ALPHABET.length]!;
  return s;
};
