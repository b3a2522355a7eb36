// Query-string building blocks of the REST API. kubefwd's docs use camelCase query names while its
// server reads snake_case; we accept both spellings (schemas list both, `pickQuery` reads either).
// Numbers and booleans arrive as strings; absurd values are rejected (400), never silently clamped.
import { z } from 'zod';

/** An integer query value within [min, max]; "abc", "1.5", "-3" or "1e9" are refused with a message naming the limits. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { message: `must be a whole number between ${min} and ${max}` })
    .transform((v) => Number(v))
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    )
    .meta({ description: `a whole number from ${min} to ${max}` });

/** "true"/"false" (also "1"/"0" and the bare flag ""), as kubefwd's `?force=true`. */
export const queryBool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1' || v === '')
  .meta({ description: 'true or false' });

/** A free-text query value with a sane length bound. */
export const queryText = (max = 256) => z.string().max(max, { message: `must be at most ${max} characters` });

/**
 * Reads the first defined spelling of a query parameter (e.g. `labelSelector` then `label_selector`).
 * Used by the server after validation and by anyone normalising raw query objects.
 */
export const pickQuery = <Q extends object, K extends keyof Q>(
  query: Q,
  ...names: K[]
): Exclude<Q[K], undefined> | undefined => {
  for (const name of names) {
    const v = query[name];
    if (v !== undefined) return v as Exclude<Q[K], undefined>;
  }
  return undefined;
};
