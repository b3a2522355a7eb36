// The simulated cluster in its own process (bench/lib/sim-child.ts), driven over IPC, so the figures
// of a section are ours and not the server's.
import { forkWithHello, stopChild } from '../lib/processes.js';

export interface SimChild {
  kubeconfigPath: string;
  request(msg: {
    cmd: 'latency' | 'apply' | 'waitReady' | 'counters';
    ms?: number;
    yaml?: string;
    namespace?: string;
  }): Promise<unknown>;
  stop(): Promise<void>;
}

export const startSimChild = async (): Promise<SimChild> => {
  const { child, hello } = await forkWithHello<{ kubeconfigPath: string }>(
    new URL('../lib/sim-child.js', import.meta.url),
    [],
  );
  let nextId = 1;
  const request = (msg: Record<string, unknown>): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        const r = m as { id?: number; ok?: boolean; result?: unknown; error?: string };
        if (r.id !== id) return;
        child.off('message', onMessage);
        if (r.ok === true) resolve(r.result);
        else reject(new Error(r.error ?? 'sim request failed'));
      };
      child.on('message', onMessage);
      child.send({ id, ...msg });
    });
  };
  return { kubeconfigPath: hello.kubeconfigPath, request, stop: () => stopChild(child) };
};
