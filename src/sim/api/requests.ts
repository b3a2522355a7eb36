// Reading a request as the API server does: the body (bounded), JSON, the watch timeout, and the
// two answers every handler gives alike (no such resource, method not allowed).
import type http from 'node:http';
import { parse as parseYamlText } from 'yaml';
import { PROTOBUF_MEDIA_TYPE, type KubernetesProtobufDecoder } from './protobuf/decode.js';
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

export const parseYaml = (buf: Buffer): unknown => {
  try {
    return parseYamlText(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError(
      400,
      'BadRequest',
      `the body of the request could not be decoded as YAML: ${String(err)}`,
    );
  }
};

/** Whether the request is a server-side dry run (`dryRun=All`: checked and answered, not stored). */
export const isDryRun = (q: URLSearchParams): boolean => q.get('dryRun') === 'All';

/** A body naming another object than its URL does. */
export const nameMismatch = (bodyName: string, urlName: string): ApiError =>
  new ApiError(
    400,
    'BadRequest',
    `the name of the object (${bodyName}) does not match the name on the URL (${urlName})`,
  );

/** The request's media type, lower case, without parameters ('' when it has none). */
export const mediaTypeOf = (req: http.IncomingMessage): string =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * An object body in the media type its request names, as the API server reads one: JSON (also when
 * none is named), YAML or Kubernetes protobuf (kubectl's typed clients send that). Undefined when empty.
 */
export const decodeObject = (
  req: http.IncomingMessage,
  body: Buffer,
  protobuf: KubernetesProtobufDecoder,
): unknown => {
  if (body.length === 0) return undefined;
  const type = mediaTypeOf(req);
  if (type === '' || type === 'application/json') return parseJson(body);
  if (type === PROTOBUF_MEDIA_TYPE) return protobuf.decode(body);
  if (type === 'application/yaml') return parseYaml(body);
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_MEDIA_TYPE}`,
  );
};

/** The body as an object, read by its media type (undefined when empty). */
export const readObject = async (
  req: http.IncomingMessage,
  protobuf: KubernetesProtobufDecoder,
): Promise<unknown> => decodeObject(req, await readBody(req), protobuf);

export const noSuchResource = (): ApiError =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export const methodNotAllowed = (): ApiError =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

/** `found`, or 404 when there is none. */
export const orNoSuchResource = <T>(found: T | undefined): T => {
  if (found === undefined) throw noSuchResource();
  return found;
};
