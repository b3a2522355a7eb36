// Finds the daemon for every call (P7: the MCP process holds no state of its own). The reference
// probed once at start and never again; we re-read the discovery file each time, so an MCP server
// started before kubefwd works as soon as kubefwd is up, and a restarted daemon (new port, new key)
// is followed without restarting the AI client.
// The REST client (and the contract schemas it parses answers with) is loaded on the first call,
// not with this module: `kubefwd mcp` answers the MCP handshake before it needs the daemon.
import type { DaemonProbes } from '../api/client/index.js';
import type { BackendProvider } from './backend.js';

export interface DaemonLinkOptions {
  /** --api-url: wins over KUBEFWD_API_URL and the discovery file. */
  apiUrl?: string;
  /** --api-key: wins over KUBEFWD_API_KEY and the discovery file's key. */
  apiKey?: string;
  env: NodeJS.ProcessEnv;
  /** Home of the invoking user (the discovery file is `<home>/.kubefwd/api.json`). */
  home?: string;
  /** Per-request timeout to the daemon in ms. */
  timeoutMs?: number;
  /** The CLI's checks: a zombie pid is gone; a kubefwd may run without its REST API. */
  probes?: DaemonProbes;
}

export interface DaemonLink {
  backend: BackendProvider;
  /** The key clients of `--http` must present: the explicit one, else the running daemon's. */
  expectedKey(): Promise<string | undefined>;
}

export const createDaemonLink = (opts: DaemonLinkOptions): DaemonLink => {
  const client = () => import('../api/client/index.js');
  const discover = async () =>
    (await client()).discoverDaemon({
      env: opts.env,
      ...(opts.home ? { home: opts.home } : {}),
      ...opts.probes,
      ...(opts.apiUrl ? { url: opts.apiUrl } : {}),
      ...(opts.apiKey ? { key: opts.apiKey } : {}),
    });
  return {
    backend: async () => {
      const addr = await discover();
      return (await client()).createApiClient({
        baseUrl: addr.url,
        ...(addr.key ? { key: addr.key } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
    },
    expectedKey: async () => {
      const explicit = opts.apiKey || opts.env.KUBEFWD_API_KEY;
      if (explicit) return explicit;
      return (await discover().catch(() => undefined))?.key;
    },
  };
};
