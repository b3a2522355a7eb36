// The REST API server: the Hono app, serving it on loopback, the key and the discovery file.
export { createApiApp, DEFAULT_ALLOWED_HOSTS } from './app.js';
export { createApiServer, type ApiServer } from './create-server.js';
export type { ApiDeps } from './deps.js';
export {
  isLoopback,
  parseListen,
  startApiServer,
  type RunningApiServer,
  type StartApiServerOptions,
} from './server.js';
export { discoveryPath, resolveApiKey, type ResolvedKey } from './discovery-file.js';
export { defaultAllowedHosts, isAllowedHost, maskKey } from './security.js';
export { classifyError } from '../../domain/diagnosis.js';
export { BANNER_LINK_TTL_MS, createDashboardSessions, type DashboardSessions } from './dashboard-session.js';
