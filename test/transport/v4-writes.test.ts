// V4Stream's writes against an independent WebSocket server (`ws`): what leaves as messages, and
// how much it lets pile up when the pod stops reading.
import type net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connectToWs } from '../support/ws-peer.js';
import { V4Stream } from '../../src/kube/portforward/websocket-pod-session.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A V4Stream over a client connection to a `ws` server; the server side's socket and messages. */
async function v4Pair(): Promise<{ stream: V4Stream; peer: WebSocket; messages: Buffer[] }> {
  const { client, peer } = await connectToWs((fn) => cleanups.push(fn), { mode: 'bytes' });
  const stream = new V4Stream(client, 'default/web', 80);
  cleanups.push(() => void stream.destroy());
  const messages: Buffer[] = [];
  peer.on('message', (m: Buffer) => messages.push(m));
  return { stream, peer, messages };
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('V4Stream writes', () => {
  it('chunks written together leave as one channel-0 message, not one message each', async () => {
    const { stream, messages } = await v4Pair();
    const chunks = Array.from({ length: 5 }, (_, i) => Buffer.alloc(10_000, i + 1));
    stream.cork();
    for (const c of chunks) stream.write(c);
    stream.uncork();
    await until(() => messages.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.equals(Buffer.concat([Buffer.from([0]), ...chunks]))).toBe(true);
  });

  it('a pod that stops reading holds back the writer after a bounded amount; the bytes then all arrive, in order', async () => {
    const { stream, peer, messages } = await v4Pair();
    const socket = (peer as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    const chunk = randomBytes(64 * 1024);
    let written = 0;
    // Write until the stream says to wait, as a piped local socket would (capped, so a stream
    // that never pushes back fails here instead of filling memory).
    let accepted = true;
    while (accepted && written < 64 * 1024 * 1024) {
      accepted = stream.write(chunk);
      written += chunk.length;
      if (accepted) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    // Bounded by the kernel's socket buffers, the 256 KiB budget and the stream's highWaterMark.
    expect(accepted).toBe(false);
    expect(written).toBeLessThan(12 * 1024 * 1024);
    expect(stream.writableNeedDrain).toBe(true);
    socket.resume();
    await once(stream, 'drain');
    await until(() => messages.reduce((n, m) => n + m.length - 1, 0) >= written, 10_000);
    const data = Buffer.concat(messages.map((m) => m.subarray(1)));
    expect(messages.every((m) => m[0] === 0)).toBe(true);
    expect(data.length).toBe(written);
    for (let off = 0; off < data.length; off += chunk.length)
      expect(data.subarray(off, off + chunk.length).equals(chunk)).toBe(true);
  });
});
