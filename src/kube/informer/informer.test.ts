import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../../contract/errors.js';
import type { WatchEvent } from '../../contract/kube.js';
import { KubeApiError } from '../rest/errors.js';
import { silentLogger, type InformerHandler, type KubeClock } from '../types.js';
import { backoffDelay, defaultBackoff } from './backoff.js';
import { diffRelist } from './diff.js';
import { createInformer, type ListResult, type ListWatchSource } from './informer.js';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
  v?: number;
}
const o = (name: string, rv: string, uid = `uid-${name}`): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, uid },
});

/** A clock whose time moves only when the test says so. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const clock: KubeClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
  };
  return {
    clock,
    pending: () => timers.filter((t) => !t.cancelled).map((t) => t.at - now),
    async advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => !t.cancelled && t.at <= now);
      timers = timers.filter((t) => !due.includes(t));
      for (const t of due) t.fn();
      await flush();
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

/** A list/watch source the test drives by hand. */
function fakeSource() {
  const lists: (ListResult<Obj> | Error | 'hang')[] = [];
  const watches: {
    rv: string;
    emit: (e: WatchEvent<Obj>) => void;
    end: () => void;
    fail: (e: Error) => void;
    open: () => void;
    aborted: () => boolean;
  }[] = [];
  let listCalls = 0;
  const source: ListWatchSource<Obj> = {
    list: async (signal) => {
      listCalls += 1;
      const next = lists.shift();
      // A list that hangs (a dead connection) until the request is cut.
      if (next === 'hang')
        return new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('request was cancelled'))),
        );
      if (next === undefined) throw new Error('test: no list response queued');
      if (next instanceof Error) throw next;
      return next;
    },
    watch: (rv, onEvent, signal, onOpen) =>
      new Promise<void>((resolve, reject) => {
        const w = {
          rv,
          emit: (e: WatchEvent<Obj>) => {
            try {
              onEvent(e);
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
          end: resolve,
          fail: reject,
          open: () => onOpen?.(),
          aborted: () => signal.aborted,
        };
        signal.addEventListener('abort', () => resolve());
        watches.push(w);
      }),
  };
  return { source, lists, watches, listCalls: () => listCalls };
}

function recorder() {
  const log: string[] = [];
  const errors: { code: string; delay: number }[] = [];
  const handler: InformerHandler<Obj> = {
    onAdd: (x) => log.push(`add ${x.metadata.name}@${x.metadata.resourceVersion}`),
    onUpdate: (x, old) =>
      log.push(`update ${x.metadata.name}@${old.metadata.resourceVersion}->${x.metadata.resourceVersion}`),
    onDelete: (x) => log.push(`delete ${x.metadata.name}`),
    onSynced: () => log.push('synced'),
    onError: (e, delay) => errors.push({ code: e.code, delay }),
    onWatching: () => log.push('watching'),
  };
  return { log, errors, handler };
}

const opts = (clock: KubeClock, extra = {}) => ({
  name: 'objs',
  clock,
  logger: silentLogger,
  random: () => 0,
  backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 },
  ...extra,
});

/** A watch ERROR event carrying a Status, as the API server sends one. */
const statusEvent = (code: number, reason: string, message: string): WatchEvent<Obj> => ({
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
});

/** An informer on a fake source, synced from `first` and settled. */
async function synced(first: ListResult<Obj>) {
  const c = manualClock();
  const s = fakeSource();
  const r = recorder();
  s.lists.push(first);
  const inf = createInformer(s.source, r.handler, opts(c.clock));
  await inf.synced;
  await flush();
  return { c, s, r, inf };
}

describe('createInformer', () => {
  it('lists, syncs, then applies watch events and bookmarks', async () => {
    const { c, s, r, inf } = await synced({ items: [o('a', '1'), o('b', '2')], resourceVersion: '10' });
    expect(r.log).toEqual(['add a@1', 'add b@2', 'synced']);
    expect(s.watches[0]?.rv).toBe('10');
    const w = s.watches[0]!;
    w.emit({ type: 'ADDED', object: o('c', '11') });
    w.emit({ type: 'MODIFIED', object: o('a', '12') });
    w.emit({ type: 'DELETED', object: o('b', '13') });
    w.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    expect(r.log.slice(3)).toEqual(['add c@11', 'update a@1->12', 'delete b']);
    expect(
      inf
        .list()
        .map((x) => x.metadata.name)
        .sort(),
    ).toEqual(['a', 'c']);
    // The server ends the stream (timeoutSeconds): re-watch from the bookmark, no relist.
    c.clock.now();
    await c.advance(5000);
    w.end();
    await flush();
    expect(s.watches[1]?.rv).toBe('20');
    expect(s.listCalls()).toBe(1);
    inf.stop();
    expect(s.watches[1]?.aborted()).toBe(true);
  });

  it('relists on 410 Gone (watch ERROR event) and diffs the gap into add/update/delete', async () => {
    const { s, r, inf } = await synced({
      items: [o('a', '1'), o('b', '2'), o('c', '3')],
      resourceVersion: '3',
    });
    r.log.length = 0;
    s.lists.push({ items: [o('a', '1'), o('b', '7'), o('d', '8')], resourceVersion: '9' });
    s.watches[0]!.emit(statusEvent(410, 'Expired', 'too old resource version'));
    await flush();
    expect(r.log).toEqual(['delete c', 'add d@8', 'update b@2->7', 'synced']);
    expect(r.errors).toEqual([]);
    expect(s.watches[1]?.rv).toBe('9');
    inf.stop();
  });

  it('relists on an HTTP 410 from the watch request too', async () => {
    const { s, r, inf } = await synced({ items: [], resourceVersion: '1' });
    s.lists.push({ items: [o('x', '5')], resourceVersion: '5' });
    s.watches[0]!.fail(new KubeApiError('CONFLICT', 'gone', 410, 'Expired'));
    await flush();
    expect(r.log).toEqual(['synced', 'add x@5', 'synced']);
    inf.stop();
  });

  it('retries failed watches with exponential backoff, reports each via onError, resets on success', async () => {
    const { c, s, r, inf } = await synced({ items: [o('a', '1')], resourceVersion: '1' });
    const unreachable = () => new KubefwdError('API_UNREACHABLE', 'connection refused');
    s.watches[0]!.fail(unreachable());
    await flush();
    expect(r.errors).toEqual([{ code: 'API_UNREACHABLE', delay: 100 }]);
    expect(s.watches).toHaveLength(1);
    await c.advance(100);
    expect(s.watches).toHaveLength(2);
    expect(s.watches[1]!.rv).toBe('1'); // resumes from the last resourceVersion, no relist
    s.watches[1]!.fail(unreachable());
    await flush();
    await c.advance(200);
    s.watches[2]!.fail(unreachable());
    await flush();
    expect(r.errors.map((e) => e.delay)).toEqual([100, 200, 400]);
    // The third failure in a row: the next attempt is a list (the server may have lost state).
    s.lists.push({ items: [o('a', '1')], resourceVersion: '1' });
    await c.advance(400);
    expect(s.listCalls()).toBe(2);
    // A stream that delivers events and ends normally resets the backoff.
    s.watches[3]!.emit({ type: 'MODIFIED', object: o('a', '2') });
    s.watches[3]!.end();
    await flush();
    s.watches[4]!.fail(unreachable());
    await flush();
    expect(r.errors.at(-1)?.delay).toBe(100);
    expect(s.listCalls()).toBe(2);
    inf.stop();
  });

  it("waits as long as a 429's Retry-After asks (API Priority and Fairness), up to the longest backoff", async () => {
    const { c, s, r, inf } = await synced({ items: [], resourceVersion: '1' });
    const throttled = (seconds: number): KubeApiError => {
      const e = new KubeApiError('API_BUSY', 'too many requests', 429, 'TooManyRequests');
      e.retryAfterMs = seconds * 1000;
      return e;
    };
    s.watches[0]!.fail(throttled(0.5));
    await flush();
    await c.advance(499);
    expect(s.watches).toHaveLength(1);
    await c.advance(1);
    expect(s.watches).toHaveLength(2);
    s.watches[1]!.fail(throttled(3600));
    await flush();
    expect(r.errors.map((e) => e.delay)).toEqual([500, 1000]);
    inf.stop();
  });

  it('restartWatch drops the watch in flight, or the wait for the next attempt, and watches again now from where it was', async () => {
    const { c, s, r, inf } = await synced({ items: [o('a', '1')], resourceVersion: '1' });
    s.watches[0]!.emit({ type: 'MODIFIED', object: o('a', '5') });
    // A watch that hangs on a dead connection: restarted, from the resourceVersion it had reached.
    inf.restartWatch();
    await flush();
    expect(s.watches[0]!.aborted()).toBe(true);
    expect(s.watches).toHaveLength(2);
    expect(s.watches[1]!.rv).toBe('5');
    expect(s.watches[1]!.aborted()).toBe(false);
    // Not a failure: no error reported, no backoff, no list.
    expect(r.errors).toEqual([]);
    expect(s.listCalls()).toBe(1);
    // Nor a watch the server ended at once without an event (that one waits, against hot loops).
    inf.restartWatch();
    await flush();
    expect(s.watches).toHaveLength(3);
    expect(c.pending()).toEqual([]);
    // During the backoff after a failure: the wait is cut short, the next attempt comes now.
    s.watches[2]!.fail(new KubefwdError('API_UNREACHABLE', 'connection reset'));
    await flush();
    expect(c.pending()).toEqual([100]);
    inf.restartWatch();
    await flush();
    expect(s.watches).toHaveLength(4);
    expect(s.watches[3]!.rv).toBe('5');
    expect(s.watches[3]!.aborted()).toBe(false);
    // Events still apply on the new watch.
    s.watches[3]!.emit({ type: 'MODIFIED', object: o('a', '6') });
    expect(r.log.at(-1)).toBe('update a@5->6');
    // During a list that hangs: cut, and listed again at once — not a failure with a backoff.
    s.lists.push('hang', { items: [o('a', '7')], resourceVersion: '7' });
    s.watches[3]!.emit(statusEvent(410, 'Expired', 'too old resource version'));
    await flush();
    expect(s.listCalls()).toBe(2);
    inf.restartWatch();
    await flush();
    expect(s.listCalls()).toBe(3);
    expect(r.errors).toEqual([{ code: 'API_UNREACHABLE', delay: 100 }]);
    expect(c.pending()).toEqual([]);
    expect(s.watches.at(-1)!.rv).toBe('7');
    inf.stop();
    const watches = s.watches.length;
    inf.restartWatch();
    await flush();
    expect(s.watches).toHaveLength(watches);
  });

  it('says when a watch is open again after a failure (a resumed watch is followed by no onSynced)', async () => {
    const { c, s, r, inf } = await synced({ items: [], resourceVersion: '1' });
    s.watches[0]!.open();
    s.watches[0]!.fail(new KubefwdError('API_UNREACHABLE', 'connection reset'));
    await flush();
    await c.advance(100);
    expect(r.log).toEqual(['synced', 'watching']);
    // The server accepts the resumed watch: no list, no event, yet the informer follows again.
    s.watches[1]!.open();
    expect(r.log).toEqual(['synced', 'watching', 'watching']);
    expect(s.listCalls()).toBe(1);
    inf.stop();
  });

  it('relists at once on "Too large resource version" (a server restarted with fresh state)', async () => {
    const { s, r, inf } = await synced({ items: [o('old-pod', '900')], resourceVersion: '950' });
    r.log.length = 0;
    // The restarted server knows resourceVersions up to 12 only, and other pods.
    s.lists.push({ items: [o('new-pod', '12')], resourceVersion: '12' });
    s.watches[0]!.emit(statusEvent(504, 'Timeout', 'Too large resource version: 950, current: 12'));
    await flush();
    expect(r.log).toEqual(['delete old-pod', 'add new-pod@12', 'synced']);
    expect(r.errors).toEqual([]);
    expect(s.watches[1]?.rv).toBe('12');
    // The same answer as the HTTP response of the watch request.
    s.lists.push({ items: [], resourceVersion: '13' });
    s.watches[1]!.fail(
      new KubeApiError(
        'TIMEOUT',
        'the API server timed out …: Too large resource version: 12, current: 5',
        504,
        'Timeout',
      ),
    );
    await flush();
    expect(r.log.at(-2)).toBe('delete new-pod');
    expect(s.watches[2]?.rv).toBe('13');
    inf.stop();
  });

  it('a watch that keeps failing while lists work relists every third failure, with the backoff still growing', async () => {
    const { c, s, r, inf } = await synced({ items: [], resourceVersion: '1' });
    const denied = () => new KubefwdError('PERMISSION_DENIED', 'cannot watch');
    for (let i = 0; i < 6; i++) {
      if (i % 3 === 2) s.lists.push({ items: [], resourceVersion: '1' });
      s.watches[i]!.fail(denied());
      await flush();
      await c.advance(r.errors.at(-1)!.delay);
    }
    expect(s.listCalls()).toBe(3);
    expect(r.errors.map((e) => e.delay)).toEqual([100, 200, 400, 800, 1000, 1000]);
    inf.stop();
  });

  it('a watch failure is logged once: by the onError handler when there is one, else as a warning', async () => {
    for (const withOnError of [true, false]) {
      const c = manualClock();
      const s = fakeSource();
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
      const r = recorder();
      const noOnError: InformerHandler<Obj> = {
        onAdd: () => undefined,
        onUpdate: () => undefined,
        onDelete: () => undefined,
      };
      s.lists.push({ items: [], resourceVersion: '1' });
      const inf = createInformer(s.source, withOnError ? r.handler : noOnError, {
        ...opts(c.clock),
        logger,
      });
      await inf.synced;
      await flush();
      s.watches[0]!.fail(new KubefwdError('API_UNREACHABLE', 'connection refused'));
      await flush();
      expect(warnings).toHaveLength(withOnError ? 0 : 1);
      expect(r.errors).toHaveLength(withOnError ? 1 : 0);
      inf.stop();
    }
  });

  it('retries a failed initial list and only then resolves synced', async () => {
    const c = manualClock();
    const s = fakeSource();
    const r = recorder();
    s.lists.push(new KubefwdError('AUTH_FAILED', 'bad token'));
    s.lists.push({ items: [o('a', '1')], resourceVersion: '1' });
    let synced = false;
    const inf = createInformer(s.source, r.handler, opts(c.clock));
    void inf.synced.then(() => (synced = true));
    await flush();
    expect(r.errors).toEqual([{ code: 'AUTH_FAILED', delay: 100 }]);
    expect(synced).toBe(false);
    await c.advance(100);
    expect(synced).toBe(true);
    expect(r.log).toEqual(['add a@1', 'synced']);
    inf.stop();
  });

  it('keeps going when a handler throws', async () => {
    const c = manualClock();
    const s = fakeSource();
    const seen: string[] = [];
    s.lists.push({ items: [o('a', '1'), o('b', '1')], resourceVersion: '1' });
    const inf = createInformer(
      s.source,
      {
        onAdd: (x) => {
          seen.push(x.metadata.name);
          throw new Error('handler bug');
        },
        onUpdate: () => undefined,
        onDelete: () => undefined,
      },
      opts(c.clock),
    );
    await inf.synced;
    await flush();
    s.watches[0]!.emit({ type: 'ADDED', object: o('c', '2') });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(inf.list()).toHaveLength(3);
    inf.stop();
  });

  it('does not hot-loop on a server that ends every watch at once', async () => {
    const { c, s, r, inf } = await synced({ items: [], resourceVersion: '1' });
    s.watches[0]!.end();
    await flush();
    expect(s.watches).toHaveLength(1);
    expect(c.pending()).toEqual([100]);
    await c.advance(100);
    expect(s.watches).toHaveLength(2);
    expect(r.errors).toEqual([]);
    inf.stop();
  });

  it('stop() before the first list rejects synced and cancels the retry', async () => {
    const c = manualClock();
    const s = fakeSource();
    const r = recorder();
    s.lists.push(new KubefwdError('API_UNREACHABLE', 'down'));
    const inf = createInformer(s.source, r.handler, opts(c.clock));
    await flush();
    inf.stop();
    await expect(inf.synced).rejects.toThrow(/stopped before its first list/);
    expect(c.pending()).toEqual([]);
    await c.advance(10_000);
    expect(s.listCalls()).toBe(1);
  });

  it('replays the cache as updates every resyncMs', async () => {
    const c = manualClock();
    const s = fakeSource();
    const r = recorder();
    s.lists.push({ items: [o('a', '1')], resourceVersion: '1' });
    const inf = createInformer(s.source, r.handler, opts(c.clock, { resyncMs: 60_000 }));
    await inf.synced;
    await flush();
    await c.advance(60_000);
    await c.advance(60_000);
    expect(r.log.filter((l) => l.startsWith('update'))).toEqual(['update a@1->1', 'update a@1->1']);
    inf.stop();
    expect(c.pending()).toEqual([]);
  });
});

describe('createInformer watch replay', () => {
  it('ignores unchanged replays, unknown event types and events without metadata', async () => {
    const { s, r, inf } = await synced({ items: [o('a', '1')], resourceVersion: '' });
    const w = s.watches[0]!;
    w.emit({ type: 'ADDED', object: o('a', '1') });
    w.emit({ type: 'WHATEVER', object: o('a', '9') } as unknown as WatchEvent<Obj>);
    w.emit({ type: 'MODIFIED', object: {} } as unknown as WatchEvent<Obj>);
    w.emit({ type: 'ADDED', object: o('a', '2') });
    expect(r.log).toEqual(['add a@1', 'synced', 'update a@1->2']);
    inf.stop();
  });
});

describe('diffRelist', () => {
  it('a recreated object (new uid, same name) is a delete and an add', () => {
    const cache = new Map([['ns/a', o('a', '1', 'u1')]]);
    const d = diffRelist(cache, [o('a', '5', 'u2')]);
    expect(d.deleted.map((x) => x.metadata.uid)).toEqual(['u1']);
    expect(d.added.map((x) => x.metadata.uid)).toEqual(['u2']);
    expect(d.updated).toEqual([]);
  });

  it('applying the diff to the cache gives the listed set (property)', () => {
    const item = fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      rv: fc.constantFrom('1', '2', '3'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(item, { selector: (i) => i.name }),
        fc.uniqueArray(item, { selector: (i) => i.name }),
        (before, after) => {
          const cache = new Map(before.map((i) => [`ns/${i.name}`, o(i.name, i.rv)]));
          const d = diffRelist(
            cache,
            after.map((i) => o(i.name, i.rv)),
          );
          const result = new Map(cache);
          for (const x of d.deleted) result.delete(`ns/${x.metadata.name}`);
          for (const x of d.added) result.set(`ns/${x.metadata.name}`, x);
          for (const u of d.updated) result.set(`ns/${u.obj.metadata.name}`, u.obj);
          expect([...result.keys()].sort()).toEqual(after.map((i) => `ns/${i.name}`).sort());
          for (const i of after) expect(result.get(`ns/${i.name}`)?.metadata.resourceVersion).toBe(i.rv);
          // Unchanged objects produce no event.
          expect(
            d.updated.every((u) => u.old.metadata.resourceVersion !== u.obj.metadata.resourceVersion),
          ).toBe(true);
        },
      ),
    );
  });
});

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with jitter only downward', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(defaultBackoff, a, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(defaultBackoff, 50, 0)).toBe(30_000);
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, rnd) => {
        const d = backoffDelay(defaultBackoff, attempt, rnd);
        const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 60));
        expect(d).toBeLessThanOrEqual(base);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      }),
    );
  });
});
