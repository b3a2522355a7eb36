// One port-forward session per pod, shared by every port and every forward name that uses the pod
// (a headless service's first pod serves both the service name and `<pod>.<svc>`). Closed when the
// last user lets go; a session that died is dropped so the next user opens a fresh one.
import type { ClusterPort, PodSession } from './ports.js';

export interface SessionLease {
  readonly session: PodSession;
  release(): void;
}

export interface SessionPool {
  acquire(cluster: ClusterPort, namespace: string, podName: string, uid?: string): SessionLease;
  /** Closes the pod's session now (every holder sees `closed` and re-dials). */
  invalidate(context: string, namespace: string, podName: string): void;
  closeAll(): void;
}

interface Slot {
  session: PodSession;
  refs: number;
}

export const createSessionPool = (): SessionPool => {
  const slots = new Map<string, Slot>();
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
        });
      }
      slot.refs++;
      const held = slot;
      let released = false;
      return {
        session: held.session,
        release() {
          if (released) return;
          released = true;
          held.refs--;
          if (held.refs <= 0) {
            if (slots.get(key) === held) slots.delete(key);
            held.session.close();
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
    closeAll() {
      for (const slot of slots.values()) slot.session.close();
      slots.clear();
    },
  };
};
