// The kubelet's WebSocket port-forward (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`): per
// requested port i, data on channel 2i and error text on channel 2i+1, each channel starting with
// the 2-byte little-endian port; one WebSocket per TCP connection, closed when the pod side ends.
import type net from 'node:net';
import type { WebSocketConnection } from '../../wire/websocket/index.js';
import { DelayLine } from './hub.js';
import type { PortForwardHub } from './hub.js';

export interface V4Options {
  base64: boolean;
  ports: readonly number[];
  dial: (port: number) => Promise<net.Socket>;
  hub: PortForwardHub;
}

// One connection: the channels and the frame loop share its state.
export function serveWebSocketV4(ws: WebSocketConnection, o: V4Options): void {
  const closeConn = o.hub.openConnection({ destroy: () => ws.terminate() });
  const out = new DelayLine(() => o.hub.latencyMs);
  const inbound = new DelayLine(() => o.hub.latencyMs);
  const sockets: (net.Socket | undefined)[] = o.ports.map(() => undefined);
  const pendingIn: Buffer[][] = o.ports.map(() => []);
  const inWaiting: boolean[] = o.ports.map(() => false);
  const streamDone: (() => void)[] = [];
  let closed = false;

  /** Sends one message; false when the socket is full (wait for ws.onceDrain). */
  const send = (channel: number, payload: Buffer): boolean => {
    if (closed || !ws.isOpen) return true;
    if (o.base64) return ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'), false);
    return ws.send([Buffer.from([channel]), payload], true);
  };

  const finish = (): void => {
    if (closed) return;
    ws.close(1000);
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

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    let buf = data;
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
      if (!s.write(buf) && !inWaiting[i]) {
        // One wait per socket: with added latency many writes are queued before the pause bites.
        inWaiting[i] = true;
        ws.pause();
        s.once('drain', () => {
          inWaiting[i] = false;
          ws.resume();
        });
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
        let outWaiting = false;
        s.on('data', (chunk: Buffer) => {
          out.push(() => {
            if (!send(2 * i, chunk) && !outWaiting) {
              outWaiting = true;
              s.pause();
              ws.onceDrain(() => {
                outWaiting = false;
                s.resume();
              });
            }
          });
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
