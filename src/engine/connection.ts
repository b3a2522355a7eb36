// One local connection's way to the pod, with a safety net for the moment a session dies: until
// the pod has sent its first byte (or EOF), what the client sent (up to `replayLimit`) is kept;
// when the pod stream fails in that window *because its session died* (a cut, a pod restart
// racing the dial), the connection waits for the re-dialled session and replays those bytes on a
// new stream instead of failing. Once the pod has answered, bytes are piped (pipe.ts) and never
// replayed. A pod-side failure of a healthy session (e.g. connection refused) ends this connection.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../contract/errors.js';
import { pipeConnection } from './pipe.js';
import type { ConnectionTap, PodSession } from './gateways.js';

export interface ConnectionPlan {
  socket: Socket;
  /** An active session (waiting, bounded, for one) — rejects when there is none to be had. */
  session: () => Promise<PodSession>;
  /** The pod port to open, read after the session is there (the pod may have just been chosen). */
  podPort: () => number;
  /** Whether a session turned out to be dying (its `closed` settles within a grace period). */
  sessionDied: (session: PodSession) => Promise<boolean>;
  /** Called once, when the connection is joined to a pod stream for good. */
  tap: () => ConnectionTap;
  /** Reports the end of the connection: undefined for a clean end, else why it failed. */
  done: (failure: string | undefined) => void;
  replayLimit?: number;
  maxAttempts?: number;
}

// One function: the replay buffer, the session wait and the piping share the connection's state.
export const connectToPod = (plan: ConnectionPlan): void => {
  const { socket } = plan;
  const limit = plan.replayLimit ?? 64 * 1024;
  const maxAttempts = plan.maxAttempts ?? 3;
  const sent: Buffer[] = [];
  let sentBytes = 0;
  let localEnded = false;
  let committed = false;
  let finished = false;
  let stream: Duplex | undefined;
  let attempts = 0;
  /** Removes the early-phase listeners from the current pod stream. */
  let detachStream: (() => void) | undefined;

  const finish = (failure: string | undefined): void => {
    if (finished) return;
    finished = true;
    plan.done(failure);
  };

  const onLocalData = (chunk: Buffer): void => {
    sent.push(chunk);
    sentBytes += chunk.length;
    stream?.write(chunk);
    if (sentBytes > limit && stream) commit(undefined, false);
  };
  const onLocalEnd = (): void => {
    localEnded = true;
    stream?.end();
  };
  const onLocalClose = (): void => {
    if (committed) return;
    stream?.destroy();
    finish(undefined);
  };
  socket.on('data', onLocalData);
  socket.on('end', onLocalEnd);
  socket.once('close', onLocalClose);
  socket.pause();

  const detachLocal = (): void => {
    socket.off('data', onLocalData);
    socket.off('end', onLocalEnd);
    socket.off('close', onLocalClose);
  };

  const commit = (first: Buffer | undefined, podEnded: boolean): void => {
    if (committed || !stream) return;
    committed = true;
    const s = stream;
    detachStream?.();
    detachLocal();
    const tap = plan.tap();
    for (const c of sent) tap.toPod(c);
    sent.length = 0;
    if (first) {
      socket.write(first);
      tap.fromPod(first);
    }
    const { done } = pipeConnection(socket, s, tap, { podEnded });
    void done.then(finish);
    socket.resume();
  };

  const attach = (session: PodSession, s: Duplex): void => {
    stream = s;
    for (const c of sent) s.write(c);
    if (localEnded) s.end();
    let failed = false;
    const onData = (chunk: Buffer): void => {
      s.pause();
      commit(chunk, false);
    };
    const onEnd = (): void => commit(undefined, true);
    const onError = (err: unknown): void => onFail(err);
    const onClose = (): void => onFail(undefined);
    detachStream = () => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', onError);
      s.off('close', onClose);
    };
    const onFail = (err: unknown): void => {
      if (failed || committed) return;
      failed = true;
      detachStream?.();
      // Keep a late error of the abandoned stream from going unhandled.
      s.on('error', () => undefined);
      s.destroy();
      stream = undefined;
      void plan.sessionDied(session).then((died) => {
        if (died && attempts < maxAttempts && !socket.destroyed) void safeDial();
        else {
          socket.destroy();
          finish(err === undefined ? 'pod stream closed' : errorMessage(err));
        }
      });
    };
    s.once('data', onData);
    s.once('end', onEnd);
    s.once('error', onError);
    s.once('close', onClose);
    if (sentBytes > limit) commit(undefined, false);
    else socket.resume();
  };

  const dial = async (): Promise<void> => {
    attempts++;
    let session: PodSession;
    try {
      session = await plan.session();
    } catch (err) {
      socket.destroy();
      finish(errorMessage(err));
      return;
    }
    if (socket.destroyed) return finish(undefined);
    let s: Duplex;
    try {
      s = await session.openStream(plan.podPort());
    } catch (err) {
      if (attempts < maxAttempts && !socket.destroyed && (await plan.sessionDied(session))) return dial();
      socket.destroy();
      finish(errorMessage(err));
      return;
    }
    if (socket.destroyed) {
      s.destroy();
      return finish(undefined);
    }
    attach(session, s);
  };

  const safeDial = (): Promise<void> =>
    dial().catch((err: unknown) => {
      socket.destroy();
      finish(errorMessage(err));
    });
  void safeDial();
};
