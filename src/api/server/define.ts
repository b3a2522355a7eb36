// One table of routes drives both the server and its OpenAPI document: each definition names its
// path, params/query/body schemas (contract/api) and response schema; `mountRoutes` validates input
// with them (400 naming the field, unknown body fields refused) and registers the same schemas in
// the OpenAPI registry, so the document cannot drift from what is served.
import { terminalSafeJson } from '../../contract/terminal-text.js';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError, envelope } from '../../contract/api.js';
import { ERROR_CODES, KubefwdError } from '../../contract/errors.js';
import { errorResponse, invalidInput } from './respond.js';

// Bodies quote cluster and traffic text. JSON.stringify already escapes C0; terminalSafeJson also
// writes DEL, C1 and bidi controls as \u escapes, so `curl` to a terminal shows them inertly (the
// parsed value is the same string).
const safeJson = (value: unknown, status: number): Response =>
  new Response(terminalSafeJson(value), {
    status,
    headers: { 'content-type': 'application/json' },
  });
export type Method = 'get' | 'post' | 'delete';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteInput<
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
> {
  c: Context;
  params: P extends AnyObject ? z.output<P> : Record<string, never>;
  query: Q extends AnyObject ? z.output<Q> : Record<string, never>;
  body: B extends z.ZodType ? z.output<B> : undefined;
}

export interface RouteDef<
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  /** Hono syntax: `/api/v1/services/:key`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Default true: requires the bearer key. */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The payload schema (inside the envelope unless `bare`). */
  response?: z.ZodType;
  /** `json` (default), `sse`, `html`, `yaml`. */
  produces?: 'json' | 'sse' | 'html' | 'yaml' | 'redirect';
  /** The response is the payload itself (health, OpenAPI), not an envelope. */
  bare?: boolean;
  status?: 200 | 201;
  /** Error statuses worth documenting (401/403/400 are added for every authenticated route). */
  errors?: number[];
  /** Returns the payload (wrapped in the envelope) or a Response. */
  handler(input: RouteInput<P, Q, B>): unknown;
}

/** Keeps the generic parameters of a definition (for typed handlers). */
export const route = <
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  def: RouteDef<P, Q, B>,
): RouteDef => def;

export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/**
 * Meta of list payloads: `count` for arrays and for payloads that lead with their list
 * (`{services: [...], summary}`, `{logs: [...], totalCount}`). A single object that merely holds
 * arrays (an added service's ports, /api/info's namespaces) is not a list and has no count.
 */
const countOf = (data: unknown): number | undefined => {
  if (Array.isArray(data)) return data.length;
  if (data && typeof data === 'object') {
    const first: unknown = Object.values(data)[0];
    if (Array.isArray(first)) return first.length;
  }
  return undefined;
};

export interface MountOptions {
  now: () => number;
  log: (message: string) => void;
}

const readJson = async (c: Context): Promise<unknown> => {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.trim() === '')
    throw new KubefwdError('INVALID_INPUT', 'body: a JSON object is required', { field: 'body' });
  if (type !== '' && !/^application\/(.+\+)?json\b/i.test(type))
    throw new KubefwdError(
      'INVALID_INPUT',
      `body: Content-Type must be application/json, got "${type.slice(0, 64)}"`,
      {
        field: 'body',
      },
    );
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new KubefwdError('INVALID_INPUT', `body: malformed JSON (${(err as Error).message})`, {
      field: 'body',
    });
  }
};

export const mountRoutes = (app: OpenAPIHono, defs: readonly RouteDef[], opts: MountOptions): void => {
  for (const def of defs) {
    app.on(def.method.toUpperCase(), def.path, async (c) => {
      try {
        let params: unknown = {};
        if (def.params) {
          const r = def.params.safeParse(c.req.param());
          if (!r.success) throw invalidInput('path', r.error);
          params = r.data;
        }
        let query: unknown = {};
        if (def.query) {
          // Repeated names are joined (?type=A&type=B ≡ ?type=A,B); fromEntries keeps "__proto__" a plain key.
          const queries = c.req.queries();
          const raw = Object.fromEntries(Object.entries(queries).map(([k, v]) => [k, v.join(',')]));
          const r = def.query.safeParse(raw);
          if (!r.success) {
            // A joined value that fails (?limit=1&limit=2 → "1,2") is said as given twice, not as a
            // value out of range.
            const name = String(r.error.issues[0]?.path[0] ?? '');
            const times = Object.hasOwn(queries, name) ? (queries[name]?.length ?? 0) : 0;
            if (times > 1)
              throw new KubefwdError(
                'INVALID_INPUT',
                `query.${name}: given ${times} times (${(queries[name] ?? []).map((v) => `"${v.slice(0, 32)}"`).join(', ')}); pass it once`,
                { field: `query.${name}` },
              );
            throw invalidInput('query', r.error);
          }
          query = r.data;
        }
        let body: unknown;
        if (def.body) {
          const r = def.body.safeParse(await readJson(c));
          if (!r.success) throw invalidInput('body', r.error);
          body = r.data;
        }
        const out = await def.handler({ c, params, query, body } as RouteInput<
          AnyObject,
          AnyObject,
          z.ZodType
        >);
        if (out instanceof Response) return out;
        if (def.bare) return safeJson(out, def.status ?? 200);
        const count = countOf(out);
        return safeJson(
          {
            success: true,
            data: out,
            meta: { ...(count ? { count } : {}), timestamp: new Date(opts.now()).toISOString() },
          },
          def.status ?? 200,
        );
      } catch (err) {
        return errorResponse(c.req, err, opts.log);
      }
    });
    registerDoc(app, def);
  }
};

const errorDoc = (status: number) => ({
  description: Object.entries(ERROR_CODES)
    .filter(([, v]) => v.status === status)
    .map(([k]) => k)
    .join(', '),
  content: { 'application/json': { schema: ApiError } },
});

const registerDoc = (app: OpenAPIHono, def: RouteDef): void => {
  const status = def.status ?? 200;
  const produces = def.produces ?? 'json';
  const content: Record<string, { schema: z.ZodType }> | undefined =
    produces === 'json'
      ? {
          'application/json': {
            schema: def.bare ? (def.response ?? z.unknown()) : envelope(def.response ?? z.unknown()),
          },
        }
      : produces === 'sse'
        ? {
            'text/event-stream': {
              schema: z.string().meta({ description: def.description ?? 'SSE stream' }),
            },
          }
        : produces === 'html'
          ? { 'text/html': { schema: z.string() } }
          : produces === 'yaml'
            ? { 'application/yaml': { schema: z.string() } }
            : undefined;
  const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> =
    {
      [produces === 'redirect' ? '302' : String(status)]: {
        description: def.summary,
        ...(content ? { content } : {}),
      },
    };
  const errs = new Set(def.errors ?? []);
  if (def.auth !== false) {
    errs.add(401);
    errs.add(403);
  }
  if (def.params || def.query || def.body) errs.add(400);
  for (const s of [...errs].sort()) responses[String(s)] = errorDoc(s);
  app.openAPIRegistry.registerPath({
    method: def.method,
    path: openApiPath(def.path),
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [def.tag],
    ...(def.auth !== false ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    request: {
      ...(def.params ? { params: def.params } : {}),
      ...(def.query ? { query: def.query } : {}),
      ...(def.body
        ? { body: { required: true, content: { 'application/json': { schema: def.body } } } }
        : {}),
    },
    responses,
  });
};
