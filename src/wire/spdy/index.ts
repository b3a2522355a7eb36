// SPDY/3.1 as Kubernetes port-forward speaks it (kubelet/spdystream, kubectl), client AND server.
//
// API (everything below is exported from this file):
//
//   const session = new SpdySession(pipe: Duplex, {
//     role: 'client' | 'server',
//     pingIntervalMs?: number,      // keep-alive PING period (0/absent = none)
//     pingTimeoutMs?: number,       // dead when nothing arrives this long after a PING (default 30 s)
//     streamHighWaterMark?: number, // per-stream Duplex highWaterMark (256 KiB)
//     streamBufferLimit?: number,   // unread bytes of one stream before the connection pauses (1 MiB)
//     writeBufferBytes?: number,    // bytes queued on the pipe before stream writes wait (1 MiB)
//     maxDataFrame?: number,        // largest DATA payload sent (64 KiB)
//     label?: string,               // names the peer in error messages
//     stats?: SpdyWriteStats,       // counts DATA frames, flushes and reads into this object
//     streamErrors?: boolean,       // destroy streams with errors (default: role === 'client')
//   });
//   `pipe` is any byte Duplex: an upgraded net/tls socket, or a WebSocket as a Duplex
//   (a WebSocketByteStream over a 'bytes'-mode WebSocketConnection, src/wire/websocket, at either end).
//
//   Client:  const s = session.openStream({ streamtype: 'data', port: '80', requestid: '0' });
//            // returns a SpdyStream at once; writes may follow immediately.
//            s.on('reply', (headers) => …)   // SYN_REPLY arrived (optional to wait for)
//   Server:  session.on('stream', (s: SpdyStream, headers) => { s.reply(); s.pipe(target)… })
//            // or s.reset(RstStatus.REFUSED_STREAM). Without a 'stream' listener, streams are refused.
//
//   SpdyStream is a Duplex: write → DATA frames; end() → empty DATA+FIN (half-close); the peer's FIN
//   ends the readable side; s.reset(status = CANCEL) sends RST_STREAM; destroy() before both FINs
//   sends RST CANCEL. s.id, s.headers (SYN_STREAM headers), s.replyHeaders, s.resetStatus.
//   A peer RST CANCEL destroys the stream quietly; other RST statuses, and the session ending under
//   it, destroy it with a KubefwdError (STREAM_ERROR, or TIMEOUT for a dead connection) when the
//   session option `streamErrors` is on (default: client yes, server no) and an 'error' listener is
//   attached — otherwise quietly, so a server never crashes because one client vanished.
//
//   session.ping(timeoutMs?) → Promise<rttMs>;  session.goAway(status?) → GOAWAY only (drain);
//   session.close(reason?) → GOAWAY, flush, close pipe;
//   session.destroy(err?) → immediate;  session.closed: Promise<Error | undefined> (undefined only
//   after a clean local close());  events 'stream', 'goaway' (no new streams after it), 'close'(err),
//   'ignored'(frame: SETTINGS / WINDOW_UPDATE / unknown);  session.isClosed, session.streamCount.
//
//   Backpressure: a stream's write callback waits while the pipe is congested (pipe 'drain'); a
//   stream whose reader falls behind its highWaterMark pauses the pipe's reads until it is read
//   again (SPDY as spoken by the kubelet has no flow control: that is the only bounded choice);
//   the pause starts at streamBufferLimit, not at the highWaterMark, to stall other streams less.
//   Keep-alive: while our reads are paused for backpressure, the ping deadline waits.
//
// Lower layers, for tests and tools: FrameParser / encodeFrame / decodeFrame (frames.ts),
// HeaderCompressor / HeaderDecompressor / encodeHeaderBlock / decodeHeaderBlock (headers.ts),
// SPDY3_DICTIONARY (dictionary.ts).
export {
  SpdySession,
  type SpdySessionOptions,
  type SpdySessionEvents,
  type SpdyWriteStats,
} from './session.js';
export { SpdyStream, type SpdyStreamEvents } from './stream.js';
export {
  FrameParser,
  FrameType,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  MAX_FRAME_PAYLOAD,
  RstStatus,
  SPDY_VERSION,
  SpdyProtocolError,
  decodeFrame,
  encodeDataHeader,
  encodeFrame,
  rstStatusName,
  type SpdyFrame,
  type DataFrame,
  type SynStreamFrame,
  type SynReplyFrame,
  type RstStreamFrame,
  type SettingsFrame,
  type PingFrame,
  type GoAwayFrame,
  type HeadersFrame,
  type WindowUpdateFrame,
  type UnknownFrame,
} from './frames.js';
export {
  HeaderCompressor,
  HeaderDecompressor,
  decodeHeaderBlock,
  encodeHeaderBlock,
  type SpdyHeaders,
} from './headers.js';
export { SPDY3_DICTIONARY } from './dictionary.js';
