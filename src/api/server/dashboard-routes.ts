// The dashboard as the daemon serves it: the page at `/`, its static files under /assets (built by
// `npm run build:web` into dist/web, read once from disk), the one-time login at /login and the
// key-holder's link minting. No CDN, no network: every byte comes from the package.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DASHBOARD_ASSETS_PATH,
  DASHBOARD_LINK_PATH,
  DASHBOARD_LOGIN_PATH,
  DashboardLinkResponse,
} from '../../contract/api-dashboard.js';
import { route, type RouteDef } from './define.js';
import { sessionCookie, type DashboardSessions } from './dashboard-session.js';

/** The files of the build, and their types; nothing else is served from the directory. */
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/**
 * Scripts and styles only from the daemon itself, no inline code, no frames: untrusted text that
 * slipped into markup still could not run.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const pageHeaders = (type: string): Record<string, string> => ({
  'Content-Type': type,
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
});

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A page without scripts, for login failures and a missing build. */
const plainPage = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${DASHBOARD_ASSETS_PATH}/app.css"></head>` +
  `<body><main class="plain"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></main></body></html>`;

export interface DashboardOptions {
  sessions: DashboardSessions;
  /** The built dashboard (index.html, app.js, app.css); undefined when the package has none. */
  assetsDir: string | undefined;
  /** The daemon's own address for links (`http://kubefwd.internal`); default: the request's Host. */
  baseUrl?: () => string | undefined;
}

/** Reads the build once; a missing file is remembered as missing (the page says how to build it). */
const assetReader = (dir: string | undefined) => {
  const cache = new Map<string, Buffer | null>();
  return (name: string): Buffer | undefined => {
    if (!cache.has(name)) {
      let data: Buffer | null = null;
      if (dir !== undefined)
        try {
          data = readFileSync(join(dir, name));
        } catch {
          data = null;
        }
      cache.set(name, data);
    }
    return cache.get(name) ?? undefined;
  };
};

const linkBase = (c: Context, opts: DashboardOptions): string =>
  opts.baseUrl?.() ?? `http://${c.req.header('host') ?? new URL(c.req.url).host}`;

/** Routes of the API table: the page at `/` and the link minting (needs the key or a session). */
export const dashboardRoutes = (opts: DashboardOptions): RouteDef[] => {
  const read = assetReader(opts.assetsDir);
  return [
    route({
      method: 'get',
      path: '/',
      tag: 'daemon',
      summary: 'The dashboard (no key needed for the page; its data needs a session from `kubefwd open`)',
      auth: false,
      produces: 'html',
      handler: ({ c }) => {
        const index = read('index.html');
        if (!index)
          return c.body(
            plainPage(
              'kubefwd dashboard not built',
              'This installation has no dashboard files. Build them with `npm run build` (or reinstall kubefwd); the API and its docs at /docs work without them.',
            ),
            503,
            pageHeaders('text/html; charset=utf-8'),
          );
        return c.body(new Uint8Array(index), 200, pageHeaders('text/html; charset=utf-8'));
      },
    }),
    route({
      method: 'post',
      path: DASHBOARD_LINK_PATH,
      tag: 'daemon',
      summary:
        'A one-time dashboard login link (single use, valid 2 minutes): what `kubefwd open` opens in the browser',
      response: DashboardLinkResponse,
      handler: ({ c }) => {
        const { token, expiresAt } = opts.sessions.mintToken();
        return {
          url: `${linkBase(c, opts)}${DASHBOARD_LOGIN_PATH}?token=${token}`,
          expiresAt: new Date(expiresAt).toISOString(),
        };
      },
    }),
  ];
};

/** Paths served outside the API table (not API operations: the login step and static files). */
export const isDashboardPagePath = (path: string): boolean =>
  path === DASHBOARD_LOGIN_PATH || path === FAVICON_PATH || path.startsWith(`${DASHBOARD_ASSETS_PATH}/`);

/** Where browsers look for an icon on pages that name none (/docs, a JSON answer). */
const FAVICON_PATH = '/favicon.ico';

/** /login and /assets/*, mounted on the app beside the API table. */
export const mountDashboardPages = (app: OpenAPIHono, opts: DashboardOptions): void => {
  const read = assetReader(opts.assetsDir);
  const serveAsset = (c: Context, name: string) => {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    const data = type ? read(name) : undefined;
    if (!type || !data) return c.body('not found', 404, { 'Content-Type': 'text/plain; charset=utf-8' });
    return c.body(new Uint8Array(data), 200, { 'Content-Type': type });
  };
  app.get(`${DASHBOARD_ASSETS_PATH}/:file`, (c) => serveAsset(c, c.req.param('file')));
  app.get(FAVICON_PATH, (c) => serveAsset(c, 'icon.svg'));
  app.get(DASHBOARD_LOGIN_PATH, (c) => {
    const r = opts.sessions.redeem(c.req.query('token'));
    if ('session' in r)
      // 303 to `/`: the token leaves the address bar and the history at once.
      return c.body(null, 303, {
        Location: '/',
        'Set-Cookie': sessionCookie(r.session),
        'Referrer-Policy': 'no-referrer',
      });
    const why =
      r.refused === 'missing'
        ? 'This address needs the one-time token of a login link.'
        : r.refused === 'expired'
          ? 'This login link has expired.'
          : 'This login link is not valid or was already used (each link works once).';
    return c.body(
      plainPage('kubefwd: login link refused', `${why} Run \`kubefwd open\` for a new link.`),
      401,
      pageHeaders('text/html; charset=utf-8'),
    );
  });
};
