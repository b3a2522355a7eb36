// One HTTP call to the kubefwd API: adds the bearer key, unwraps the envelope, validates the
// payload against its contract schema, and turns every failure into a KubefwdError — the server's
// own code when it sent one, DAEMON_UNAVAILABLE when nothing answers.
import type { z } from 'zod';
import { KubefwdError, errorMessage, isErrorCode, type ErrorCode } from '../../contract/errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Server root or API base ("http://127.0.0.1:8080", ".../api", "http://kubefwd.internal/api/"). */
  baseUrl: string;
  key?: string;
  fetch?: FetchLike;
  /** Per-request timeout; SSE streams are not limited. Default 30 s. */
  timeoutMs?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** `envelope` (default): `{success, data}`; `bare`: the JSON body itself (health, OpenAPI). */
  shape?: 'envelope' | 'bare';
}

/** Strips a trailing "/" and "/api" so both spellings of the base URL work. */
export const normaliseBaseUrl = (url: string): string => {
  let u = url.trim().replace(/\/+$/, '');
  if (u.endsWith('/api')) u = u.slice(0, -4);
  return u;
};

export const buildUrl = (root: string, path: string, query?: Query): string => {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return `${root}${path}${s ? `?${s}` : ''}`;
};

const codeForStatus = (status: number): ErrorCode => {
  if (status === 400) return 'INVALID_INPUT';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN_HOST';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 503) return 'NOT_READY';
  if (status === 504) return 'TIMEOUT';
  return 'INTERNAL';
};

/**
 * Why a request got no answer, in words: fetch says only "fetch failed" and keeps the socket's
 * error (ECONNREFUSED and the like) as its cause.
 */
export const unreachableReason = (err: unknown): string => {
  const cause = (err as { cause?: unknown }).cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'nothing listens there (connection refused)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before an answer';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'that name does not resolve';
  return cause instanceof Error ? cause.message : errorMessage(err);
};

export interface Transport {
  readonly root: string;
  call<T extends z.ZodType>(path: string, schema: T, options?: CallOptions): Promise<z.output<T>>;
  /** A raw streaming request (SSE); the caller owns the body. */
  stream(path: string, query: Query | undefined, signal: AbortSignal): Promise<Response>;
}

// One closure on purpose: retries, timeouts and the key share the client's state.
export const createTransport = (options: TransportOptions): Transport => {
  const root = normaliseBaseUrl(options.baseUrl);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers = (json: boolean): Record<string, string> => ({
    accept: 'application/json',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
  });

  const unavailable = (url: string, err: unknown): KubefwdError =>
    new KubefwdError(
      'DAEMON_UNAVAILABLE',
      `cannot reach the kubefwd API at ${root}: ${unreachableReason(err)}`,
      {
        cause: err,
        field: url,
      },
    );

  const call = async <T extends z.ZodType>(
    path: string,
    schema: T,
    opts: CallOptions = {},
  ): Promise<z.output<T>> => {
    const method = opts.method ?? 'GET';
    const url = buildUrl(root, path, opts.query);
    const hasBody = opts.body !== undefined;
    let res: Response;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      res = await doFetch(url, {
        method,
        headers: headers(hasBody),
        ...(hasBody ? { body: JSON.stringify(opts.body) } : {}),
        signal,
      });
    } catch (err) {
      if (signal.aborted)
        throw new KubefwdError(
          'TIMEOUT',
          `${method} ${path}: no answer from the kubefwd API within ${timeoutMs} ms`,
          {
            cause: err,
          },
        );
      throw unavailable(url, err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw unavailable(url, err);
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (
        json as { error?: { code?: unknown; message?: unknown; hint?: unknown; field?: unknown } } | undefined
      )?.error;
      const code = isErrorCode(e?.code) ? e.code : codeForStatus(res.status);
      const message =
        typeof e?.message === 'string'
          ? e.message
          : `${method} ${path} failed with HTTP ${res.status}: ${text.slice(0, 200)}`;
      throw new KubefwdError(code, message, {
        ...(typeof e?.hint === 'string' ? { hint: e.hint } : {}),
        ...(typeof e?.field === 'string' ? { field: e.field } : {}),
      });
    }
    const payload =
      (opts.shape ?? 'envelope') === 'bare' ? json : (json as { data?: unknown } | undefined)?.data;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new KubefwdError(
        'INTERNAL',
        `${method} ${path}: the response does not match the API contract (${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')})`,
      );
    }
    return parsed.data;
  };

  const stream = async (path: string, query: Query | undefined, signal: AbortSignal): Promise<Response> => {
    const url = buildUrl(root, path, query);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'GET',
        headers: { ...headers(false), accept: 'text/event-stream' },
        signal,
      });
    } catch (err) {
      throw unavailable(url, err);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let e: { code?: unknown; message?: unknown } | undefined;
      try {
        e = (JSON.parse(text) as { error?: typeof e }).error;
      } catch {
        e = undefined;
      }
      throw new KubefwdError(
        isErrorCode(e?.code) ? e.code : codeForStatus(res.status),
        typeof e?.message === 'string' ? e.message : `GET ${path} failed with HTTP ${res.status}`,
      );
    }
    return res;
  };

  return { root, call, stream };
};
