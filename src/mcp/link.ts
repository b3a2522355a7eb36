// Finds the daemon for every call (P7: the MCP process holds no state of its own). The reference
// probed once at start and never again; we re-read the discovery file each time, so an MCP server
// started before kubefwd works as soon as kubefwd is up, and a restarted daemon (new port, new key)
// is followed without restarting the AI client.
// The REST client (and the contract schemas it parses answers with) is loaded on the first call,
// not with this module: `kubefwd mcp` answers the MCP handshake before it needs the daemon.
import type { DaemonAddress, DaemonProbes } from '../api/client/index.js';
import { KubefwdError } from '../contract/errors.js';
import type { BackendProvider, KubefwdBackend } from './backend.js';

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
      const api = (await client()).createApiClient({
        baseUrl: addr.url,
        ...(addr.key ? { key: addr.key } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
      return addr.source === 'file' ? api : namingTheRunningDaemon(api, addr, opts);
    },
    expectedKey: async () => {
      const explicit = opts.apiKey || opts.env.KUBEFWD_API_KEY;
      if (explicit) return explicit;
      return (await discover().catch(() => undefined))?.key;
    },
  };
};

/**
 * A pinned address (--api-url, KUBEFWD_API_URL) where nothing answers, while the discovery file
 * names a kubefwd that runs elsewhere: the usual "start kubefwd" would start a second one, so the
 * error names the running one and the override to remove instead.
 */
const namingTheRunningDaemon = (
  api: KubefwdBackend,
  addr: DaemonAddress,
  opts: DaemonLinkOptions,
): KubefwdBackend => {
  const explain = async (err: unknown): Promise<never> => {
    if (!(err instanceof KubefwdError) || err.code !== 'DAEMON_UNAVAILABLE') throw err;
    const { normaliseBaseUrl, runningFromFile } = await import('../api/client/index.js');
    const running = await runningFromFile({
      ...(opts.home ? { home: opts.home } : {}),
      ...(opts.probes?.isAlive ? { isAlive: opts.probes.isAlive } : {}),
    });
    if (!running || normaliseBaseUrl(running.url) === normaliseBaseUrl(addr.url)) throw err;
    const by = addr.source === 'options' ? '--api-url' : 'KUBEFWD_API_URL';
    throw new KubefwdError(
      'DAEMON_UNAVAILABLE',
      `kubefwd runs at ${running.url} (pid ${running.pid}), but this MCP server is pinned to ${addr.url} by ${by}, where it cannot reach it`,
      {
        cause: err,
        field: by,
        hint: `Remove ${by} from the MCP client configuration (kubefwd mcp then finds the running kubefwd by itself), or set it to ${running.url}; kubefwd is already running, do not start another.`,
      },
    );
  };
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out instanceof Promise ? out.catch(explain) : out;
      };
    },
  });
};
