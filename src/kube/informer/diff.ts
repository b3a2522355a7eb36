// A relist (initial list, 410 Gone, reconnect) compared with the cache: which objects were added,
// changed or deleted while we were not watching. Pure.

export interface Keyed {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export const objectKey = (o: Keyed): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export interface RelistDiff<T> {
  added: T[];
  updated: { obj: T; old: T }[];
  deleted: T[];
  next: Map<string, T>;
}

/**
 * An object counts as changed when its resourceVersion differs; identical objects produce no event,
 * so a relist after a blip is quiet.
 */
export function diffRelist<T extends Keyed>(
  cache: ReadonlyMap<string, T>,
  items: readonly T[],
): RelistDiff<T> {
  const next = new Map<string, T>();
  const added: T[] = [];
  const updated: { obj: T; old: T }[] = [];
  const replaced: T[] = [];
  for (const obj of items) {
    const key = objectKey(obj);
    next.set(key, obj);
    const old = cache.get(key);
    if (old === undefined) added.push(obj);
    else if (
      old.metadata.uid !== undefined &&
      obj.metadata.uid !== undefined &&
      old.metadata.uid !== obj.metadata.uid
    ) {
      // Deleted and recreated under the same name (a StatefulSet pod): a delete and an add, not an update.
      replaced.push(old);
      added.push(obj);
    } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) updated.push({ obj, old });
  }
  const deleted: T[] = [...replaced];
  for (const [key, old] of cache) if (!next.has(key)) deleted.push(old);
  return { added, updated, deleted, next };
}
