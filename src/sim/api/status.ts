// Kubernetes `Status` errors: the one shape every API error takes, so clients (kubectl,
// client-node, our own kube adapter) decode reason/code/message as from a real API server.
import type http from 'node:http';
import type { KStatus } from '../../contract/kube.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'InternalError'
  | 'ServiceUnavailable';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: { name?: string; kind?: string; group?: string },
  ) {
    super(message);
  }
}

export const statusBody = (
  code: number,
  reason: string,
  message: string,
  details?: KStatus['details'],
): KStatus => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

export const notFound = (resource: string, name: string, group = ''): ApiError =>
  new ApiError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, {
    name,
    kind: resource,
    ...(group ? { group } : {}),
  });

export const alreadyExists = (resource: string, name: string, group = ''): ApiError =>
  new ApiError(409, 'AlreadyExists', `${resource}${group ? `.${group}` : ''} "${name}" already exists`, {
    name,
    kind: resource,
    ...(group ? { group } : {}),
  });

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
  });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
}

/** A raw HTTP response on an upgrade socket (before any 101). */
export function rawResponse(
  socket: { write(b: string): unknown; end(): unknown; destroy(): unknown },
  code: number,
  text: string,
  body: string,
  contentType = 'application/json',
  extraHeaders: Record<string, string> = {},
): void {
  const headers = Object.entries({
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-cache, private',
    Connection: 'close',
    ...extraHeaders,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`HTTP/1.1 ${code} ${text}\r\n${headers}\r\n${body}`);
  socket.end();
}
