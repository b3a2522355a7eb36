// `kubefwd mcp` on stdio: stdin → the line limit → the front, which answers the handshake from the
// catalog → the MCP SDK, loaded when a request needs it or when the client has been quiet for a
// moment after the handshake (so it is ready before the first tool call, without delaying the lists).
import { Writable, type Readable } from 'node:stream';
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
  /**
   * Resolves once every request received so far has been answered, or after `timeoutMs`: a client
   * that writes its requests and closes stdin (`echo … | kubefwd mcp`) still gets its answers.
   */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A JSON-RPC id as a set key (ids are numbers or strings). */
const idKey = (id: unknown): string | undefined =>
  typeof id === 'number' || typeof id === 'string' ? JSON.stringify(id) : undefined;

/** The request ids in one stdin line (a message, or a batch of them); undefined when it is not JSON. */
const requestIds = (line: string): string[] | undefined => {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return undefined;
  }
  const messages: unknown[] = Array.isArray(msg) ? (msg as unknown[]) : [msg];
  return messages.flatMap((m) => {
    if (typeof m !== 'object' || m === null || !('method' in m) || !('id' in m)) return [];
    const key = idKey(m.id);
    return key === undefined ? [] : [key];
  });
};

/** The SDK writes a result's id last: found in the tail without parsing a large result. */
const TAIL_ID = /"id":(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")\}\s*$/;

/** The id an answer line on stdout answers (undefined for notifications). */
const answeredId = (line: Buffer): string | undefined => {
  const tail = TAIL_ID.exec(line.subarray(Math.max(0, line.length - 200)).toString('utf8'));
  if (tail?.[1] !== undefined) return tail[1];
  try {
    const m = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
    return 'result' in m || 'error' in m ? idKey(m.id) : undefined;
  } catch {
    return undefined;
  }
};

export const serveMcpStdio = (o: McpStdioOptions): McpStdio => {
  let catalog: McpCatalog | undefined;
  let session: SdkSession | undefined;
  let loading: Promise<void> | undefined;
  let idle: NodeJS.Timeout | undefined;
  let closed = false;
  // Requests not answered yet, and who waits for there to be none (drain).
  const unanswered = new Set<string>();
  let drained: (() => void) | undefined;
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (unanswered.size > 0) {
        const id = answeredId(chunk);
        if (id !== undefined) unanswered.delete(id);
        if (unanswered.size === 0) drained?.();
      }
      o.stdout.write(chunk, (err) => cb(err ?? null));
    },
  });

  const load = (): void => {
    clearTimeout(idle);
    loading ??= import('./sdk.js').then(
      ({ startSdkSession }) => {
        if (closed) return;
        session = startSdkSession({
          backend: o.backend,
          version: o.version,
          stdout,
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
    answer: (line) => void stdout.write(line),
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
      stdout.write(parseErrorLine(`message longer than ${limit} bytes was dropped`));
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
      if (text.trim() === '') continue;
      const ids = requestIds(text);
      if (ids === undefined) {
        // JSON-RPC answers what is not JSON with a parse error (the SDK would only drop it).
        o.log(
          `stdin: a line that is not JSON was answered with a JSON-RPC parse error: ${JSON.stringify(text.slice(0, 80))}`,
        );
        stdout.write(parseErrorLine('the line is not JSON; each message is one line of JSON'));
        continue;
      }
      for (const id of ids) unanswered.add(id);
      front.line(text);
    }
    if (from < chunk.length) partial.push(chunk.subarray(from));
  });
  o.stdin.pipe(limited);

  return {
    async drain(timeoutMs) {
      if (unanswered.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      drained = undefined;
    },
    async close() {
      closed = true;
      clearTimeout(idle);
      o.stdin.unpipe(limited);
      await loading;
      await session?.close();
    },
  };
};
