// `kubefwd mcp`: the MCP server for AI assistants, over stdio (default) or Streamable HTTP
// (`--http`). Unprivileged; speaks only the REST API of a running kubefwd, found on every call.
import { homedir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { errorMessage } from '../contract/errors.js';
import { createDaemonLink } from './link.js';
import { createKubefwdMcpServer } from './server.js';
import { MAX_STDIN_LINE_BYTES, createLineLimit, parseErrorLine } from './stdin-lines.js';

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

export { createKubefwdMcpServer } from './server.js';
export { createDaemonLink } from './link.js';
export { TOOLS } from './tools/index.js';
export { RESOURCES } from './resources.js';
export { buildPrompts } from './prompts.js';

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
    void link
      .backend()
      .then((api) => api.health())
      .then((h) => debug(`connected to kubefwd ${h.version}`))
      .catch((e: unknown) =>
        log(
          `kubefwd is not reachable yet (${errorMessage(e)}); tools will work once it runs: sudo -E kubefwd`,
        ),
      );
  };
  const checkLater = setTimeout(checkDaemon, 1000);
  checkLater.unref();
  const factory = () => {
    setImmediate(checkDaemon);
    return createKubefwdMcpServer({ backend: link.backend, version: opts.version });
  };

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
      const { isLoopbackHost, parseHttpAddress, startMcpHttpServer } = await import('./http.js');
      checkDaemon();
      const addr = parseHttpAddress(opts.http);
      if (!isLoopbackHost(addr.host))
        log(
          `warning: listening on ${addr.host}, not loopback; anyone who can reach it and knows the key can drive kubefwd`,
        );
      const server = await startMcpHttpServer({
        ...addr,
        factory,
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
    // An over-long line is answered with a parse error and logged; the server keeps going.
    const lines = createLineLimit({
      onDropped: (bytes, limit) => {
        log(
          `dropped a message of ${bytes} bytes on stdin (limit ${limit}); answered with a JSON-RPC parse error`,
        );
        stdout.write(parseErrorLine(limit));
      },
    });
    stdin.pipe(lines);
    const handle = serveStdio(factory, {
      transport: new StdioServerTransport(lines, stdout, { maxBufferSize: 2 * MAX_STDIN_LINE_BYTES }),
      onerror: (e) => debug(`stdio: ${e.message}`),
    });
    debug('serving MCP on stdio');
    await Promise.race([ended, stopped]);
    await handle.close();
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
