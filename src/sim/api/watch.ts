// Watch streams: newline-delimited JSON events, replay from a resourceVersion (or synthetic ADDED
// for the current state), 410 Expired for a compacted resourceVersion, "Too large resource version"
// for one the store has not reached, bookmarks, timeoutSeconds.
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

/**
 * How long a watch from a resourceVersion the store has not reached waits for it, as the API
 * server's watch cache does (3 s) before it answers "Too large resource version". A client that
 * kept a resourceVersion across a restart of the cluster with fresh state gets this answer.
 */
export const TOO_LARGE_WAIT_MS = 3000;

/** Resolves true once the store's revision reaches `rv`, false after `ms` or when the client goes. */
function waitForRevision(
  store: ObjectStore,
  rv: number,
  ms: number,
  req: http.IncomingMessage,
): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      unsubscribe();
      clearTimeout(timer);
      req.off('close', gone);
      resolve(ok);
    };
    const gone = (): void => done(false);
    const unsubscribe = store.subscribe(() => {
      if (store.resourceVersion >= rv) done(true);
    });
    const timer = setTimeout(() => done(false), ms);
    req.on('close', gone);
  });
}

// One watch request: the event loop, bookmarks and cleanup share the response's state.
export function serveWatch(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  store: ObjectStore,
  w: WatchRequest,
): void {
  const wanted =
    w.resourceVersion !== undefined && /^\d+$/.test(w.resourceVersion) ? Number(w.resourceVersion) : 0;
  if (wanted > store.resourceVersion) {
    void waitForRevision(store, wanted, TOO_LARGE_WAIT_MS, req).then((reached) => {
      if (reached) {
        serveWatch(req, res, store, w);
        return;
      }
      if (res.destroyed || res.writableEnded) return;
      // As the watch cache answers (apiserver storage.NewTooLargeResourceVersionError): a Timeout
      // Status with a ResourceVersionTooLarge cause, as an ERROR event of an accepted watch.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      const message = `Too large resource version: ${wanted}, current: ${store.resourceVersion}`;
      const object = {
        ...statusBody(504, 'Timeout', message),
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
      };
      res.end(JSON.stringify({ type: 'ERROR', object }) + '\n');
    });
    return;
  }
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
