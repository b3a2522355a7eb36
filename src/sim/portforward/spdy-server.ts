// The kubelet's SPDY port-forward server (httpstream.go), over any byte Duplex: the raw upgraded
// socket (SPDY/3.1 upgrade) or a WebSocket carrying SPDY bytes (KEP-4006 tunnel). Streams come in
// pairs (error + data) per requestid; each pair is one TCP connection to the pod's port; errors
// are written as plain text on the error stream, as released kubelets do.
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { SpdySession, RstStatus } from '../../wire/spdy/index.js';
import type { SpdyStream } from '../../wire/spdy/index.js';
import { DelayLine, type PortForwardHub } from './hub.js';

export interface SpdyServeOptions {
  dial: (port: number) => Promise<net.Socket>;
  hub: PortForwardHub;
  label: string;
  /** How long to wait for both streams of a pair (kubelet: streamCreationTimeout, 30 s). */
  streamCreationTimeoutMs?: number;
  /**
   * Behave like containerd's PortForward behind the kubelet: when one direction ends (pod closed,
   * client FIN or RST), wait up to this long for the other, then close the pod connection and send
   * FIN on both streams; a client FIN does not half-close the pod, and after a client RST the pod's
   * bytes keep coming on the dead stream until then. Undefined: ideal half-close both ways.
   */
  finGraceMs?: number;
  /** Extra teardown when the connection is cut (e.g. terminate the WebSocket under a tunnel). */
  destroyTransport?: () => void;
}

interface Pair {
  port: number;
  error?: SpdyStream;
  data?: SpdyStream;
  timer?: NodeJS.Timeout;
}

// One connection: the stream table and the frame loop share its state.
export function serveSpdyPortForward(pipe: Duplex, o: SpdyServeOptions): SpdySession {
  const session = new SpdySession(pipe, {
    role: 'server',
    label: o.label,
    streamErrors: false,
    stats: o.hub.counters.spdy,
  });
  const closeConn = o.hub.openConnection({
    destroy: () => {
      session.destroy();
      o.destroyTransport?.();
    },
    goAway: () => session.goAway(),
  });
  const pairs = new Map<string, Pair>();
  const sockets = new Set<net.Socket>();

  session.on('stream', (s, headers) => {
    const port = Number(headers.port);
    const type = headers.streamtype;
    if (
      !/^\d+$/.test(headers.port ?? '') ||
      port < 1 ||
      port > 65535 ||
      (type !== 'error' && type !== 'data')
    ) {
      s.reset(RstStatus.PROTOCOL_ERROR);
      return;
    }
    s.reply();
    s.on('error', () => {});
    // Very old clients send no requestid: derive it from the stream ids (error = id, data = id - 2).
    const requestId = headers.requestid ?? String(type === 'error' ? s.id : s.id - 2);
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = { port };
      pairs.set(requestId, pair);
      const p = pair;
      p.timer = setTimeout(() => {
        pairs.delete(requestId);
        p.error?.end(`(conn=${o.label}, request=${requestId}) timed out waiting for streams`);
        p.data?.reset();
      }, o.streamCreationTimeoutMs ?? 30_000);
    }
    if (type === 'error') pair.error = s;
    else pair.data = s;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      run(pair.port, pair.error, pair.data);
    }
  });

  const run = (port: number, errStream: SpdyStream, data: SpdyStream): void => {
    // The client never writes on the error stream; drain it so its FIN is consumed.
    errStream.resume();
    o.dial(port).then(
      (socket) => {
        if (session.isClosed) {
          socket.destroy();
          return;
        }
        sockets.add(socket);
        if (o.finGraceMs !== undefined) {
          socket.once('close', () => sockets.delete(socket));
          forwardLikeContainerd(session, socket, errStream, data, o.finGraceMs, o.hub);
          return;
        }
        const done = o.hub.openStream();
        const toClient = new DelayLine(() => o.hub.latencyMs);
        const toPod = new DelayLine(() => o.hub.latencyMs);
        socket.on('data', (chunk: Buffer) =>
          toClient.push(() => {
            if (!data.destroyed && !data.write(chunk)) {
              socket.pause();
              data.once('drain', () => socket.resume());
            }
          }),
        );
        socket.on('end', () => toClient.push(() => data.destroyed || data.end()));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          sockets.delete(socket);
          toClient.push(() => {
            if (!data.destroyed) data.end();
            if (!errStream.destroyed) errStream.end();
            done();
          });
        });
        data.on('data', (chunk: Buffer) =>
          toPod.push(() => {
            if (!socket.destroyed && !socket.write(chunk)) {
              data.pause();
              socket.once('drain', () => data.resume());
            }
          }),
        );
        data.on('end', () => toPod.push(() => socket.end()));
        data.on('close', () => {
          // Reset by the client (RST CANCEL) or the session ended: drop the pod connection.
          if (!data.readableEnded || data.resetStatus !== undefined) toPod.push(() => socket.destroy());
        });
      },
      (err: unknown) => {
        // As the kubelet: the data stream of a failed pair is never read (what the client sent
        // there stalls the connection, see SpdySession.neverRead).
        session.neverRead(data);
        errStream.end(err instanceof Error ? err.message : String(err));
        data.end();
      },
    );
  };

  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    for (const s of sockets) s.destroy();
    closeConn();
  });
  return session;
}

// One stream pair: both directions and their ends share the pair's state.
/** One pair served the way containerd's PortForward does it (see SpdyServeOptions.finGraceMs). */
function forwardLikeContainerd(
  session: SpdySession,
  socket: net.Socket,
  errStream: SpdyStream,
  data: SpdyStream,
  graceMs: number,
  hub: PortForwardHub,
): void {
  const done = hub.openStream();
  const toClient = new DelayLine(() => hub.latencyMs);
  const toPod = new DelayLine(() => hub.latencyMs);
  let podDone = false;
  let clientDone = false;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.destroy();
    toClient.push(() => {
      // After a client RST there is no FIN (spdystream: the stream is already finished).
      if (!data.destroyed) data.end();
      if (!errStream.destroyed) errStream.end();
      done();
    });
  };
  const directionDone = (): void => {
    if (podDone && clientDone) finish();
    else timer ??= setTimeout(finish, graceMs);
  };
  const paused = (): void => {
    socket.pause();
  };
  socket.on('data', (chunk: Buffer) =>
    toClient.push(() => {
      if (finished) return;
      if (!data.destroyed) {
        if (!data.write(chunk)) {
          paused();
          data.once('drain', () => socket.resume());
        }
      } else if (data.resetStatus !== undefined && !session.isClosed) {
        // Reset by the client: spdystream goes on writing DATA for the dead stream.
        paused();
        session.sendStrayData(data.id, chunk, () => socket.resume());
      }
    }),
  );
  socket.on('end', () =>
    toClient.push(() => {
      podDone = true;
      directionDone();
    }),
  );
  socket.on('error', () => socket.destroy());
  socket.on('close', () =>
    toClient.push(() => {
      podDone = true;
      directionDone();
    }),
  );
  data.on('data', (chunk: Buffer) =>
    toPod.push(() => {
      if (!socket.destroyed && !socket.write(chunk)) {
        data.pause();
        socket.once('drain', () => data.resume());
      }
    }),
  );
  // A client FIN or RST ends only the client→pod copy; the pod is not half-closed.
  data.on('end', () =>
    toPod.push(() => {
      clientDone = true;
      directionDone();
    }),
  );
  data.on('close', () =>
    toPod.push(() => {
      clientDone = true;
      directionDone();
    }),
  );
}
