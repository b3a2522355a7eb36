// A bound on one JSON-RPC line from stdin that leaves the server running. The SDK's stdio transport
// closes itself when its buffer passes its limit, and `kubefwd mcp` then exited 0 without a word.
// This filter sits between stdin and the transport: a line longer than `maxLineBytes` is not passed
// on (only a prefix that cannot parse as a whole line, which the transport skips), the client gets a
// JSON-RPC parse error (-32700, id null — the id is unknown) and stderr says what happened. Lines
// within the limit pass byte for byte.
import { Transform, type TransformCallback } from 'node:stream';

/** The SDK's own default (10 MiB); its transport is given more, so ours is the limit that acts. */
export const MAX_STDIN_LINE_BYTES = 10 * 1024 * 1024;

export interface LineLimitOptions {
  maxLineBytes?: number;
  /** Called once per dropped line, with its length so far when it was cut. */
  onDropped(bytes: number, limit: number): void;
}

/** A JSON-RPC parse error answer (id null: the message's id could not be read), as one line. */
export const parseErrorLine = (why: string): string =>
  `${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${why}` } })}\n`;

export const createLineLimit = (options: LineLimitOptions): Transform => {
  const limit = options.maxLineBytes ?? MAX_STDIN_LINE_BYTES;
  let lineBytes = 0;
  let dropping = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let from = 0;
      const out: Buffer[] = [];
      while (from < chunk.length) {
        const nl = chunk.indexOf(0x0a, from);
        const end = nl === -1 ? chunk.length : nl;
        const piece = end - from;
        if (!dropping && lineBytes + piece > limit) {
          // Cut here: what was passed on cannot parse, and the newline below ends it for the transport.
          dropping = true;
          out.push(Buffer.from('\u0000'));
        }
        if (!dropping) out.push(chunk.subarray(from, end));
        lineBytes += piece;
        if (nl === -1) break;
        if (dropping) {
          options.onDropped(lineBytes, limit);
          dropping = false;
        }
        out.push(Buffer.from('\n'));
        lineBytes = 0;
        from = nl + 1;
      }
      done(null, Buffer.concat(out));
    },
  });
};
