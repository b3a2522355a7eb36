// List + watch that never silently stops (client-node 1.4's ListWatch stops on any error and
// hot-loops on streams that end at once). The loop:
//   list → diff against the cache → onAdd/onUpdate/onDelete → onSynced
//   watch from the list's resourceVersion (bookmarks advance it)
//     stream ends normally          → watch again from the last resourceVersion
//     410 Gone / "too old"          → relist at once, diffing into add/update/delete
//     "Too large resource version"  → relist at once too (client-go does): the server never had
//                                     that resourceVersion, e.g. it restarted with fresh state
//     any other error               → onError(err, delay), exponential backoff, retry
//                                     (a failed list is retried as a list, a failed watch as a
//                                      watch from the last resourceVersion — and, after
//                                      RELIST_AFTER_FAILURES failures in a row, as a list)
// An optional resync replays the cache as onUpdate(obj, obj) every resyncMs.
import { KubefwdError } from '../../contract/errors.js';
import type { KStatus, WatchEvent } from '../../contract/kube.js';
import { KubeApiError } from '../rest/errors.js';
import type { Informer, InformerHandler, KubeClock, KubeLogger } from '../types.js';
import { waitAsAsked } from '../../domain/retry-after.js';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff.js';
import { diffRelist, objectKey, type Keyed } from './diff.js';

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** Where an informer gets its data: the REST client in production, a fake in unit tests. */
export interface ListWatchSource<T> {
  list(signal: AbortSignal): Promise<ListResult<T>>;
  /**
   * Streams events from `resourceVersion` until the server ends the stream (resolve) or it fails
   * (reject); `onOpen` once the server has accepted the watch.
   */
  watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void>;
}

export interface InformerOptions {
  /** For logs and errors, e.g. "services in shop (context sim)". */
  name: string;
  clock: KubeClock;
  logger: KubeLogger;
  backoff?: BackoffPolicy;
  /** Replays the cache as updates this often; 0/undefined = never. */
  resyncMs?: number;
  random?: () => number;
}

/** Watch streams ending sooner than this without any event count as suspicious (hot-loop guard). */
const QUICK_END_MS = 1000;

const isGone = (err: unknown): boolean =>
  err instanceof KubeApiError &&
  (err.httpStatus === 410 || err.reason === 'Expired' || err.reason === 'Gone');

/**
 * The watch cache's answer to a resourceVersion it has not reached: a 504 Timeout Status (an ERROR
 * event or the response itself) whose message says "Too large resource version" (the cause
 * ResourceVersionTooLarge came later; client-go matches the message for older servers too).
 */
const isTooLarge = (err: unknown): boolean =>
  err instanceof KubeApiError &&
  (err.httpStatus === 504 || err.reason === 'Timeout') &&
  /too large resource version/i.test(err.message);

/**
 * Watch failures in a row after which the next attempt is a list instead: a server that was away
 * may have come back with other state (a restore, a new cluster at the same address) and still
 * accept the old resourceVersion; a relist costs one list and its diff repairs the cache.
 */
const RELIST_AFTER_FAILURES = 3;

const toKubefwdError = (err: unknown, name: string): KubefwdError =>
  err instanceof KubefwdError
    ? err
    : new KubefwdError(
        'INTERNAL',
        `watch of ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );

// One closure on purpose: list, watch, resync and backoff share the cache and the resourceVersion.
export function createInformer<T extends Keyed>(
  source: ListWatchSource<T>,
  handler: InformerHandler<T>,
  opts: InformerOptions,
): Informer<T> {
  const { clock, logger, name } = opts;
  const policy = opts.backoff ?? defaultBackoff;
  const random = opts.random ?? Math.random;
  let cache = new Map<string, T>();
  let stopped = false;
  let abort = new AbortController();
  let cancelSleep: (() => void) | undefined;
  /** restartWatch() cut the request in flight: what it ends with is not a failure. */
  let restarting = false;
  let resyncTimer: { cancel(): void } | undefined;

  let resolveSynced!: () => void;
  let rejectSynced!: (err: Error) => void;
  let isSynced = false;
  const synced = new Promise<void>((res, rej) => {
    resolveSynced = res;
    rejectSynced = rej;
  });
  // Nobody may be awaiting it when stop() rejects it; that must not be an unhandled rejection.
  synced.catch(() => undefined);

  const call = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.error(`informer ${name}: ${what} handler threw`, {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((res) => {
      const t = clock.setTimeout(() => {
        cancelSleep = undefined;
        res();
      }, ms);
      cancelSleep = () => {
        t.cancel();
        cancelSleep = undefined;
        res();
      };
    });

  const scheduleResync = (): void => {
    const every = opts.resyncMs ?? 0;
    if (every <= 0 || stopped) return;
    resyncTimer = clock.setTimeout(() => {
      if (stopped) return;
      for (const obj of cache.values()) call('onUpdate', () => handler.onUpdate(obj, obj));
      scheduleResync();
    }, every);
  };

  const relist = async (): Promise<string> => {
    const result = await source.list(abort.signal);
    if (stopped) return result.resourceVersion;
    const diff = diffRelist(cache, result.items);
    cache = diff.next;
    for (const obj of diff.deleted) call('onDelete', () => handler.onDelete(obj));
    for (const obj of diff.added) call('onAdd', () => handler.onAdd(obj));
    for (const u of diff.updated) call('onUpdate', () => handler.onUpdate(u.obj, u.old));
    if (!isSynced) {
      isSynced = true;
      resolveSynced();
      scheduleResync();
    }
    call('onSynced', () => handler.onSynced?.());
    return result.resourceVersion;
  };

  const apply = (event: WatchEvent<T>, rv: { value: string }): void => {
    if (event.type === 'ERROR') {
      const status: Partial<KStatus> = event.object ?? {};
      const code = status.code ?? 500;
      throw new KubeApiError(
        code === 410
          ? 'CONFLICT'
          : code === 403
            ? 'PERMISSION_DENIED'
            : code === 401
              ? 'AUTH_FAILED'
              : 'API_UNREACHABLE',
        `watch of ${name} ended with an error: ${status.message ?? status.reason ?? code}`,
        code,
        status.reason,
      );
    }
    const meta = (event.object as { metadata?: Keyed['metadata'] } | undefined)?.metadata;
    if (!meta || typeof meta !== 'object') {
      logger.warn(`informer ${name}: ignored a ${String(event.type)} event without metadata`);
      return;
    }
    if (meta.resourceVersion) rv.value = meta.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') {
      logger.debug(
        `informer ${name}: ignored an unknown event type ${String((event as { type: unknown }).type)}`,
      );
      return;
    }
    const obj = event.object;
    const key = objectKey(obj);
    const old = cache.get(key);
    if (event.type === 'DELETED') {
      cache.delete(key);
      call('onDelete', () => handler.onDelete(obj));
    } else if (old === undefined) {
      cache.set(key, obj);
      call('onAdd', () => handler.onAdd(obj));
    } else if (
      old.metadata.resourceVersion !== undefined &&
      old.metadata.resourceVersion === meta.resourceVersion
    ) {
      // Replayed unchanged (a watch from resourceVersion "" re-sends everything as ADDED).
      cache.set(key, obj);
    } else {
      cache.set(key, obj);
      call('onUpdate', () => handler.onUpdate(obj, old));
    }
  };

  const run = async (): Promise<void> => {
    let needList = true;
    const rv = { value: '' };
    let failures = 0;
    // Watch failures since the last list or good watch; RELIST_AFTER_FAILURES of them force a list.
    let streak = 0;
    let listForced = false;
    let quickEnds = 0;
    while (!stopped) {
      restarting = false;
      // An aborted controller (restartWatch, or one used to cut a hung request) aborts at once.
      if (abort.signal.aborted) abort = new AbortController();
      try {
        if (needList) {
          rv.value = await relist();
          needList = false;
          // A list the failure streak forced keeps the backoff growing: a watch that keeps failing
          // while lists work (a watch-only denial) must not turn into a list every second.
          if (!listForced) failures = 0;
          listForced = false;
          streak = 0;
        }
        if (stopped) break;
        const startedAt = clock.now();
        let events = 0;
        await source.watch(
          rv.value,
          (ev) => {
            if (stopped) return;
            events += 1;
            apply(ev, rv);
          },
          abort.signal,
          () => call('onWatching', () => handler.onWatching?.()),
        );
        if (stopped) break;
        if (restarting) continue;
        failures = 0;
        streak = 0;
        if (events === 0 && clock.now() - startedAt < QUICK_END_MS) {
          // A server that ends watches at once would otherwise be hammered (client-node #1933).
          const delay = backoffDelay(policy, quickEnds++, random());
          logger.debug(`informer ${name}: watch ended at once; re-watching in ${delay} ms`);
          await sleep(delay);
        } else quickEnds = 0;
      } catch (err) {
        if (stopped) break;
        if (restarting) continue;
        if (isGone(err) || isTooLarge(err)) {
          logger.debug(
            `informer ${name}: resourceVersion ${rv.value} ${isGone(err) ? 'expired' : 'is unknown to the server'}; relisting`,
          );
          needList = true;
          continue;
        }
        const kerr = toKubefwdError(err, name);
        const asked = err instanceof KubefwdError ? err.retryAfterMs : undefined;
        const delay = waitAsAsked(backoffDelay(policy, failures++, random()), asked, policy.maxMs);
        if (!needList && ++streak >= RELIST_AFTER_FAILURES) {
          needList = true;
          listForced = true;
        }
        // Said once: a handler with onError reports the failure itself (the engine's namespace
        // watch logs "watch of … failed"); only without one is it ours to warn about.
        const line = `informer ${name}: ${kerr.message}; retrying in ${delay} ms`;
        if (handler.onError) logger.debug(line, { code: kerr.code });
        else logger.warn(line, { code: kerr.code });
        call('onError', () => handler.onError?.(kerr, delay));
        await sleep(delay);
      }
    }
  };

  run().catch((err: unknown) => {
    // run() handles its own errors; this is a bug guard so a failure is never silent.
    logger.error(`informer ${name} stopped unexpectedly`, {
      error: err instanceof Error ? err.message : String(err),
    });
  });

  return {
    synced,
    list: () => [...cache.values()],
    restartWatch() {
      if (stopped) return;
      restarting = true;
      abort.abort();
      cancelSleep?.();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      cancelSleep?.();
      resyncTimer?.cancel();
      if (!isSynced)
        rejectSynced(
          new KubefwdError('API_UNREACHABLE', `informer ${name} was stopped before its first list`),
        );
    },
  };
}
