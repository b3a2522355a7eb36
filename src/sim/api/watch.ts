// Watch streams: newline-delimited JSON events, replay from a resourceVersion (or synthetic ADDED
// for the current state), 410 Expired for a compacted resourceVersion, bookmarks, timeoutSeconds.
import type http from 'node:http';
import type { KObj, ObjectStore, StoreEvent } from './store.js';
import { statusBody } from './status.js';
import { toTable } from './tables.js';
import type { IncludeObject } from './tables.js';
import type { ResourceType } from './resources.js';
import { groupVersion } from './resources.js';

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  /** Exact name (a watch on a single object: fieldSelector metadata.name or a /watch/NAME path). */
  filter: (o: KObj) => boolean;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  bookmarkIntervalMs: number;
  table?: IncludeObject;
  sendInitialEvents?: boolean;
}

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Map a store change to what this watcher sees (a change can move an object in or out of a filter). */
export function projectEvent(e: StoreEvent, matches: (o: KObj) => boolean): WatchType | undefined {
  const now = e.type === 'DELETED' ? false : matches(e.object);
  const before = e.previous ? matches(e.previous) : false;
  if (e.type === 'ADDED') return now ? 'ADDED' : undefined;
  if (e.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

// One watch request: the event loop, bookmarks and cleanup share the response's state.
export function serveWatch(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  store: ObjectStore,
  w: WatchRequest,
): void {
  const matches = (o: KObj): boolean =>
    (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.filter(o);
  const render = (o: KObj): unknown =>
    w.table ? toTable(o.kind, [o], o.metadata.resourceVersion ?? '', w.table) : o;
  const write = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
  };

  let replay: StoreEvent[] | 'expired' | 'initial';
  const rv = w.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') replay = 'initial';
  else if (!/^\d+$/.test(rv)) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(statusBody(400, 'BadRequest', `invalid resource version "${rv}"`)));
    return;
  } else replay = store.since(Number(rv));

  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'transfer-encoding': 'chunked',
  });
  res.flushHeaders();

  if (replay === 'expired') {
    write('ERROR', statusBody(410, 'Expired', `too old resource version: ${rv} (${store.resourceVersion})`));
    res.end();
    return;
  }

  // Subscribe before replaying so nothing falls between the two.
  const queue: StoreEvent[] = [];
  let live = false;
  const onEvent = (e: StoreEvent): void => {
    if (e.resource !== w.resource.name) return;
    if (!live) {
      queue.push(e);
      return;
    }
    const t = projectEvent(e, matches);
    if (t) write(t, render(e.object));
  };
  const unsubscribe = store.subscribe(onEvent);

  let lastRv = rv !== undefined && /^\d+$/.test(rv) && rv !== '0' ? Number(rv) : 0;
  if (replay === 'initial') {
    const current = store.list(w.resource.name, w.namespace).filter(matches);
    for (const o of current) write('ADDED', render(o));
    lastRv = store.resourceVersion;
    if (w.sendInitialEvents && w.allowBookmarks)
      write('BOOKMARK', {
        kind: w.resource.kind,
        apiVersion: groupVersion(w.resource),
        metadata: { resourceVersion: String(lastRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
  } else {
    for (const e of replay) {
      if (e.resource !== w.resource.name) continue;
      const t = projectEvent(e, matches);
      if (t) write(t, render(e.object));
    }
  }
  live = true;
  for (const e of queue.splice(0)) if (e.rv > lastRv && e.resource === w.resource.name) onEvent(e);

  const timers: NodeJS.Timeout[] = [];
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0)
    timers.push(setTimeout(() => res.end(), w.timeoutSeconds * 1000));
  if (w.allowBookmarks && w.bookmarkIntervalMs > 0) {
    const t = setInterval(
      () =>
        write('BOOKMARK', {
          kind: w.resource.kind,
          apiVersion: groupVersion(w.resource),
          metadata: { resourceVersion: String(store.resourceVersion) },
        }),
      w.bookmarkIntervalMs,
    );
    timers.push(t);
  }
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  res.on('close', stop);
  req.on('close', stop);
}
