// SpdyPodSession against a minimal SPDY kubelet on plain HTTP: what goes over the wire when a
// connection ends (the error stream of a pair is the kubelet's to close).
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RstStatus, SpdySession, type SpdyStream } from '../../wire/spdy/index.js';
import type { ClusterConnection } from '../connection.js';
import { SpdyPodSession } from './spdy-pod-session.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Kubelet {
  conn: ClusterConnection;
  /** RST_STREAM statuses the kubelet received, by stream type. */
  resets: { type: string; status: number }[];
  stop(): Promise<void>;
}

/**
 * Echoes every data stream and ends it after the client's FIN; `closeErrorStream`: then ends the
 * pair's error stream too.
 */
const startKubelet = async (closeErrorStream: boolean): Promise<Kubelet> => {
  const resets: Kubelet['resets'] = [];
  const sessions: SpdySession[] = [];
  const errorStreams = new Map<string, SpdyStream>();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        'X-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
    );
    const session = new SpdySession(socket, { role: 'server', streamErrors: false });
    sessions.push(session);
    session.on('stream', (s, headers) => {
      const type = headers.streamtype ?? '';
      s.reply();
      s.on('reset', (status) => resets.push({ type, status }));
      s.on('error', () => undefined);
      if (type === 'error') {
        s.resume();
        errorStreams.set(headers.requestid ?? '', s);
        return;
      }
      s.pipe(s);
      // A moment after the data stream's end, as the kubelet closes it once the pod connection is.
      s.on('end', () => {
        if (closeErrorStream) setTimeout(() => errorStreams.get(headers.requestid ?? '')?.end(), 10);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    conn: {
      contextName: 'test',
      server: `http://127.0.0.1:${port}`,
      tlsOptions: async () => ({}),
      authHeaders: async () => ({}),
    },
    resets,
    stop: async () => {
      for (const s of sessions) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const podSession = (k: Kubelet, errorStreamCloseGraceMs: number): SpdyPodSession => {
  const session = new SpdyPodSession(
    k.conn,
    { namespace: 'ns', name: 'pod' },
    {
      transport: 'spdy',
      pingIntervalMs: 0,
      pingTimeoutMs: 30_000,
      connectTimeoutMs: 5_000,
      logger: quiet,
      errorStreamCloseGraceMs,
    },
  );
  cleanups.push(() => session.close());
  return session;
};

/** One connection: send, half-close, read the echo to its end. */
const roundTrip = async (session: SpdyPodSession, text: string): Promise<string> => {
  const stream = await session.openStream(80);
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.end(text);
  await once(stream, 'close');
  return Buffer.concat(chunks).toString();
};

describe('SpdyPodSession: the error stream at the end of a connection', () => {
  it('is left to the kubelet to close: no RST_STREAM when it does', async () => {
    const k = await startKubelet(true);
    cleanups.push(() => k.stop());
    const session = podSession(k, 100);
    for (let i = 0; i < 3; i++) expect(await roundTrip(session, `hello ${i}`)).toBe(`hello ${i}`);
    await new Promise((r) => setTimeout(r, 300)); // past the grace
    expect(k.resets).toEqual([]);
  });

  it('is reset (CANCEL) after the grace when the kubelet does not close it', async () => {
    const k = await startKubelet(false);
    cleanups.push(() => k.stop());
    const session = podSession(k, 100);
    expect(await roundTrip(session, 'hi')).toBe('hi');
    await new Promise((r) => setTimeout(r, 30));
    expect(k.resets).toEqual([]); // not yet: the kubelet may still close it
    await new Promise((r) => setTimeout(r, 300));
    expect(k.resets).toEqual([{ type: 'error', status: RstStatus.CANCEL }]);
  });
});
