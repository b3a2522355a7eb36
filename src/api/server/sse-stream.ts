// A server-sent-events response fed by a subscription: a bounded queue per subscriber (items are
// dropped, and counted, when a slow client falls behind — the producer never blocks), keep-alive
// comments, and the subscription released when the client goes away (kubefwd leaked it).
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { KubefwdError } from '../../contract/errors.js';

export interface SseOptions<T> {
  keepAliveMs: number;
  bufferSize: number;
  /** Streams open now (shared) and the most allowed; one more is refused with 503. */
  streams: { open: number };
  maxStreams: number;
  /** Starts delivering items to `push` (`end` ends the stream once they are written); returns the unsubscribe. */
  subscribe(push: (item: T) => void, end: () => void): () => void;
  frame(item: T): { event: string; data: string; id?: string };
  /** The item that tells a slow client how many it lost (besides the comment, which SSE libraries hide). */
  dropped?: (count: number) => T;
}

/** The stream limits of the API's settings (defaults: keep-alive 30 s, 100 queued, 64 streams). */
export const sseLimits = (ctx: {
  sse?: { keepAliveMs?: number; bufferSize?: number; maxStreams?: number } | undefined;
  sseStreams: { open: number };
}): Pick<SseOptions<unknown>, 'keepAliveMs' | 'bufferSize' | 'streams' | 'maxStreams'> => ({
  keepAliveMs: ctx.sse?.keepAliveMs ?? 30_000,
  bufferSize: ctx.sse?.bufferSize ?? 100,
  streams: ctx.sseStreams,
  maxStreams: ctx.sse?.maxStreams ?? 64,
});

export const sseResponse = <T>(c: Context, o: SseOptions<T>): Response => {
  if (o.streams.open >= o.maxStreams)
    throw new KubefwdError('NOT_READY', `too many event streams open (${o.maxStreams})`, {
      hint: 'Close an event stream (SSE client) you no longer need, then retry.',
    });
  o.streams.open++;
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    const queue: T[] = [];
    let dropped = 0;
    let closed = false;
    let ending = false;
    let wake: (() => void) | undefined;
    const signal = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let unsubscribe: () => void = () => undefined;
    stream.onAbort(() => {
      closed = true;
      signal();
    });
    try {
      unsubscribe = o.subscribe(
        (item) => {
          if (closed || ending) return;
          if (queue.length >= o.bufferSize) dropped++;
          else queue.push(item);
          signal();
        },
        () => {
          ending = true;
          signal();
        },
      );
      await stream.write(': connected\n\n');
      while (!closed) {
        while (queue.length > 0 && !closed) {
          const item = queue.shift() as T;
          await stream.writeSSE(o.frame(item));
        }
        if (ending) break;
        if (dropped > 0 && !closed) {
          await stream.write(`: dropped ${dropped} events (client too slow)\n\n`);
          if (o.dropped) await stream.writeSSE(o.frame(o.dropped(dropped)));
          dropped = 0;
        }
        if (closed) break;
        const timedOut = await new Promise<boolean>((resolve) => {
          if (queue.length > 0 || closed || ending) {
            resolve(false);
            return;
          }
          const timer = setTimeout(() => {
            wake = undefined;
            resolve(true);
          }, o.keepAliveMs);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        if (timedOut && !closed) await stream.write(': keepalive\n\n');
      }
    } finally {
      closed = true;
      o.streams.open--;
      unsubscribe();
    }
  });
};
