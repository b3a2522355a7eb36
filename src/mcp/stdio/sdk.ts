// The MCP SDK side of `kubefwd mcp` on stdio, loaded after the front (front.ts) has answered the
// handshake: serveStdio over the SDK's StdioServerTransport, fed the lines the front passes on.
import { PassThrough, type Writable } from 'node:stream';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { BackendProvider } from '../backend.js';
import { createKubefwdMcpServer } from '../server.js';
import { REPLAY_ID } from './front.js';

export interface SdkSessionOptions {
  backend: BackendProvider;
  version: string;
  stdout: Writable;
  maxBufferSize: number;
  onError: (e: Error) => void;
  /** Called when the SDK asks for a server instance (the client's first message reached it). */
  onInstance: () => void;
}

export interface SdkSession {
  /** One line from the client, without its newline. */
  feed: (line: string) => void;
  close: () => Promise<void>;
}

export const startSdkSession = (opts: SdkSessionOptions): SdkSession => {
  const input = new PassThrough();
  const transport = new StdioServerTransport(input, opts.stdout, { maxBufferSize: opts.maxBufferSize });
  // The client already has the front's answer to `initialize`; the SDK's answer to the replay is
  // the same apart from the id, and is not sent again.
  const send = transport.send.bind(transport);
  transport.send = (message) =>
    'id' in message && message.id === REPLAY_ID ? Promise.resolve() : send(message);
  const handle = serveStdio(
    () => {
      opts.onInstance();
      return createKubefwdMcpServer({ backend: opts.backend, version: opts.version });
    },
    { transport, onerror: opts.onError },
  );
  return {
    feed: (line) => void input.write(`${line}\n`),
    close: () => handle.close(),
  };
};
