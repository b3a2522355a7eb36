// One page of a list (limit/continue): the continue token carries the resourceVersion and offset it
// was cut at, and a token older than the store's history is 410 Expired, as from etcd compaction.
import { ApiError } from './status.js';

export interface ListPage<T> {
  items: T[];
  /** The token for the next page, and how many items it holds back. */
  next?: { continue: string; remainingItemCount: number };
}

/** `expired(rv)`: whether the store's history no longer reaches back to `rv`. */
export const listPage = <T>(
  all: readonly T[],
  q: URLSearchParams,
  rv: number,
  expired: (rv: number) => boolean,
): ListPage<T> => {
  const limit = Number(q.get('limit') ?? '0');
  let start = 0;
  const cont = q.get('continue');
  if (cont) {
    let parsed: { rv?: number; start?: number } = {};
    try {
      parsed = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv?: number; start?: number };
    } catch {
      throw new ApiError(
        400,
        'BadRequest',
        'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
      );
    }
    if (expired(parsed.rv ?? 0))
      throw new ApiError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
      );
    start = parsed.start ?? 0;
  }
  if (!(limit > 0)) return { items: all.slice(start) };
  const items = all.slice(start, start + limit);
  if (all.length <= start + limit) return { items };
  return {
    items,
    next: {
      continue: Buffer.from(JSON.stringify({ rv, start: start + limit })).toString('base64url'),
      remainingItemCount: all.length - start - limit,
    },
  };
};
