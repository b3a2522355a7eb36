// Reading a request as the API server does: the body (bounded), JSON, the watch timeout, and the
// two answers every handler gives alike (no such resource, method not allowed).
import type http from 'node:http';
import { ApiError } from './status.js';

/** Longest watch a client may ask for; beyond it (or not a whole number) the answer is 400. */
const MAX_WATCH_TIMEOUT_SECONDS = 86_400;

export const timeoutParam = (q: URLSearchParams): { timeoutSeconds?: number } => {
  const text = q.get('timeoutSeconds');
  if (text === null || text === '') return {};
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_WATCH_TIMEOUT_SECONDS))
    throw new ApiError(
      400,
      'BadRequest',
      `timeoutSeconds must be an integer from 0 to ${MAX_WATCH_TIMEOUT_SECONDS} (got ${JSON.stringify(text.slice(0, 40))})`,
    );
  return n > 0 ? { timeoutSeconds: n } : {};
};

export const readBody = async (req: http.IncomingMessage, limit = 8 << 20): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new ApiError(413, 'BadRequest', 'request entity too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
};

export const parseJson = (buf: Buffer): unknown => {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError(
      400,
      'BadRequest',
      `the body of the request could not be decoded as JSON: ${String(err)}`,
    );
  }
};

/** The body as JSON (undefined when empty). */
export const readJson = async (req: http.IncomingMessage): Promise<unknown> => parseJson(await readBody(req));

export const noSuchResource = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export const methodNotAllowed = (): ApiError =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

/** `found`, or 404 when there is none. */
export const orNoSuchResource = <T>(found: T | undefined): T => {
  if (found === undefined) throw noSuchResource();
  return found;
};
