// The WebSocket "v4.channel.k8s.io" port-forward framing (kubelet wsstream), both directions.
//
// Every WebSocket message is [channel byte][payload]. For the i-th requested port, data is channel
// 2i and errors are channel 2i+1 (server → client only). The base64 variant
// ("v4.base64.channel.k8s.io") sends text messages: '0'+channel, then standard base64 of the
// payload. Right after the upgrade the server writes each port as 2 little-endian bytes at the start
// of BOTH of its channels; the client strips them. Client → server data carries no prefix.

export const V4_BINARY_PROTOCOL = 'v4.channel.k8s.io';
export const V4_BASE64_PROTOCOL = 'v4.base64.channel.k8s.io';
/** The subprotocols a kubelet accepts for port-forward ("" means none was negotiated: binary). */
export type ChannelProtocol = typeof V4_BINARY_PROTOCOL | typeof V4_BASE64_PROTOCOL | '';

export const dataChannel = (portIndex: number): number => portIndex * 2;
export const errorChannel = (portIndex: number): number => portIndex * 2 + 1;
/** Which port index a channel belongs to, and whether it is the error channel. */
export const channelRole = (channel: number): { portIndex: number; error: boolean } => ({
  portIndex: channel >> 1,
  error: (channel & 1) === 1,
});

export interface ChannelFrame {
  channel: number;
  payload: Buffer;
}

export const encodeBinaryFrame = (channel: number, payload: Buffer): Buffer => {
  if (channel < 0 || channel > 255) throw new RangeError(`channel out of range: ${channel}`);
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  payload.copy(out, 1);
  return out;
};

/** Returns undefined for an empty message (no channel byte): ignored, as the kubelet does. */
export const decodeBinaryFrame = (message: Buffer): ChannelFrame | undefined =>
  message.length === 0 ? undefined : { channel: message[0] ?? 0, payload: message.subarray(1) };

export const encodeBase64Frame = (channel: number, payload: Buffer): string => {
  if (channel < 0 || channel > 9) throw new RangeError(`base64 channel out of range: ${channel}`);
  return String.fromCharCode(0x30 + channel) + payload.toString('base64');
};

export const decodeBase64Frame = (message: string): ChannelFrame | undefined => {
  if (message.length === 0) return undefined;
  const channel = message.charCodeAt(0) - 0x30;
  if (channel < 0 || channel > 9)
    throw new Error(`invalid base64 channel character ${JSON.stringify(message[0])}`);
  return { channel, payload: Buffer.from(message.slice(1), 'base64') };
};

/** Encodes for a negotiated protocol: a Buffer (binary message) or a string (text message). */
export const encodeChannelMessage = (
  protocol: ChannelProtocol,
  channel: number,
  payload: Buffer,
): Buffer | string =>
  protocol === V4_BASE64_PROTOCOL ? encodeBase64Frame(channel, payload) : encodeBinaryFrame(channel, payload);

/** Decodes one received message; `data` as `ws` delivers it (Buffer, plus whether it was binary). */
export const decodeChannelMessage = (
  protocol: ChannelProtocol,
  data: Buffer,
  isBinary: boolean,
): ChannelFrame | undefined =>
  protocol === V4_BASE64_PROTOCOL && !isBinary
    ? decodeBase64Frame(data.toString('latin1'))
    : decodeBinaryFrame(data);

/** The 2-byte little-endian port prefix a server writes first on each channel. */
export const encodePortPrefix = (port: number): Buffer => {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16LE(port & 0xffff, 0);
  return b;
};

/**
 * Strips the 2-byte port prefix from the start of one channel's byte stream, however the bytes are
 * split across messages (the kubelet sends it as its own message, but a proxy may not preserve that).
 */
export class PortPrefixReader {
  private seen: number[] = [];
  /** The port read from the prefix, once both bytes have arrived. */
  port: number | undefined;

  /** Returns the payload bytes that follow the prefix (empty while the prefix is incomplete). */
  feed(payload: Buffer): Buffer {
    if (this.port !== undefined) return payload;
    let i = 0;
    while (this.seen.length < 2 && i < payload.length) this.seen.push(payload[i++] ?? 0);
    if (this.seen.length === 2) this.port = (this.seen[0] ?? 0) | ((this.seen[1] ?? 0) << 8);
    return payload.subarray(i);
  }
}

/**
 * Client-side demultiplexer for one v4 connection: strips each channel's port prefix and returns
 * what is left for the caller (data bytes or error text bytes), tagged with channel and port index.
 */
export class ChannelDemuxer {
  private readonly prefixes = new Map<number, PortPrefixReader>();

  push(frame: ChannelFrame): { channel: number; portIndex: number; error: boolean; data: Buffer } {
    let reader = this.prefixes.get(frame.channel);
    if (reader === undefined) {
      reader = new PortPrefixReader();
      this.prefixes.set(frame.channel, reader);
    }
    return { channel: frame.channel, ...channelRole(frame.channel), data: reader.feed(frame.payload) };
  }

  /** The port announced on a channel, once its prefix is complete. */
  portOf(channel: number): number | undefined {
    return this.prefixes.get(channel)?.port;
  }
}
