// `kubefwd mcp` on stdio: stdin → the line limit → the front, which answers the handshake from the
// catalog → the MCP SDK, loaded when a request needs it or when the client has been quiet for a
// moment after the handshake (so it is ready before the first tool call, without delaying the lists).
import type { Readable, Writable } from 'node:stream';
import type { BackendProvider } from '../backend.js';
import { MAX_STDIN_LINE_BYTES, createLineLimit, parseErrorLine } from '../stdin-lines.js';
import type { McpCatalog } from './catalog.js';
import { CATALOG_JSON } from './catalog-data.generated.js';
import { createFront } from './front.js';
import type { SdkSession } from './sdk.js';

export interface McpStdioOptions {
  stdin: Readable;
  stdout: Writable;
  backend: BackendProvider;
  version: string;
  log: (msg: string) => void;
  debug: (msg: string) => void;
  /** The SDK made its server instance: the client is talking to it. */
  onInstance: () => void;
  /** The SDK could not be loaded: the server cannot go on. */
  onFatal: (e: unknown) => void;
  /** Quiet time after a handshake answer before the SDK loads (ms). */
  idleMs?: number;
}

export interface McpStdio {
  close(): Promise<void>;
}

export const serveMcpStdio = (o: McpStdioOptions): McpStdio => {
  let catalog: McpCatalog | undefined;
  let session: SdkSession | undefined;
  let loading: Promise<void> | undefined;
  let idle: NodeJS.Timeout | undefined;
  let closed = false;

  const load = (): void => {
    clearTimeout(idle);
    loading ??= import('./sdk.js').then(
      ({ startSdkSession }) => {
        if (closed) return;
        session = startSdkSession({
          backend: o.backend,
          version: o.version,
          stdout: o.stdout,
          maxBufferSize: 2 * MAX_STDIN_LINE_BYTES,
          onError: (e) => o.debug(`stdio: ${e.message}`),
          onInstance: o.onInstance,
        });
        front.attach(session.feed);
      },
      (e: unknown) => o.onFatal(e),
    );
  };

  const front = createFront({
    catalog: () => (catalog ??= JSON.parse(CATALOG_JSON) as McpCatalog),
    serverVersion: o.version,
    answer: (line) => void o.stdout.write(line),
    wantSdk: (now) => {
      if (now) return load();
      clearTimeout(idle);
      if (!loading) idle = setTimeout(load, o.idleMs ?? 100);
    },
  });

  // An over-long line is answered with a parse error and logged; the server keeps going.
  const limited = createLineLimit({
    onDropped: (bytes, limit) => {
      o.log(
        `dropped a message of ${bytes} bytes on stdin (limit ${limit}); answered with a JSON-RPC parse error`,
      );
      o.stdout.write(parseErrorLine(limit));
    },
  });
  let partial: Buffer[] = [];
  limited.on('data', (chunk: Buffer) => {
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf(0x0a, from)) >= 0) {
      partial.push(chunk.subarray(from, nl));
      const text = Buffer.concat(partial).toString('utf8');
      partial = [];
      from = nl + 1;
      if (text.trim() !== '') front.line(text);
    }
    if (from < chunk.length) partial.push(chunk.subarray(from));
  });
  o.stdin.pipe(limited);

  return {
    async close() {
      closed = true;
      clearTimeout(idle);
      o.stdin.unpipe(limited);
      await loading;
      await session?.close();
    },
  };
};
