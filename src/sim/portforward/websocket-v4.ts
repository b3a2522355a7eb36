// The kubelet's WebSocket port-forward (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`): per
// requested port i, data on channel 2i and error text on channel 2i+1, each channel starting with
// the 2-byte little-endian port; one WebSocket per TCP connection, closed when the pod side ends.
import type net from 'node:net';
import type { WebSocket, RawData } from 'ws';
import { DelayLine } from './hub.js';
import type { PortForwardHub } from './hub.js';

export interface V4Options {
  base64: boolean;
  ports: readonly number[];
  dial: (port: number) => Promise<net.Socket>;
  hub: PortForwardHub;
}

const HIGH_WATER = 1 << 20;

export function serveWebSocketV4(ws: WebSocket, o: V4Options): void {
  const closeConn = o.hub.openConnection({ destroy: () => ws.terminate() });
  const out = new DelayLine(() => o.hub.latencyMs);
  const inbound = new DelayLine(() => o.hub.latencyMs);
  const sockets: (net.Socket | undefined)[] = o.ports.map(() => undefined);
  const pendingIn: Buffer[][] = o.ports.map(() => []);
  const streamDone: (() => void)[] = [];
  let closed = false;

  const send = (channel: number, payload: Buffer, cb?: () => void): void => {
    if (closed || ws.readyState !== ws.OPEN) return;
    if (o.base64) ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'), cb);
    else ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, cb);
  };

  const finish = (): void => {
    if (closed) return;
    if (ws.readyState === ws.OPEN) ws.close(1000);
    cleanup();
  };
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    out.clear();
    inbound.clear();
    for (const s of sockets) s?.destroy();
    for (const d of streamDone) d();
    closeConn();
  };
  ws.on('close', cleanup);
  ws.on('error', cleanup);

  o.ports.forEach((port, i) => {
    const prefix = Buffer.from([port & 0xff, port >> 8]);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
  });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    let buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (buf.length === 0) return;
    let channel: number;
    if (o.base64 && !isBinary) {
      channel = buf[0]! - 48;
      buf = Buffer.from(buf.subarray(1).toString('latin1'), 'base64');
    } else {
      channel = buf[0]!;
      buf = buf.subarray(1);
    }
    // Odd channels are server→client only; the kubelet discards what a client writes there.
    if (channel % 2 === 1 || channel / 2 >= o.ports.length) return;
    const i = channel / 2;
    inbound.push(() => {
      const s = sockets[i];
      if (!s) {
        pendingIn[i]!.push(buf);
        return;
      }
      if (!s.write(buf)) {
        ws.pause();
        s.once('drain', () => ws.resume());
      }
    });
  });

  o.ports.forEach((port, i) => {
    o.dial(port).then(
      (s) => {
        if (closed) {
          s.destroy();
          return;
        }
        streamDone.push(o.hub.openStream());
        sockets[i] = s;
        for (const b of pendingIn[i]!.splice(0)) s.write(b);
        s.on('data', (chunk: Buffer) => {
          out.push(() => {
            send(2 * i, chunk, () => {
              if (ws.bufferedAmount < HIGH_WATER && s.isPaused()) s.resume();
            });
          });
          if (ws.bufferedAmount >= HIGH_WATER) s.pause();
        });
        // The kubelet ends the whole WebSocket when a pod-side connection ends.
        s.on('close', () => out.push(finish));
        s.on('error', () => s.destroy());
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(err instanceof Error ? err.message : String(err)));
        out.push(finish);
      },
    );
  });
}
