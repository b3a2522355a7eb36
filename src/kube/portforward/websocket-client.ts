// A client WebSocket over our own upgrade (upgrade.ts). `ws` cannot offer the tunnel subprotocol
// "SPDY/3.1+portforward.k8s.io" (the "/" is not an RFC 7230 token: its client throws), so we do the
// handshake ourselves, verify Sec-WebSocket-Accept and the negotiated subprotocol, and run our own
// framer (src/wire/websocket) on the socket.
import { createHash, randomBytes } from 'node:crypto';
import { WebSocketConnection } from '../../wire/websocket/index.js';
import type { ClusterConnection } from '../connection.js';
import { UpgradeError, upgrade } from './upgrade.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface OpenedWebSocket {
  ws: WebSocketConnection;
  /** The subprotocol the server chose ('' when none). */
  protocol: string;
}
export async function openWebSocket(
  conn: ClusterConnection,
  init: {
    path: string;
    protocols: string[];
    timeoutMs: number;
    what: string;
    maxPayload?: number;
    /** 'bytes' for a byte stream tunnelled in the WebSocket (see WebSocketConnection). */
    mode?: 'messages' | 'bytes';
  },
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

  const ws = new WebSocketConnection(up.socket, up.head, {
    maxPayload: init.maxPayload ?? 64 * 1024 * 1024,
    mode: init.mode ?? 'messages',
    ...(conn.framePool ? { pool: conn.framePool } : {}),
  });
  return { ws, protocol };
}
