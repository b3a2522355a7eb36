// A minimal client WebSocket (RFC 6455) over an upgraded byte pipe: frames with fast masking,
// a message connection with ping/pong and the close handshake, and a byte-stream Duplex for
// tunnelled protocols. The HTTP upgrade itself is done by the caller.
export { WebSocketConnection, newFramePool, type WebSocketEvents } from './connection.js';
export { WebSocketByteStream, sendWithBudget } from './byte-stream.js';
export { FrameReader, Opcode, WsProtocolError, encodeFrame, type WsFrame } from './frames.js';
export { jsMasking, loadMasking, maskInPlace, type Masking } from './masking.js';
