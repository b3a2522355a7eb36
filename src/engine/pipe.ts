// Joins one local TCP connection to one pod stream: bytes both ways through the traffic tap
// (counted, never altered), backpressure by pause/resume (Readable.pipe), half-close both ways
// (end → end), and an error on either side ends just this connection.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ConnectionTap } from './gateways.js';
import { errorMessage } from '../contract/errors.js';

export interface PipeResult {
  /** Resolves when both sides are closed; with the first error's text if one failed. */
  done: Promise<string | undefined>;
}

export interface PipeOptions {
  /** The pod side already sent EOF (seen before piping started): end the client side now. */
  podEnded?: boolean;
}

export const pipeConnection = (
  socket: Socket,
  stream: Duplex,
  tap: ConnectionTap,
  options: PipeOptions = {},
): PipeResult => {
  let failure: string | undefined;
  let socketClosed = false;
  let streamClosed = false;
  let finish: (reason: string | undefined) => void = () => undefined;
  const done = new Promise<string | undefined>((resolve) => (finish = resolve));

  const settle = (): void => {
    if (!socketClosed || !streamClosed) return;
    tap.closed(failure);
    finish(failure);
  };

  // A TLS read of the API connection delivers its records one by one (16 KiB each), and Node runs
  // the nextTick queue after each of them: corked until setImmediate (the end of this turn of the
  // event loop), all the records of one read reach the local socket as one writev instead of a
  // syscall (and a wakeup of the local reader) per record. Registered before pipe()'s listener,
  // so the cork precedes the write.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  stream.on('data', (chunk: Buffer) => {
    tap.fromPod(chunk);
    if (corked || socket.destroyed) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  });
  socket.pipe(stream);
  // After pipe()'s listener: the chunk goes to the pod first, then the tap reads it.
  socket.on('data', (chunk: Buffer) => tap.toPod(chunk));
  if (options.podEnded) {
    socket.end();
    stream.resume();
  } else stream.pipe(socket);

  // The client's own end (it reset the connection, went away mid-answer) is not a failure of the
  // forward or the pod: counted as one, a client killed with unread data made redis look broken.
  socket.on('error', () => stream.destroy());
  stream.on('error', (err) => {
    failure ??= errorMessage(err);
    socket.destroy();
  });
  socket.on('close', (hadError) => {
    socketClosed = true;
    // The local side is gone: nothing more can be delivered to it. After a clean close, let the
    // bytes already written to the pod stream go out first.
    if (!stream.destroyed) {
      if (!hadError && stream.writableEnded && !stream.writableFinished)
        stream.once('finish', () => stream.destroy());
      else stream.destroy();
    }
    settle();
  });
  stream.on('close', () => {
    streamClosed = true;
    if (!socket.destroyed) {
      // Let what the pod sent drain to the client, then close.
      if (socket.writableFinished) socket.destroy();
      else {
        socket.end();
        socket.once('finish', () => socket.destroy());
      }
    }
    settle();
  });
  return { done };
};
