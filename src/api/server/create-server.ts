// The app and its socket in one call, for callers that need nothing in between (the daemon binds
// its socket earlier, before the engine starts, and uses createApiApp + its own listener).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApiApp } from './app.js';
import type { ApiDeps } from './deps.js';
import { defaultAllowedHosts } from './security.js';
import { startApiServer, type RunningApiServer } from './server.js';

export interface ApiServer extends RunningApiServer {
  app: OpenAPIHono;
}

/**
 * Creates the app and serves it on `host:port` (loopback only). Unless `allowedHosts` is given,
 * the Host header must name the listen address, kubefwd.internal, localhost or 127.0.0.1 with the
 * port actually bound.
 */
export const createApiServer = async (deps: ApiDeps & { host: string; port: number }): Promise<ApiServer> => {
  // The port is known only once bound; the Host check reads it then.
  const bound: { server?: RunningApiServer } = {};
  const app = createApiApp({
    ...deps,
    allowedHosts:
      deps.allowedHosts ??
      (() => (bound.server ? defaultAllowedHosts(bound.server.host, bound.server.port) : [])),
  });
  bound.server = await startApiServer({ app, host: deps.host, port: deps.port });
  return { ...bound.server, app };
};
