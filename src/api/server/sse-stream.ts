// A server-sent-events response fed by a subscription: a bounded queue per subscriber (items are
// dropped, and counted, when a slow client falls behind — the producer never blocks), keep-alive
// comments, and the subscription released when the client goes away (kubefwd leaked it).
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

export interface SseOptions<T> {
  keepAliveMs: number;
  bufferSize: number;
  /** Starts delivering items to `push`; returns the unsubscribe. */
  subscribe(push: (item: T) => void): () => void;
  frame(item: T): { event: string; data: string; id?: string };
}

export const sseResponse = <T>(c: Context, o: SseOptions<T>): Response => {
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    const queue: T[] = [];
    let dropped = 0;
    let closed = false;
    let wake: (() => void) | undefined;
    const signal = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const unsubscribe = o.subscribe((item) => {
      if (closed) return;
      if (queue.length >= o.bufferSize) dropped++;
      else queue.push(item);
      signal();
    });
    stream.onAbort(() => {
      closed = true;
      signal();
    });
    try {
      await stream.write(': connected\n\n');
      while (!closed) {
        while (queue.length > 0 && !closed) {
          const item = queue.shift() as T;
          await stream.writeSSE(o.frame(item));
        }
        if (dropped > 0 && !closed) {
          await stream.write(`: dropped ${dropped} events (client too slow)\n\n`);
          dropped = 0;
        }
        if (closed) break;
        const timedOut = await new Promise<boolean>((resolve) => {
          if (queue.length > 0 || closed) {
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
      unsubscribe();
    }
  });
};
