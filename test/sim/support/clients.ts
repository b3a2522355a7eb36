// Small test-only port-forward clients (SPDY upgrade, SPDY-in-WebSocket tunnel, WebSocket v4) built
// on src/wire and ws, so the simulated cluster's servers are tested independently of the product's
// own port-forward client.
import https from 'node:https';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { WebSocket, createWebSocketStream } from 'ws';
import { SpdySession } from '../../../src/wire/spdy/index.js';
import type { SpdyStream } from '../../../src/wire/spdy/index.js';
import { CA_CERT } from '../../../src/sim/index.js';
import type { SimCluster } from '../../../src/sim/index.js';

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

/** An HTTP upgrade by hand; resolves with the raw socket after 101, rejects with UpgradeRefused otherwise. */
export function rawUpgrade(
  sim: SimCluster,
  path: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
): Promise<{ socket: Duplex; head: Buffer; res: http.IncomingMessage }> {
  const url = new URL(path, sim.apiUrl);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method,
      ca: CA_CERT,
      headers: { authorization: `Bearer ${sim.token}`, connection: 'Upgrade', ...headers },
    });
    req.on('upgrade', (res, socket, head) => resolve({ socket, head, res }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end();
  });
}

const pfPath = (ns: string, pod: string, query = ''): string =>
  `/api/v1/namespaces/${ns}/pods/${pod}/portforward${query}`;

export async function spdyConnect(sim: SimCluster, ns: string, pod: string): Promise<SpdySession> {
  const { socket, head } = await rawUpgrade(sim, pfPath(ns, pod), 'POST', {
    upgrade: 'SPDY/3.1',
    'x-stream-protocol-version': 'portforward.k8s.io',
    'content-length': '0',
  });
  if (head.length > 0) socket.unshift(head);
  return new SpdySession(socket, { role: 'client', label: `test ${ns}/${pod}` });
}

export async function tunnelConnect(sim: SimCluster, ns: string, pod: string): Promise<SpdySession> {
  const key = randomBytes(16).toString('base64');
  const { socket, head, res } = await rawUpgrade(sim, pfPath(ns, pod), 'GET', {
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': key,
    'sec-websocket-protocol': 'SPDY/3.1+portforward.k8s.io',
  });
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  if (res.headers['sec-websocket-accept'] !== accept) throw new Error('bad Sec-WebSocket-Accept');
  if (res.headers['sec-websocket-protocol'] !== 'SPDY/3.1+portforward.k8s.io')
    throw new Error('tunnel protocol not negotiated');
  // ws cannot offer a subprotocol containing '/', so hand it the upgraded socket (private API, ws 8.x).
  const ws = new WebSocket(null as unknown as string, undefined, {}) as WebSocket & {
    _isServer: boolean;
    setSocket(s: Duplex, head: Buffer, o: { maxPayload: number; skipUTF8Validation?: boolean }): void;
  };
  ws._isServer = false;
  ws.setSocket(socket, head, { maxPayload: 64 << 20, skipUTF8Validation: false });
  const pipe = createWebSocketStream(ws);
  pipe.on('error', () => pipe.destroy());
  return new SpdySession(pipe, { role: 'client', label: `tunnel ${ns}/${pod}` });
}

/** Open one forwarded TCP connection (error + data stream pair) as client-go does. */
export function openForward(
  session: SpdySession,
  port: number,
  requestId: number,
): { data: SpdyStream; errorText: Promise<string> } {
  const err = session.openStream({ streamtype: 'error', port: String(port), requestid: String(requestId) });
  err.end();
  const errorText = new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    err.on('data', (c: Buffer) => chunks.push(c));
    err.on('error', () => resolve(Buffer.concat(chunks).toString()));
    err.on('end', () => resolve(Buffer.concat(chunks).toString()));
    err.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
  const data = session.openStream({ streamtype: 'data', port: String(port), requestid: String(requestId) });
  data.on('error', () => {});
  return { data, errorText };
}

/** Write `payload`, half-close, and collect what comes back until the stream ends. */
export function exchange(
  stream: Duplex,
  payload: Buffer,
  opts: { end?: boolean; until?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    };
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (opts.until !== undefined && got >= opts.until) finish();
    });
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', (e) => (done ? undefined : reject(e)));
    stream.write(payload);
    if (opts.end !== false) stream.end();
  });
}

/** A WebSocket v4 client (binary or base64) with our own framing. */
export async function v4Connect(
  sim: SimCluster,
  ns: string,
  pod: string,
  ports: number[],
  protocol: 'v4.channel.k8s.io' | 'v4.base64.channel.k8s.io',
): Promise<WebSocket> {
  const url =
    sim.apiUrl.replace('https:', 'wss:') + pfPath(ns, pod, `?${ports.map((p) => `ports=${p}`).join('&')}`);
  const ws = new WebSocket(url, [protocol], {
    ca: CA_CERT,
    headers: { authorization: `Bearer ${sim.token}` },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new UpgradeRefused(res.statusCode ?? 0, '')));
    ws.once('error', reject);
  });
  return ws;
}

/** Decode one v4 message into [channel, payload]. */
export function v4Decode(data: Buffer, isBinary: boolean): [number, Buffer] {
  if (isBinary) return [data[0]!, data.subarray(1)];
  const s = data.toString('latin1');
  return [s.charCodeAt(0) - 48, Buffer.from(s.slice(1), 'base64')];
}

export const httpGet = (path: string, host = 'pod'): Buffer =>
  Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
