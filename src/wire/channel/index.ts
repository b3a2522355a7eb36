// WebSocket v4 port-forward channel framing (binary and base64), shared by our client and the
// simulated cluster's server. See codec.ts.
export {
  ChannelDemuxer,
  PortPrefixReader,
  V4_BASE64_PROTOCOL,
  V4_BINARY_PROTOCOL,
  channelRole,
  dataChannel,
  decodeBase64Frame,
  decodeBinaryFrame,
  decodeChannelMessage,
  encodeBase64Frame,
  encodeBinaryFrame,
  encodeChannelMessage,
  encodePortPrefix,
  errorChannel,
  type ChannelFrame,
  type ChannelProtocol,
} from './codec.js';
