// Local connections that arrived while the session is (re-)established: each waits, bounded, for
// the session, and is answered all at once when it is up or hopeless.
import type { KubefwdError } from '../../contract/errors.js';
import type { Clock, PodSession } from '../gateways.js';

interface Waiter {
  resolve: (s: PodSession) => void;
  reject: (e: KubefwdError) => void;
  timer: { cancel(): void };
}

export class SessionWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  /** Waits for the session; after `ms`, rejects with what `timedOut` says then. */
  wait(ms: number, timedOut: () => KubefwdError): Promise<PodSession> {
    return new Promise<PodSession>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.waiters.delete(waiter);
          reject(timedOut());
        }, ms),
      };
      this.waiters.add(waiter);
    });
  }

  resolveAll(session: PodSession): void {
    for (const w of this.waiters) {
      w.timer.cancel();
      w.resolve(session);
    }
    this.waiters.clear();
  }

  rejectAll(e: KubefwdError): void {
    for (const w of this.waiters) {
      w.timer.cancel();
      w.reject(e);
    }
    this.waiters.clear();
  }
}
