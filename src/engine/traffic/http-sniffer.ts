// Pairs HTTP/1.x requests and responses on one connection. Requests are queued in order (a FIFO),
// so keep-alive and pipelined connections pair correctly: HTTP/1.x answers in request order.
// Interim 1xx responses are skipped; a 101 (upgrade) or anything that is not HTTP ends sniffing for
// the connection. The sniffer only observes: bytes pass through untouched whatever happens here.
import { createHttpParser, type HttpParser, type RequestHead } from './http-parser.js';

export interface HttpExchange {
  /** When the request started (epoch ms). */
  at: number;
  method: string;
  path: string;
  statusCode: number;
  /** Request start → response head, in ms. */
  durationMs: number;
  requestSize: number;
  /** Response body bytes. */
  responseSize: number;
}

export interface ConnectionSniffer {
  /** Client → pod bytes. */
  request(chunk: Uint8Array): void;
  /** Pod → client bytes. */
  response(chunk: Uint8Array): void;
  /** The connection closed. */
  end(): void;
  /** False once it gave up (not HTTP, upgraded, too many outstanding requests). */
  readonly active: boolean;
}

/** Outstanding (unanswered) requests a pipelining client may have; beyond this we stop. */
export const MAX_PIPELINE = 64;

// One object per exchange, filled in as the request and then the response go by (no copies: this
// runs for every request on every forwarded HTTP connection).
interface Pending {
  at: number;
  method: string;
  path: string;
  upgrade: boolean;
  requestSize: number;
  status: number;
  /** The request head and the response head on the `elapsed` clock (their difference is the duration). */
  startedAt: number;
  headAt: number;
}

const pending = (at: number, startedAt: number, method: string, path: string, upgrade: boolean): Pending => ({
  at,
  startedAt,
  method,
  path,
  upgrade,
  requestSize: 0,
  status: 0,
  headAt: 0,
});

// One closure on purpose: both directions' parsers and the pairing FIFO share one connection's state.
/**
 * `now` stamps when a request started (epoch ms); `elapsed` times it, in ms with a fraction, so that
 * an answer within a millisecond shows as µs (a pod on the same node, the simulated cluster), not 0.
 */
export const createConnectionSniffer = (
  now: () => number,
  onExchange: (exchange: HttpExchange) => void,
  elapsed: () => number = now,
): ConnectionSniffer => {
  let active = true;
  const queue: Pending[] = [];
  let current: Pending | undefined;
  // The request whose body is still arriving (its size is final on completion).
  let sending: Pending | undefined;

  // After an upgrade request (websocket, h2c, CONNECT) the client waits for the answer: request
  // bytes are not parsed until it comes. 101/2xx-to-CONNECT ends sniffing; any other answer means
  // the client goes on speaking HTTP, so parsing resumes with a fresh request parser.
  let awaitingUpgrade = false;

  const stop = (): void => {
    active = false;
    req.stop();
    res.stop();
  };

  const newRequestParser = (): HttpParser =>
    createHttpParser('request', {
      onHead(head: RequestHead | { kind: 'response' }) {
        if (head.kind !== 'request') return;
        const p = pending(now(), elapsed(), head.method, head.path, head.upgrade);
        queue.push(p);
        sending = p;
        if (queue.length > MAX_PIPELINE) stop();
      },
      onComplete(bodyBytes) {
        if (sending) sending.requestSize = bodyBytes;
        if (sending?.upgrade) {
          awaitingUpgrade = true;
          req.stop();
        }
        sending = undefined;
      },
      onFail() {
        stop();
      },
    });
  let req: HttpParser = newRequestParser();

  // The upgrade `p` asked for was declined (any answer but 101, or a non-2xx to CONNECT): HTTP goes
  // on. The answer may come before the request's body is through (an early 413), so the request
  // must not stop the parser when it completes.
  const declined = (p: Pending): void => {
    p.upgrade = false;
    if (!awaitingUpgrade) return;
    awaitingUpgrade = false;
    req = newRequestParser();
  };

  const res: HttpParser = createHttpParser('response', {
    bodyless(head) {
      if (head.status < 200 || head.status === 204 || head.status === 304) return true;
      return queue[0]?.method === 'HEAD' || (queue[0]?.method === 'CONNECT' && head.status < 300);
    },
    onHead(head) {
      if (head.kind !== 'response') return;
      if (head.status === 101) {
        const p = queue.shift();
        if (p) {
          p.status = 101;
          p.headAt = elapsed();
          emit(p, 0);
        }
        stop();
        return;
      }
      if (head.status < 200) return; // 100 Continue, 103 Early Hints: the final response follows
      const p = queue.shift();
      if (p?.upgrade && p.method !== 'CONNECT') declined(p);
      // A response with no request seen (we joined mid-stream): record it without a request line.
      current = p ?? pending(now(), elapsed(), '', '', false);
      current.status = head.status;
      current.headAt = elapsed();
      if (p?.method === 'CONNECT') {
        if (head.status < 300) {
          emit(current, 0);
          current = undefined;
          stop();
        } else declined(p);
      }
    },
    onComplete(bodyBytes) {
      if (current) emit(current, bodyBytes);
      current = undefined;
    },
    onFail() {
      stop();
    },
  });

  const emit = (p: Pending, size: number): void => {
    onExchange({
      at: p.at,
      method: p.method,
      path: p.path,
      statusCode: p.status,
      durationMs: Math.max(0, p.headAt - p.startedAt),
      requestSize: p.requestSize,
      responseSize: size,
    });
  };

  return {
    request(chunk) {
      if (active && !awaitingUpgrade) req.push(chunk);
    },
    response(chunk) {
      if (active) res.push(chunk);
    },
    end() {
      if (active) res.end();
      active = false;
    },
    get active() {
      return active;
    },
  };
};
