// The server half of the WebSocket handshake (RFC 6455 §4.2), for the simulated kubelet's two
// WebSocket port-forward protocols: validate the request, answer 101 with the accept key and the
// chosen subprotocol, and hand the socket to our own framer (src/wire/websocket) in server role.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketConnection } from '../../wire/websocket/index.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Why a WebSocket upgrade request is malformed, or undefined when it is acceptable. */
export const websocketRequestProblem = (req: http.IncomingMessage): string | undefined => {
  const key = req.headers['sec-websocket-key'] ?? '';
  if (req.method !== 'GET') return `a WebSocket upgrade must be a GET, not ${req.method ?? '?'}`;
  if (req.headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  if (Buffer.from(key, 'base64').length !== 16) return 'missing or invalid Sec-WebSocket-Key';
  return undefined;
};

/**
 * Completes the handshake of a request that passed websocketRequestProblem(). `protocol` '' sends
 * no Sec-WebSocket-Protocol (the client offered none).
 */
export const acceptWebSocket = (
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
  mode: 'messages' | 'bytes',
): WebSocketConnection => {
  const accept = createHash('sha1')
    .update(`${req.headers['sec-websocket-key'] ?? ''}${WS_GUID}`)
    .digest('base64');
  (socket as net.Socket).setNoDelay(true);
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n` +
      (protocol === '' ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
      '\r\n',
  );
  return new WebSocketConnection(socket, head, { role: 'server', mode, maxPayload: 64 << 20 });
};
