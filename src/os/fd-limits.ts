// Open files: the one resource every forwarded connection spends two of (the local socket and the
// stream to the pod). Node raises the soft RLIMIT_NOFILE to the hard limit when it starts (what Go
// does for kubefwd), so there is nothing left to raise from inside; what kubefwd can do is know the
// limit, watch how close it is, and say so instead of failing silently: when accept() hits EMFILE,
// libuv closes the pending connections itself (they see a reset) and tells nobody.
import { readdirSync, readFileSync } from 'node:fs';

export interface FileLimit {
  soft: number;
  hard: number;
}

/** The open-file limits of this process, where the OS tells (Linux /proc); else undefined. */
export const readFileLimit = (procLimits = '/proc/self/limits'): FileLimit | undefined => {
  try {
    const line = readFileSync(procLimits, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const m = line === undefined ? null : /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
    if (!m) return undefined;
    const n = (s: string): number => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
    return { soft: n(m[1]!), hard: n(m[2]!) };
  } catch {
    return undefined;
  }
};

/** How many descriptors this process has open, where the OS tells (Linux /proc/self/fd). */
export const countOpenFiles = (procFd = '/proc/self/fd'): number | undefined => {
  try {
    return readdirSync(procFd).length - 1; // the directory handle readdir itself opened
  } catch {
    return undefined;
  }
};

/** What /api/health reports about file descriptors and refused connections. */
export interface ResourceCounters {
  /** accept() failures on forward listeners (EMFILE, ENFILE…) since start. */
  acceptErrors: number;
  /** API connections closed at once because a client or the API had too many open. */
  apiConnectionsRefused: number;
  /** Times the open-file count came within 10% of the limit. */
  nearFileLimit: number;
}

export interface ResourceMonitor {
  readonly counters: ResourceCounters;
  /** Counts and logs (at most once per 10 s) a failed accept on `where`. */
  acceptFailed(where: string, err: unknown): void;
  /** Counts and logs (at most once per 10 s) an API connection closed because of a cap. */
  apiConnectionRefused(why: string): void;
  /** Samples the open-file count; warns once each time it comes near the limit. */
  sample(): void;
  /** Counters plus the current open files and limit, for /api/health. */
  snapshot(): ResourceCounters & { openFiles?: number; fileLimit?: number };
}

export interface ResourceMonitorOptions {
  warn(message: string): void;
  now?: () => number;
  limit?: () => FileLimit | undefined;
  openFiles?: () => number | undefined;
}

export const createResourceMonitor = (o: ResourceMonitorOptions): ResourceMonitor => {
  const now = o.now ?? Date.now;
  const limit = o.limit ?? readFileLimit;
  const openFiles = o.openFiles ?? countOpenFiles;
  const counters: ResourceCounters = { acceptErrors: 0, apiConnectionsRefused: 0, nearFileLimit: 0 };
  const lastLog = new Map<string, number>();
  let suppressed = new Map<string, number>();
  const rateLimited = (key: string, message: string): void => {
    const t = now();
    if (t - (lastLog.get(key) ?? -Infinity) < 10_000) {
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
      return;
    }
    const more = suppressed.get(key) ?? 0;
    suppressed = new Map([...suppressed].filter(([k]) => k !== key));
    lastLog.set(key, t);
    o.warn(more > 0 ? `${message} (and ${more} more since the last report)` : message);
  };
  let near = false;
  return {
    counters,
    acceptFailed(where, err) {
      counters.acceptErrors += 1;
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const l = limit();
      rateLimited(
        'accept',
        `Cannot accept a connection on ${where}: ${code}${code === 'EMFILE' || code === 'ENFILE' ? ` (out of file descriptors${l ? `, limit ${l.soft}` : ''}; raise it with \`ulimit -n\`)` : ''}`,
      );
    },
    apiConnectionRefused(why) {
      counters.apiConnectionsRefused += 1;
      rateLimited('api', `API connections at their cap: ${why}`);
    },
    sample() {
      const l = limit();
      const n = openFiles();
      if (l === undefined || n === undefined) return;
      const isNear = n >= l.soft * 0.9;
      if (isNear && !near) {
        counters.nearFileLimit += 1;
        o.warn(
          `${n} of ${l.soft} file descriptors are open: new connections will fail soon (each forwarded connection uses two; raise the limit with \`ulimit -n\`)`,
        );
      }
      near = isNear;
    },
    snapshot() {
      const l = limit();
      const n = openFiles();
      return {
        ...counters,
        ...(n !== undefined ? { openFiles: n } : {}),
        ...(l ? { fileLimit: l.soft } : {}),
      };
    },
  };
};
