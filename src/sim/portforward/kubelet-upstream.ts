// Port-forward served by an external kubelet-like server instead of the sim's own SPDY server, as
// a real API server does it: the SPDY upgrade (or the KEP-4006 tunnel's bytes) is carried to the
// upstream's own "Upgrade: SPDY/3.1" connection, byte for byte. The tests put moby/spdystream
// there (test/spdystream/server). The upstream reaches the simulated pods through a dial broker:
// it sends "namespace/name port\n", the broker answers "OK\n" and carries the bytes, or
// "ERR <kubelet error text>\n" — the broker plays the pod's network namespace.
import net from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { PortForwardHub } from './hub.js';

export interface KubeletUpstreamOptions {
  /** The upstream's base URL, http://127.0.0.1:PORT. */
  url: string;
  dial: (namespace: string, pod: string, port: number) => Promise<net.Socket>;
  hub: PortForwardHub;
}

/** Largest response head we accept from the upstream. */
const MAX_HEAD = 16 * 1024;

export class KubeletUpstream {
  private readonly url: URL;
  private broker: net.Server | undefined;
  private brokerAddress = '';
  private readonly brokerSockets = new Set<net.Socket>();

  constructor(private readonly o: KubeletUpstreamOptions) {
    this.url = new URL(o.url);
    if (this.url.protocol !== 'http:')
      throw new Error(`kubelet upstream ${o.url}: only http:// URLs are supported`);
  }

  async start(): Promise<void> {
    const broker = net.createServer({ allowHalfOpen: true }, (s) => this.onBrokerConnection(s));
    broker.listen(0, '127.0.0.1');
    await once(broker, 'listening');
    this.broker = broker;
    this.brokerAddress = `127.0.0.1:${(broker.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.brokerSockets) s.destroy();
    const b = this.broker;
    this.broker = undefined;
    if (b) await new Promise<void>((r) => b.close(() => r()));
  }

  /** Asks the upstream to send GOAWAY on every connection; returns how many it had. */
  async goAway(): Promise<number> {
    const res = await fetch(new URL('/control/goaway', this.url), { method: 'POST' });
    return Number((await res.text()).trim());
  }

  /**
   * Opens an upgraded SPDY connection to the upstream for a pod and joins it to `client` (the raw
   * upgraded socket, or the tunnel's WebSocket byte stream). `onUpgraded` runs once the upstream
   * said 101, with its response head (the SPDY upgrade passes it on to the client, as the API
   * server does); when the upstream fails or refuses, the error is thrown and `client` left as is.
   */
  async relay(
    client: Duplex,
    namespace: string,
    pod: string,
    onUpgraded: (responseHead: string) => void,
  ): Promise<void> {
    const up = net.connect(Number(this.url.port), this.url.hostname);
    up.setNoDelay(true);
    up.on('error', () => up.destroy());
    let head: string;
    let rest: Buffer;
    try {
      await once(up, 'connect');
      up.write(
        `POST /portForward/${encodeURIComponent(namespace)}/${encodeURIComponent(pod)} HTTP/1.1\r\n` +
          `Host: ${this.url.host}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
          'X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n' +
          `X-Kubefwd-Dial-Broker: ${this.brokerAddress}\r\nX-Kubefwd-Pod: ${namespace}/${pod}\r\n\r\n`,
      );
      ({ head, rest } = await readHead(up));
      if (!/^HTTP\/1\.1 101 /.test(head))
        throw new Error(`kubelet upstream refused the upgrade: ${head.split('\r\n')[0] ?? ''}`);
    } catch (err) {
      up.destroy();
      throw err;
    }
    if (client.destroyed) {
      up.destroy();
      return;
    }
    const closeConn = this.o.hub.openConnection({
      destroy: () => {
        up.destroy();
        client.destroy();
      },
    });
    // A side that closed after its end: the pipe has ended the other, which flushes and closes
    // by itself (destroying it now could drop its last bytes). Otherwise it was cut: cut both.
    up.once('close', () => {
      closeConn();
      if (!client.writableEnded) client.destroy();
    });
    client.once('close', () => {
      if (!up.writableEnded) up.destroy();
    });
    client.on('error', () => client.destroy());
    onUpgraded(head);
    if (rest.length > 0) client.write(rest);
    client.pipe(up);
    up.pipe(client);
  }

  private onBrokerConnection(s: net.Socket): void {
    this.brokerSockets.add(s);
    s.once('close', () => this.brokerSockets.delete(s));
    s.on('error', () => s.destroy());
    let line = '';
    const onData = (c: Buffer): void => {
      const text = c.toString('latin1');
      const nl = text.indexOf('\n');
      if (nl < 0) {
        line += text;
        if (line.length > 1024) s.destroy();
        return;
      }
      s.off('data', onData);
      s.pause();
      line += text.slice(0, nl);
      const rest = c.subarray(nl + 1);
      const m = /^([^/\s]+)\/(\S+) (\d+)$/.exec(line);
      if (!m) {
        s.end(`ERR bad broker request "${line}"\n`);
        return;
      }
      this.o.dial(m[1]!, m[2]!, Number(m[3])).then(
        (pod) => {
          if (s.destroyed) {
            pod.destroy();
            return;
          }
          const done = this.o.hub.openStream();
          s.write('OK\n');
          if (rest.length > 0) pod.write(rest);
          pod.on('error', () => pod.destroy());
          pod.once('close', () => {
            done();
            if (!s.writableEnded) s.destroy();
          });
          s.once('close', () => {
            if (!pod.writableEnded) pod.destroy();
          });
          s.pipe(pod);
          pod.pipe(s);
          s.resume();
        },
        (err: unknown) => {
          const text = (err instanceof Error ? err.message : String(err)).replace(/\n/g, ' ');
          s.end(`ERR ${text}\n`);
        },
      );
    };
    s.on('data', onData);
  }
}

/** Reads an HTTP response head; returns it and whatever followed it in the same reads. */
async function readHead(s: net.Socket): Promise<{ head: string; rest: Buffer }> {
  let buf = Buffer.alloc(0);
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end >= 0) {
      s.pause();
      return { head: buf.subarray(0, end + 4).toString('latin1'), rest: buf.subarray(end + 4) };
    }
    if (buf.length > MAX_HEAD) throw new Error('kubelet upstream: response head too large');
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      const onData = (c: Buffer): void => {
        cleanup();
        resolve(c);
      };
      const onEnd = (): void => {
        cleanup();
        reject(new Error('kubelet upstream closed the connection during the upgrade'));
      };
      const cleanup = (): void => {
        s.off('data', onData);
        s.off('close', onEnd);
        s.off('end', onEnd);
        s.pause();
      };
      s.on('data', onData);
      s.once('close', onEnd);
      s.once('end', onEnd);
      s.resume();
    });
    buf = Buffer.concat([buf, chunk]);
  }
}
