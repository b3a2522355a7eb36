// Joins an accepted local TCP socket to a port-forward stream, the way every forward needs it:
// backpressure both ways (pipe), half-close both ways (a FIN on one side becomes a FIN on the other;
// the listener must be created with `allowHalfOpen: true` or Node ends the local socket's write side
// by itself when the client half-closes), and on a failure of either side both are torn down and
// the reason reported once.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubefwdError, errorMessage } from '../../contract/errors.js';

export interface BridgeHandle {
  /** Resolves once both sides are closed: undefined for a clean end, else the first failure. */
  readonly done: Promise<KubefwdError | undefined>;
  /** Tears both sides down now. */
  destroy(reason?: KubefwdError): void;
}

export function bridge(local: Socket, remote: Duplex): BridgeHandle {
  let failure: KubefwdError | undefined;
  let settled = false;
  let resolveDone!: (e: KubefwdError | undefined) => void;
  const done = new Promise<KubefwdError | undefined>((r) => (resolveDone = r));
  let localClosed = false;
  let remoteClosed = false;

  const settle = (): void => {
    if (settled || !localClosed || !remoteClosed) return;
    settled = true;
    resolveDone(failure);
  };
  const fail = (err: unknown, side: 'local' | 'remote'): void => {
    failure ??=
      err instanceof KubefwdError
        ? err
        : new KubefwdError(
            'STREAM_ERROR',
            `${side} side of the forwarded connection failed: ${errorMessage(err)}`,
            {
              cause: err,
            },
          );
    // A pod-side failure resets the local connection so the client sees it was not a clean end.
    if (side === 'remote') local.resetAndDestroy();
    else local.destroy();
    remote.destroy();
  };

  local.on('error', (err) => fail(err, 'local'));
  remote.on('error', (err) => fail(err, 'remote'));
  local.once('close', () => {
    localClosed = true;
    // The local connection is gone: nothing can consume or produce more.
    if (!remote.destroyed) remote.destroy();
    settle();
  });
  remote.once('close', () => {
    remoteClosed = true;
    // Closed without its end (cut, reset, forwarder closed): reset the local connection so its
    // client cannot mistake a truncated answer for a complete one. After a clean end, pipe() has
    // passed the FIN on and the local socket finishes by itself.
    if (!remote.readableEnded && !local.destroyed) local.resetAndDestroy();
    settle();
  });
  // A TLS read of the API connection delivers its records one by one (16 KiB each), and Node runs
  // the nextTick queue after each of them: corked until setImmediate (the end of this turn of the
  // event loop), all the records of one read reach the local socket as one writev instead of a
  // syscall (and a wakeup of the local reader) per record. (Registered before pipe()'s listener,
  // so the cork precedes the write.)
  let corked = false;
  const uncork = (): void => {
    corked = false;
    local.uncork();
  };
  remote.on('data', () => {
    if (corked || local.destroyed) return;
    corked = true;
    local.cork();
    setImmediate(uncork);
  });
  local.pipe(remote);
  remote.pipe(local);

  return {
    done,
    destroy(reason) {
      if (reason !== undefined) failure ??= reason;
      local.destroy();
      remote.destroy();
    },
  };
}
