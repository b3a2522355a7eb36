// The first reader of `kubefwd mcp`'s stdin. Until the MCP SDK is loaded it answers the 2025-era
// handshake (`initialize`, `ping`, the four lists) from the captured catalog and holds every other
// line; once the SDK is attached it replays the handshake to it (the SDK's own answer is dropped: the
// client already has one), then the held lines, and from then on passes every line through. An MCP
// host thus sees the server ready in about the time Node takes to start, and the SDK loads while the
// host is still busy with the lists. A first message that is not a plain `initialize` (another era's
// envelope, a malformed handshake) is the SDK's from the start: the front then only holds lines.
import { asRequest, catalogAnswer, initializeResult, isPlainInitialize, type McpCatalog } from './catalog.js';

/** The id the replayed `initialize` carries; the SDK's answer to it is not passed to the client. */
export const REPLAY_ID = 'kubefwd-replayed-initialize';

export interface FrontOptions {
  /** The catalog, read on the first `initialize`. */
  catalog(): McpCatalog;
  serverVersion: string;
  /** Writes one answer line to the client. */
  answer(line: string): void;
  /** Asks for the SDK to be loaded; `now` when a held request waits for it, else when idle. */
  wantSdk(now: boolean): void;
}

export interface Front {
  /** One line from the client, without its newline. */
  line(text: string): void;
  /** The SDK is ready: `feed` gets the replayed handshake and the held lines, then every later line. */
  attach(feed: (line: string) => void): void;
}

type Phase = 'fresh' | 'handshake' | 'sdk';

export const createFront = (opts: FrontOptions): Front => {
  let phase: Phase = 'fresh';
  let initLine: string | undefined;
  const held: string[] = [];
  let feed: ((line: string) => void) | undefined;

  // In the SDK's key order, so that a client sees the same bytes from either.
  const reply = (id: string | number, result: unknown): void =>
    opts.answer(`${JSON.stringify({ result, jsonrpc: '2.0', id })}\n`);

  const hold = (text: string, isRequest: boolean): void => {
    held.push(text);
    if (isRequest) opts.wantSdk(true);
  };

  return {
    line(text: string): void {
      if (feed) {
        feed(text);
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        // Not JSON (serve.ts answers those with a parse error before they get here): handed on.
        hold(text, false);
        return;
      }
      const req = asRequest(msg);
      if (phase === 'fresh') {
        if (req && isPlainInitialize(req)) {
          phase = 'handshake';
          initLine = JSON.stringify({ ...req, id: REPLAY_ID });
          reply(req.id, initializeResult(opts.catalog(), req, opts.serverVersion));
          opts.wantSdk(false);
          return;
        }
        if (req) phase = 'sdk';
      }
      if (phase === 'handshake' && req && req.method !== 'initialize') {
        const result = catalogAnswer(opts.catalog(), req);
        if (result !== undefined) {
          reply(req.id, result);
          opts.wantSdk(false);
          return;
        }
      }
      hold(text, req !== undefined);
    },
    attach(to: (line: string) => void): void {
      if (initLine !== undefined) to(initLine);
      for (const text of held.splice(0)) to(text);
      feed = to;
    },
  };
};
