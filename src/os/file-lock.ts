// A lock that also works across processes: a lock file created with O_EXCL holding the owner's pid.
// A lock whose owner is gone (SIGKILL, crash) is stale and taken over, so a killed kubefwd never
// blocks the next one. Inside one process, callers are queued first so the file is only contended
// between processes.
import { open, readFile, unlink, stat } from 'node:fs/promises';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import { processAlive } from './process-alive.js';

export interface FileLockOptions {
  /** Give up after this long (HOSTS_FILE_LOCKED). Default 10 s. */
  timeoutMs?: number;
  /** Poll interval while another process holds it. Default 25 ms. */
  pollMs?: number;
  /** A lock file without a readable pid older than this is stale. Default 5 s. */
  unreadableStaleMs?: number;
  /** Whether a pid is alive; injectable for tests. */
  isAlive?: (pid: number) => boolean;
  /** Label for messages (the file being protected). */
  label?: string;
}

export interface FileLock {
  readonly path: string;
  /** Runs `fn` while holding the lock. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// One closure on purpose: acquire, stale-lock detection and release share the lock file's state.
export const createFileLock = (path: string, options: FileLockOptions = {}): FileLock => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pollMs = options.pollMs ?? 25;
  const unreadableStaleMs = options.unreadableStaleMs ?? 5_000;
  const isAlive = options.isAlive ?? ((pid: number) => processAlive(pid));
  const label = options.label ?? path;
  let queue: Promise<unknown> = Promise.resolve();

  /** True when the existing lock file may be removed. */
  const isStale = async (): Promise<boolean> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT';
    }
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0) return pid !== process.pid && !isAlive(pid);
    // Empty or garbage: a writer died between create and write, or it is being written right now.
    try {
      const s = await stat(path);
      return Date.now() - s.mtimeMs > unreadableStaleMs;
    } catch {
      return true;
    }
  };

  const acquire = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const fh = await open(path, 'wx', 0o644);
        try {
          await fh.writeFile(`${process.pid}\n`);
        } finally {
          await fh.close();
        }
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST')
          throw new KubefwdError(
            'HOSTS_FILE_ERROR',
            `cannot create lock file ${path} for ${label}: ${errorMessage(err)}`,
            {
              cause: err,
              field: label,
            },
          );
      }
      if (await isStale()) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline)
        throw new KubefwdError(
          'HOSTS_FILE_LOCKED',
          `${label} is locked by another process (lock file ${path})`,
          {
            field: label,
          },
        );
      await sleep(pollMs);
    }
  };

  const release = async (): Promise<void> => {
    await unlink(path).catch(() => undefined);
  };

  return {
    path,
    withLock<T>(fn: () => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        await acquire();
        try {
          return await fn();
        } finally {
          await release();
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
};
