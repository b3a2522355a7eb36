// One port-forward session per pod, shared by every port and every forward name that uses the pod
// (a headless service's first pod serves both the service name and `<pod>.<svc>`; a selector-less
// service's Endpoints may name another service's pod). Reference-counted: closed when the last
// holder lets go. A holder that wants a fresh session (a manual reconnect of one service) retires
// the shared one instead of closing it: later acquirers get a new session, and the retired one stays
// open for the forwards still using it until they let go too — so one service's reconnect never
// cuts the connections of another service on the same pod. A session that died is dropped so the
// next user opens a fresh one.
import type { ClusterGateway, PodSession } from './gateways.js';

export interface SessionLease {
  readonly session: PodSession;
  /**
   * Lets go of the session. With `retire`, later acquirers of the pod get a new session while this
   * one stays open for its other holders (closed once the last of them lets go).
   */
  release(opts?: { retire?: boolean }): void;
}

export interface SessionPool {
  acquire(cluster: ClusterGateway, namespace: string, podName: string, uid?: string): SessionLease;
  /** Closes the pod's session now (the pod itself is gone: every holder sees `closed` and re-dials). */
  invalidate(context: string, namespace: string, podName: string): void;
  /**
   * Proves every session open now (PodSession.check); a dead one ends, and its holders re-dial as
   * after any lost connection. Resolves with how many were checked and how many were dead.
   */
  checkAll(timeoutMs: number): Promise<{ checked: number; dead: number }>;
  /** Sessions open now (shared ones count once); for tests and diagnostics. */
  size(): number;
  closeAll(): void;
}

interface Slot {
  session: PodSession;
  refs: number;
}

export const createSessionPool = (): SessionPool => {
  const slots = new Map<string, Slot>();
  /** Retired sessions still held by someone. */
  const retired = new Set<Slot>();
  const keyOf = (context: string, namespace: string, pod: string): string => `${context}/${namespace}/${pod}`;
  return {
    acquire(cluster, namespace, podName, uid) {
      const key = keyOf(cluster.context, namespace, podName);
      let slot = slots.get(key);
      if (!slot) {
        const session = cluster.openSession(
          uid === undefined ? { namespace, name: podName } : { namespace, name: podName, uid },
        );
        const created: Slot = { session, refs: 0 };
        slot = created;
        slots.set(key, created);
        void session.closed.then(() => {
          if (slots.get(key) === created) slots.delete(key);
          retired.delete(created);
        });
      }
      slot.refs++;
      const held = slot;
      let released = false;
      return {
        session: held.session,
        release(opts) {
          if (released) return;
          released = true;
          held.refs--;
          if (opts?.retire && slots.get(key) === held) {
            slots.delete(key);
            retired.add(held);
          }
          if (held.refs <= 0) {
            if (slots.get(key) === held) slots.delete(key);
            retired.delete(held);
            held.session.close({ drain: true });
          }
        },
      };
    },
    invalidate(context, namespace, podName) {
      const key = keyOf(context, namespace, podName);
      const slot = slots.get(key);
      if (!slot) return;
      slots.delete(key);
      slot.session.close();
    },
    async checkAll(timeoutMs) {
      const all = [...slots.values(), ...retired];
      const alive = await Promise.all(all.map((slot) => slot.session.check(timeoutMs)));
      return { checked: all.length, dead: alive.filter((a) => !a).length };
    },
    size: () => slots.size + retired.size,
    closeAll() {
      for (const slot of [...slots.values(), ...retired]) slot.session.close();
      slots.clear();
      retired.clear();
    },
  };
};
