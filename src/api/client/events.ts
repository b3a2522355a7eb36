// Follows the SSE stream `GET /api/v1/events`: parses frames into typed ApiEvents, optionally
// reconnects after the stream drops (the attached TUI wants that; tests usually don't).
import { ApiEvent, type ApiEventType } from '../../contract/api.js';
import { KubefwdError, errorMessage, isKubefwdError } from '../../contract/errors.js';
import { createSseParser } from './sse.js';
import type { Transport } from './transport.js';

export interface SubscribeOptions {
  /** Only these event types (server-side `?type=` filter); all when omitted. */
  types?: readonly ApiEventType[];
  onEvent(event: ApiEvent): void;
  /** Connected (again). */
  onOpen?(): void;
  /** The stream failed or ended; with `reconnectMs` another attempt follows. */
  onError?(err: KubefwdError): void;
  /** Reconnect this many ms after the stream drops (default: no reconnect). */
  reconnectMs?: number;
  signal?: AbortSignal;
}

export interface EventSubscription {
  close(): void;
  /** Resolves once the subscription has stopped for good (closed, aborted, or dropped without reconnect). */
  readonly done: Promise<void>;
}

export const subscribeEvents = (t: Transport, o: SubscribeOptions): EventSubscription => {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  if (o.signal?.aborted) controller.abort();
  let wake: (() => void) | undefined;
  controller.signal.addEventListener('abort', () => wake?.(), { once: true });

  const runOnce = async (): Promise<void> => {
    const query = o.types && o.types.length > 0 ? { type: o.types.join(',') } : undefined;
    const res = await t.stream('/api/v1/events', query, controller.signal);
    o.onOpen?.();
    const body = res.body;
    if (!body) throw new KubefwdError('STREAM_ERROR', 'the event stream has no body');
    const decoder = new TextDecoder();
    const parser = createSseParser((frame) => {
      let json: unknown;
      try {
        json = JSON.parse(frame.data);
      } catch {
        return;
      }
      const parsed = ApiEvent.safeParse(json);
      if (parsed.success) o.onEvent(parsed.data);
    });
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    // Aborting the fetch ends a network stream, but not every fetch (an in-process app) ties the
    // body to the signal: cancel the reader too.
    const onAbort = (): void => void reader.cancel().catch(() => undefined);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      controller.signal.removeEventListener('abort', onAbort);
      reader.releaseLock();
    }
  };

  const loop = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        await runOnce();
        if (controller.signal.aborted) return;
        o.onError?.(new KubefwdError('STREAM_ERROR', 'the kubefwd event stream ended'));
      } catch (err) {
        if (controller.signal.aborted) return;
        o.onError?.(
          isKubefwdError(err) ? err : new KubefwdError('STREAM_ERROR', errorMessage(err), { cause: err }),
        );
      }
      if (o.reconnectMs === undefined) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.reconnectMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  const done = loop().finally(() => o.signal?.removeEventListener('abort', abort));
  return {
    close() {
      controller.abort();
    },
    done,
  };
};
