import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChannelDemuxer,
  PortPrefixReader,
  V4_BASE64_PROTOCOL,
  V4_BINARY_PROTOCOL,
  dataChannel,
  decodeBase64Frame,
  decodeBinaryFrame,
  decodeChannelMessage,
  encodeBase64Frame,
  encodeBinaryFrame,
  encodeChannelMessage,
  encodePortPrefix,
  errorChannel,
} from './codec.js';

describe('v4 channel framing (known vectors)', () => {
  it('port prefixes as the kubelet sends them for port 80', () => {
    expect(encodeBinaryFrame(dataChannel(0), encodePortPrefix(80))).toEqual(Buffer.from([0, 0x50, 0]));
    expect(encodeBinaryFrame(errorChannel(0), encodePortPrefix(80))).toEqual(Buffer.from([1, 0x50, 0]));
    expect(encodeBase64Frame(0, encodePortPrefix(80))).toBe('0UAA=');
    expect(encodeBase64Frame(1, encodePortPrefix(80))).toBe('1UAA=');
  });
  it('second port uses channels 2 and 3', () => {
    expect(dataChannel(1)).toBe(2);
    expect(errorChannel(1)).toBe(3);
    expect(encodePortPrefix(8443)).toEqual(Buffer.from([0xfb, 0x20]));
  });
  it('decodes binary and base64 messages', () => {
    expect(decodeBinaryFrame(Buffer.from([0, 104, 105]))).toEqual({ channel: 0, payload: Buffer.from('hi') });
    expect(decodeBinaryFrame(Buffer.alloc(0))).toBeUndefined();
    expect(decodeBase64Frame('1aGk=')).toEqual({ channel: 1, payload: Buffer.from('hi') });
    expect(() => decodeBase64Frame('xaGk=')).toThrow(/invalid base64 channel/);
    expect(decodeChannelMessage(V4_BASE64_PROTOCOL, Buffer.from('0aGk='), false)).toEqual({
      channel: 0,
      payload: Buffer.from('hi'),
    });
    expect(encodeChannelMessage(V4_BINARY_PROTOCOL, 0, Buffer.from('x'))).toEqual(Buffer.from([0, 120]));
  });
  it('round-trips both encodings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 200 }), (ch, bytes) => {
        const payload = Buffer.from(bytes);
        expect(decodeBinaryFrame(encodeBinaryFrame(ch, payload))).toEqual({ channel: ch, payload });
        expect(decodeBase64Frame(encodeBase64Frame(ch, payload))).toEqual({ channel: ch, payload });
      }),
    );
  });
});

describe('port prefix stripping', () => {
  it('strips the prefix however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.uint8Array({ maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 5 })),
        (port, body, cuts) => {
          const bytes = Buffer.concat([encodePortPrefix(port), Buffer.from(body)]);
          const r = new PortPrefixReader();
          const out: Buffer[] = [];
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            const n = cuts.length === 0 ? bytes.length : (cuts[i++ % cuts.length] ?? 1);
            out.push(r.feed(bytes.subarray(off, off + n)));
            off += n;
          }
          expect(r.port).toBe(port);
          expect(Buffer.concat(out)).toEqual(Buffer.from(body));
        },
      ),
    );
  });
  it('demuxes channels independently', () => {
    const d = new ChannelDemuxer();
    expect(d.push({ channel: 0, payload: encodePortPrefix(80) }).data.length).toBe(0);
    expect(d.push({ channel: 1, payload: encodePortPrefix(80) }).data.length).toBe(0);
    expect(d.push({ channel: 0, payload: Buffer.from('abc') })).toEqual({
      channel: 0,
      portIndex: 0,
      error: false,
      data: Buffer.from('abc'),
    });
    const e = d.push({ channel: 1, payload: Buffer.from('error forwarding port 80') });
    expect(e.error).toBe(true);
    expect(e.data.toString()).toBe('error forwarding port 80');
    expect(d.portOf(0)).toBe(80);
  });
});
