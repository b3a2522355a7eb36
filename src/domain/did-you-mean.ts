// "Did you mean": the names close to one that was not found, for the errors that name a missing
// namespace, service or context (engine, REST routes, MCP tools alike).

/** Edit distance (insert, delete, substitute) between two short names. */
export const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
};

/**
 * Up to `max` candidates close to `name`, closest first: those containing it or contained in it,
 * and those within an edit distance of a third of the name's length (at least 2).
 */
export const closestNames = (name: string, candidates: readonly string[], max = 3): string[] => {
  const n = name.toLowerCase();
  const limit = Math.max(2, Math.floor(n.length / 3));
  return candidates
    .map((c) => {
      const l = c.toLowerCase();
      const d = editDistance(n, l);
      const score = l.includes(n) || n.includes(l) ? Math.min(d, limit) - 0.5 : d;
      return { c, score };
    })
    .filter((x) => x.score <= limit)
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
};

/** " (did you mean "a" or "b"?)" for a message, or '' when nothing is close. */
export const didYouMean = (name: string, candidates: readonly string[]): string => {
  const close = closestNames(name, candidates);
  return close.length === 0 ? '' : ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)`;
};
