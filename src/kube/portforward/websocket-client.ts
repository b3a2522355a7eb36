// A client WebSocket over our own upgrade (upgrade.ts). `ws` cannot offer the tunnel subprotocol
// "SPDY/3.1+portforward.k8s.io" (the "/" is not an RFC 7230 token: its client throws), so we do the
// handshake ourselves, verify Sec-WebSocket-Accept and the negotiated subprotocol, and hand the
// socket to a `ws` WebSocket in client mode. That uses `setSocket` and `_isServer`, which are not
// public API: ws is pinned (8.23.0) and test/transport covers this path.
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { ClusterConnection } from '../connection.js';
import { UpgradeError, upgrade } from './upgrade.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface OpenedWebSocket {
  ws: WebSocket;
  /** The subprotocol the server chose ('' when none). */
  protocol: string;
}

interface WsInternals {
  _isServer: boolean;
  setSocket(
    socket: unknown,
    head: Buffer,
    options: { maxPayload: number; skipUTF8Validation: boolean; allowSynchronousEvents: boolean },
  ): void;
}

export async function openWebSocket(
  conn: ClusterConnection,
  init: { path: string; protocols: string[]; timeoutMs: number; what: string; maxPayload?: number },
): Promise<OpenedWebSocket> {
  const key = randomBytes(16).toString('base64');
  const up = await upgrade(conn, {
    method: 'GET',
    path: init.path,
    timeoutMs: init.timeoutMs,
    what: init.what,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Protocol': init.protocols.join(', '),
    },
  });
  const fail = (message: string): never => {
    up.socket.destroy();
    // A wrong or missing subprotocol means this server does not speak what we asked: fall back.
    throw new UpgradeError('STREAM_ERROR', `${init.what} (context "${conn.contextName}"): ${message}`, {
      httpStatus: 101,
      fallback: true,
    });
  };
  const expected = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  if (up.headers['sec-websocket-accept'] !== expected)
    fail('invalid Sec-WebSocket-Accept in the upgrade answer');
  const protoHeader: string | string[] | undefined = up.headers['sec-websocket-protocol'];
  const protocol: string = (typeof protoHeader === 'string' ? protoHeader : (protoHeader?.[0] ?? '')).trim();
  if (!init.protocols.includes(protocol))
    fail(`the server chose subprotocol "${protocol}", not one of ${init.protocols.join(', ')}`);

  const ws: WebSocket = new WebSocket(null as unknown as string, undefined, { autoPong: true });
  const internals = ws as unknown as WsInternals;
  internals._isServer = false;
  internals.setSocket(up.socket, up.head, {
    maxPayload: init.maxPayload ?? 64 * 1024 * 1024,
    skipUTF8Validation: true,
    allowSynchronousEvents: true,
  });
  return { ws, protocol };
}
