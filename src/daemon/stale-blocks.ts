// Which hosts blocks are left over from a dead kubefwd. Our block id is `pid-<pid>-<start>` (the
// start time where the OS tells, else just `pid-<pid>`), so a second kubefwd sharing the hosts file
// keeps its own block, and a block whose process is gone (SIGKILL, crash, reboot) is removed by the
// next start — also when a zombie still holds the pid, or another process got it after a reboot.
// Blocks with ids we cannot read are stale too.
import { processAlive, processStartTime } from '../os/process-alive.js';

export const blockIdFor = (pid: number, startTime?: string): string =>
  startTime === undefined ? `pid-${pid}` : `pid-${pid}-${startTime}`;

/** The block id of this process. */
export const ownBlockId = (): string => blockIdFor(process.pid, processStartTime(process.pid));

export const isStaleBlockId = (
  id: string,
  ownPid: number,
  alive: (pid: number, startTime?: string) => boolean = processAlive,
): boolean => {
  const m = /^pid-(\d+)(?:-(\d+))?$/.exec(id);
  if (!m) return true;
  const pid = Number(m[1]);
  // Our own pid on a block we did not write yet: a previous process had this pid (reuse after reboot).
  if (pid === ownPid) return true;
  return !alive(pid, m[2]);
};
