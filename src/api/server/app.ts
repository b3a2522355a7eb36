// The REST API as a Hono app (testable in process with `app.request()`): Host check (DNS
// rebinding), bearer key on everything but the public routes, no-cache headers, no CORS, one
// error envelope, and the routes of routes/*.ts — whose schemas also make the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { trimTrailingSlash } from 'hono/trailing-slash';
import { stringify } from 'yaml';
import { KubefwdError } from '../../contract/errors.js';
import { systemClock } from '../../engine/gateways.js';
import { mountRoutes, type RouteDef } from './define.js';
import type { ApiDeps, RouteContext } from './deps.js';
import { docsPage } from './docs-page.js';
import { errorResponse } from './respond.js';
import { diagnosticRoutes } from './routes/diagnostics.js';
import { eventRoutes } from './routes/events.js';
import { forwardRoutes } from './routes/forwards.js';
import { historyRoutes } from './routes/history.js';
import { kubernetesRoutes } from './routes/kubernetes.js';
import { logRoutes } from './routes/logs.js';
import { metaRoutes } from './routes/meta.js';
import { metricsRoutes } from './routes/metrics.js';
import { namespaceRoutes } from './routes/namespaces.js';
import { serviceRoutes } from './routes/services.js';
import { checkBearer, isAllowedHost } from './security.js';
import { dashboardRoutes, isDashboardPagePath, mountDashboardPages } from './dashboard-routes.js';
import { checkCookie, createDashboardSessions } from './dashboard-session.js';

/** Names we answer to on any port when the caller does not say (tests, in-process use). */
export const DEFAULT_ALLOWED_HOSTS = ['kubefwd.internal', 'localhost', '127.0.0.1', '[::1]'] as const;
/** Request bodies are small JSON objects; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The methods (upper case, GET implying HEAD) the route table serves on `path`. */
const routeMethods = (routes: readonly RouteDef[]): ((path: string) => string[]) => {
  const patterns = routes.map((r) => ({
    method: r.method.toUpperCase(),
    re: new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`),
  }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.re.test(path)).map((p) => p.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  };
};

/** The Hono app and its route table (a test checks every route's response against its schema). */
export type ApiApp = OpenAPIHono & { readonly routeTable: readonly RouteDef[] };

// The middleware order is the point (Host check, auth, routes), so it reads top to bottom in one place.
export const createApiApp = (deps: ApiDeps): ApiApp => {
  const clock = deps.clock ?? systemClock;
  const ctx: RouteContext = {
    ...deps,
    traffic: deps.traffic ?? deps.state.traffic,
    now: () => clock.now(),
    uptimeMs: () => Math.max(0, clock.now() - deps.startedAt),
    currentContext: () => deps.controller.contexts().current,
    logError: (m) => deps.log?.error(m),
    sseStreams: { open: 0 },
  };
  const allowed = (): readonly string[] =>
    typeof deps.allowedHosts === 'function'
      ? deps.allowedHosts()
      : (deps.allowedHosts ?? DEFAULT_ALLOWED_HOSTS);

  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The API key: KUBEFWD_API_KEY, or the generated key in ~/.kubefwd/api.json',
  });

  let openapiDoc: object | undefined;
  const openapi = (): object =>
    (openapiDoc ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'kubefwd API',
        version: deps.version,
        description:
          'Bulk Kubernetes port forwarding: forwarded services, forwards, traffic, history, diagnostics and cluster discovery. ' +
          'Responses use the envelope {success, data, meta}; errors {success:false, error:{code, message, hint, field}}.',
      },
      servers: [{ url: '/' }],
    }));
  let yamlDoc: string | undefined;
  const yaml = (): string => (yamlDoc ??= stringify(openapi()));
  let docsHtml: string | undefined;
  const docs = (): string => (docsHtml ??= docsPage(openapi(), deps.version));

  const dashboard = {
    sessions: deps.dashboard?.sessions ?? createDashboardSessions(clock),
    assetsDir: deps.dashboard?.assetsDir,
    ...(deps.dashboard?.baseUrl ? { baseUrl: deps.dashboard.baseUrl } : {}),
  };
  const routes: RouteDef[] = [
    ...metaRoutes(ctx, openapi, yaml, docs),
    ...dashboardRoutes(dashboard),
    ...serviceRoutes(ctx),
    ...forwardRoutes(ctx),
    ...metricsRoutes(ctx),
    ...logRoutes(ctx),
    ...eventRoutes(ctx),
    ...diagnosticRoutes(ctx),
    ...historyRoutes(ctx),
    ...namespaceRoutes(ctx),
    ...kubernetesRoutes(ctx),
  ];
  const publicPaths = new Set(routes.filter((r) => r.auth === false).map((r) => r.path));

  app.use('*', async (c, next) => {
    const started = clock.now();
    await next();
    const url = new URL(c.req.url);
    deps.log?.debug(
      `API ${c.req.method} ${url.pathname}${url.search} ${c.res.status} ${clock.now() - started}ms`,
    );
  });
  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isAllowedHost(host, allowed()))
      return errorResponse(
        c.req,
        new KubefwdError('FORBIDDEN_HOST', `Host "${host.slice(0, 100)}" is not this API's address`, {
          field: 'header.host',
        }),
      );
    await next();
    c.header(
      'Cache-Control',
      c.res.headers.get('Content-Type')?.startsWith('text/event-stream')
        ? 'no-cache'
        : 'no-store, no-cache, must-revalidate, max-age=0',
    );
    c.header('Pragma', 'no-cache');
    c.header('Expires', '0');
    c.header('X-Content-Type-Options', 'nosniff');
  });
  // A browser's CORS preflight (OPTIONS with an Origin), before the key check: the API sends no CORS
  // headers on purpose, so a page on another origin cannot call it — say so, rather than a 401 that
  // sends a browser developer after an API key that would not help. kubefwd answered 204 here.
  app.use('*', async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method !== 'OPTIONS' || origin === undefined) return next();
    return errorResponse(
      c.req,
      new KubefwdError(
        'CROSS_ORIGIN_REFUSED',
        `Cross-origin requests are not served: this API sends no CORS headers, so a browser page on ${origin.slice(0, 100)} cannot call it`,
        { field: 'header.origin' },
      ),
    );
  });
  // No route ends in a slash: `GET /api/` (as people type it) is redirected to `/api`, before the
  // key check so that a public page stays public.
  app.use('*', trimTrailingSlash({ alwaysRedirect: true }));
  app.use('*', async (c, next) => {
    if (publicPaths.has(c.req.path) || isDashboardPagePath(c.req.path)) return next();
    const r = checkBearer(c.req.header('authorization'), deps.key);
    if (r === 'ok') return next();
    // No key: the dashboard's session cookie, whose changes must come from our own pages.
    const cookie =
      r === 'missing'
        ? checkCookie(dashboard.sessions, {
            method: c.req.method,
            cookie: c.req.header('cookie'),
            origin: c.req.header('origin'),
            host: c.req.header('host') ?? new URL(c.req.url).host,
          })
        : 'none';
    if (cookie === 'ok') return next();
    if (cookie === 'forbidden-origin')
      return errorResponse(
        c.req,
        new KubefwdError(
          'FORBIDDEN_ORIGIN',
          `Origin "${(c.req.header('origin') ?? '(none)').slice(0, 100)}" may not change anything through a dashboard session`,
          { field: 'header.origin' },
        ),
      );
    return errorResponse(
      c.req,
      new KubefwdError(
        'UNAUTHORIZED',
        r === 'missing' ? 'API key required. Pass via Authorization: Bearer <key>' : 'Invalid API key',
        { field: 'header.authorization' },
      ),
    );
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(
          c.req,
          new KubefwdError('INVALID_INPUT', `body: larger than ${MAX_BODY_BYTES} bytes`, { field: 'body' }),
        ),
    }),
  );

  mountDashboardPages(app, dashboard);
  mountRoutes(app, routes, { now: () => ctx.now(), log: (m) => ctx.logError(m) });

  // A path we serve asked with another method: 405 with the methods it takes (Allow), not "No route".
  const methodsOf = routeMethods(routes);
  app.notFound((c) => {
    const allow = methodsOf(c.req.path);
    if (allow.length > 0) {
      const res = errorResponse(
        c.req,
        new KubefwdError(
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not allowed on ${c.req.path}; it takes ${allow.join(', ')}`,
        ),
      );
      res.headers.set('Allow', allow.join(', '));
      return res;
    }
    return errorResponse(
      c.req,
      new KubefwdError('NOT_FOUND', `No route ${c.req.method} ${c.req.path}`, {
        hint: 'See /docs or /api/openapi.json for the routes.',
      }),
    );
  });
  app.onError((err, c) => errorResponse(c.req, err, (m) => ctx.logError(m)));
  return Object.assign(app, { routeTable: routes });
};
