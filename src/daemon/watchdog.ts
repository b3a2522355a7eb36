// Last resort for shutdown: a worker thread that ends the process if the main thread has not
// finished stopping in time. A timer on the main thread cannot do this — a task that never yields
// (e.g. a promise loop spinning in the microtask queue) starves it. By the time the watchdog
// fires, the daemon has already removed its hosts block, so the only loss is a clean exit code.
import { Worker } from 'node:worker_threads';

// Dynamic imports: eval'd worker code may be loaded as CommonJS or as an ES module.
const WORKER = `
(async () => {
  const { workerData } = await import('node:worker_threads');
  const { writeSync } = await import('node:fs');
  setTimeout(() => {
    try { writeSync(2, workerData.message + '\\n'); } catch {}
    process.kill(workerData.pid, 'SIGKILL');
  }, workerData.ms);
})();
`;

export interface Watchdog {
  cancel(): Promise<void>;
}

export const startWatchdog = (ms: number, message: string): Watchdog => {
  const worker = new Worker(WORKER, { eval: true, workerData: { ms, message, pid: process.pid } });
  worker.unref();
  worker.on('error', () => undefined);
  return {
    async cancel() {
      await worker.terminate();
    },
  };
};
