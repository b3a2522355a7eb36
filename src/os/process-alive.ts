// Whether the process that left something behind (a hosts block, a lock, a temp file) still runs.
// kill(pid, 0) alone says yes for a zombie (killed but not yet reaped: `kill -9` and an immediate
// restart) and for an unrelated process that got the same pid after a reboot, which would make
// kubefwd refuse to start until someone edits the hosts file by hand. Where /proc exists (Linux),
// the process state and its start time settle both; elsewhere kill(pid, 0) is all there is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProcStat {
  state: string;
  /** Clock ticks since boot when the process started (field 22 of /proc/<pid>/stat). */
  startTime: string;
}

const readStat = (pid: number, procRoot: string): ProcStat | undefined => {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : undefined;
};

/** When `pid` started, as an opaque token; undefined where the OS does not tell. */
export const processStartTime = (pid: number, procRoot = '/proc'): string | undefined =>
  readStat(pid, procRoot)?.startTime;

/**
 * Whether `pid` is a running process (a zombie is not) and, when `startTime` is given and the OS
 * tells, the same process that had that start time (not a later one that reused the pid).
 */
export const processAlive = (pid: number, startTime?: string, procRoot = '/proc'): boolean => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else (a root kubefwd seen from a user).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid, procRoot);
  if (stat === undefined) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
};
