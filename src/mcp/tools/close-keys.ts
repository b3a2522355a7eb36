// "Did you mean" for service keys: people type a key whole ("postgres.shop.sim") or short
// ("postgres", "postgres.shop"), so a misspelt one is compared with each service's key in the
// same form, and the full keys of the close ones are given back.
import type { ServiceView } from '../../contract/state.js';
import { closestNames } from '../../domain/did-you-mean.js';

type Keyed = Pick<ServiceView, 'key' | 'serviceName' | 'namespace'>;

/** The forms of a key as long as `asked`: "name", "name.namespace" or the whole key. */
const formOf = (s: Keyed, parts: number): string =>
  parts <= 1 ? s.serviceName : parts === 2 ? `${s.serviceName}.${s.namespace}` : s.key;

/** The full keys of the services whose key, in the form asked, is close to `asked`. */
export const closeKeys = (asked: string, services: readonly Keyed[], max = 3): string[] => {
  // A headless pod entry's name has a dot of its own ("kafka-0.kafka"): count the asked parts
  // against the plain names only.
  const parts = asked.split('.').length;
  const byForm = new Map<string, string[]>();
  for (const s of services) {
    const form = formOf(s, parts);
    byForm.set(form, [...(byForm.get(form) ?? []), s.key]);
  }
  return [...new Set(closestNames(asked, [...byForm.keys()], max).flatMap((f) => byForm.get(f) ?? []))].slice(
    0,
    max,
  );
};

/** " (did you mean "a" or "b"?)" over service keys, or ''. */
export const didYouMeanKey = (asked: string, services: readonly Keyed[]): string => {
  const close = closeKeys(asked, services);
  return close.length === 0 ? '' : ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)`;
};
