// Generated names as Kubernetes makes them: pod-template-hash (10 chars) and random 5-char
// suffixes, from the alphabet Kubernetes uses (no vowels, no confusable digits).
import { createHash, randomInt } from 'node:crypto';
import { canonicalJson } from '../api/canonical-json.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const randomSuffix = (n = 5): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)]!;
  return s;
};

/** The pod-template-hash of a template: the same for the same template in any key order. */
export const templateHash = (template: unknown): string => {
  const digest = createHash('sha256')
    .update(canonicalJson(template ?? {}))
    .digest();
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[digest[i]! % ALPHABET.length]!;
  return s;
};
