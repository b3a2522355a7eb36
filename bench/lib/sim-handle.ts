// The parent's side of bench/lib/sim-child.ts: its hello and its requests over IPC.
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';

/** What sim-child sends once its API server listens. */
export interface SimHello {
  apiUrl: string;
  kubeconfigPath: string;
  token: string;
  ca: string;
}

export class SimHandle {
  private nextId = 1;
  constructor(readonly child: ChildProcess) {}
  request(msg: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        const r = m as { id?: number; ok?: boolean; result?: unknown; error?: string };
        if (r.id !== id) return;
        this.child.off('message', onMessage);
        if (r.ok === true) resolve(r.result);
        else reject(new Error(r.error ?? 'sim request failed'));
      };
      this.child.on('message', onMessage);
      this.child.send({ id, ...msg });
    });
  }
}

/** 'kubectl' when a kubectl answers `version --client`, else undefined (its paths are skipped). */
export const kubectlPath = (): string | undefined => {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return r.status === 0 ? 'kubectl' : undefined;
};
