// An object's canonical JSON: keys sorted, nulls and empty maps left out (as a typed decode of it
// would be), so two objects that mean the same compare and hash alike whatever their key order.
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

export const canonicalJson = (v: unknown): string => JSON.stringify(canonical(v));
