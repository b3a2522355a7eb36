// Service keys are `name.namespace.context`; people type `name` or `name.namespace`. Any
// unambiguous short form resolves to the full key, an ambiguous one is an error that lists the
// candidates (REST, MCP and the TUI filter share this rule).

export type KeyResolution =
  { kind: 'found'; key: string } | { kind: 'ambiguous'; candidates: string[] } | { kind: 'missing' };

/** Resolves `input` against the full keys: exact match first, then `input.*` prefixes of whole parts. */
export const resolveServiceKey = (input: string, keys: Iterable<string>): KeyResolution => {
  const all = [...keys];
  if (all.includes(input)) return { kind: 'found', key: input };
  const candidates = all.filter((k) => k.startsWith(`${input}.`)).sort();
  if (candidates.length === 1) return { kind: 'found', key: candidates[0]! };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates };
  return { kind: 'missing' };
};

/** The text that describes the key parameter (OpenAPI, MCP tool schemas). */
export const SERVICE_KEY_DESCRIPTION =
  'Service key "name.namespace.context" (e.g. "postgres.shop.prod"), or any unambiguous short form: "name" or "name.namespace".';
