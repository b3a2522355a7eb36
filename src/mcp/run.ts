// `kubefwd mcp`: the MCP server for AI assistants, over stdio (default) or Streamable HTTP
// (`--http`). Unprivileged; speaks only the REST API of a running kubefwd, found on every call.
// Only light modules are imported here: MCP hosts start `kubefwd mcp` for every session, and the SDK,
// zod and the tool schemas load after the handshake (stdio/serve.ts) or for --http.
import { homedir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { errorMessage } from '../contract/errors.js';
import { daemonNeedsNoStart } from './errors.js';
import type { DaemonProbes } from '../api/client/index.js';
import { createDaemonLink } from './link.js';
import { serveMcpStdio } from './stdio/serve.js';

export interface RunMcpServerOptions {
  apiUrl?: string;
  apiKey?: string;
  /** `--http [addr:port]`: serve Streamable HTTP instead of stdio ("" = the loopback default). */
  http?: string;
  verbose?: boolean;
  env?: NodeJS.ProcessEnv;
  version: string;
  /** Home of the invoking user (default $HOME of env, else os.homedir()). */
  home?: string;
  /** How to tell a running daemon from a gone one (default: kill(pid, 0) alone). */
  probes?: DaemonProbes;
  /** Ends the server (tests); SIGINT/SIGTERM also end it. */
  signal?: AbortSignal;
  /** stdio streams (tests); default process.stdin/stdout. */
  stdin?: Readable;
  stdout?: Writable;
  /** Where diagnostics go (never stdout: it is the protocol channel). Default process.stderr. */
  stderr?: Writable;
  /** Called with the URL once `--http` listens. */
  onListening?: (url: string) => void;
}

/**
 * After stdin closes, how long the requests already received may take to be answered (a tool call
 * that waits for a forward waits up to 5 s).
 */
const STDIN_END_DRAIN_MS = 15_000;

// The MCP server's wiring and its shutdown share the transports; kept in order.
/** Runs until stdin closes (stdio) or a signal arrives; resolves with the exit code. */
export const runMcpServer = async (opts: RunMcpServerOptions): Promise<number> => {
  const env = opts.env ?? process.env;
  const err = opts.stderr ?? process.stderr;
  const log = (msg: string): void => void err.write(`kubefwd mcp: ${msg}\n`);
  const debug = (msg: string): void => (opts.verbose ? log(msg) : undefined);
  const link = createDaemonLink({
    env,
    home: opts.home ?? env.HOME ?? homedir(),
    ...(opts.probes ? { probes: opts.probes } : {}),
    ...(opts.apiUrl ? { apiUrl: opts.apiUrl } : {}),
    ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
  });
  // Report whether kubefwd is up; the server starts either way (without waiting for the answer: a
  // daemon that does not answer would hold the start, and a signal meanwhile would find no handler)
  // and re-checks on every call. The check waits until the client's first message has been handled
  // (or a second has passed): it loads the REST client and fetch, which would otherwise delay the
  // answer to `initialize` that an MCP host waits for on every session.
  let checked = false;
  const checkDaemon = (): void => {
    if (checked) return;
    checked = true;
    // /api/info needs the key (health does not): a refused key is told here, not on the first tool call.
    void link
      .backend()
      .then((api) => api.info())
      .then((i) => debug(`connected to kubefwd ${i.version}`))
      .catch((e: unknown) =>
        log(
          (e as { code?: string }).code === 'UNAUTHORIZED'
            ? `kubefwd refused this server's API key (${errorMessage(e)}): remove a stale --api-key or KUBEFWD_API_KEY from the MCP client configuration`
            : // A kubefwd that runs where this server is not pointed (link.ts) needs no start: its own fix.
              daemonNeedsNoStart(e)
              ? `${errorMessage(e)}. ${e.hint}`
              : `kubefwd is not reachable yet (${errorMessage(e)}); tools will work once it runs: sudo -E kubefwd`,
        ),
      );
  };
  const checkLater = setTimeout(checkDaemon, 1000);
  checkLater.unref();

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  opts.signal?.addEventListener('abort', onSignal, { once: true });
  if (opts.signal?.aborted) stop.abort();
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));

  try {
    if (opts.http !== undefined) {
      // Loaded only for --http: the HTTP stack (hono and its Node adapter) is not needed on stdio.
      const [{ isLoopbackHost, parseHttpAddress, startMcpHttpServer }, { createKubefwdMcpServer }] =
        await Promise.all([import('./http.js'), import('./server.js')]);
      checkDaemon();
      const addr = parseHttpAddress(opts.http);
      if (!isLoopbackHost(addr.host))
        log(
          `warning: listening on ${addr.host}, not loopback; anyone who can reach it and knows the key can drive kubefwd`,
        );
      const server = await startMcpHttpServer({
        ...addr,
        factory: () => createKubefwdMcpServer({ backend: link.backend, version: opts.version }),
        expectedKey: () => link.expectedKey(),
        onError: (e) => debug(`http: ${e.message}`),
      });
      log(`Streamable HTTP MCP endpoint at ${server.url} (bearer key required)`);
      opts.onListening?.(server.url);
      await stopped;
      await server.close();
      return 0;
    }
    const stdin = opts.stdin ?? process.stdin;
    const stdout = opts.stdout ?? process.stdout;
    const ended = new Promise<void>((resolve) => {
      stdin.once('end', resolve);
      stdin.once('close', resolve);
    });
    let fatal: Error | undefined;
    const handle = serveMcpStdio({
      stdin,
      stdout,
      backend: link.backend,
      version: opts.version,
      log,
      debug,
      onInstance: () => setImmediate(checkDaemon),
      onFatal: (e) => {
        fatal = e instanceof Error ? e : new Error(String(e));
        stop.abort();
      },
    });
    debug('serving MCP on stdio');
    // stdin closed: answer what was asked first (a signal stops at once).
    const how = await Promise.race([
      ended.then(() => 'ended' as const),
      stopped.then(() => 'stopped' as const),
    ]);
    if (how === 'ended') await Promise.race([handle.drain(STDIN_END_DRAIN_MS), stopped]);
    await handle.close();
    if (fatal !== undefined) throw fatal;
    return 0;
  } catch (e) {
    log(errorMessage(e));
    return 1;
  } finally {
    clearTimeout(checkLater);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    opts.signal?.removeEventListener('abort', onSignal);
  }
};
