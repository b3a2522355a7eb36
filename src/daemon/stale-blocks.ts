// Which hosts blocks are left over from a dead kubefwd. Our block id is `pid-<pid>`, so a second
// kubefwd sharing the hosts file keeps its own block, and a block whose process is gone (SIGKILL,
// crash, reboot) is removed by the next start. Blocks with ids we cannot read are stale too.
import { pidAlive } from '../os/file-lock.js';

export const blockIdFor = (pid: number): string => `pid-${pid}`;

export const isStaleBlockId = (
  id: string,
  ownPid: number,
  alive: (pid: number) => boolean = pidAlive,
): boolean => {
  const m = /^pid-(\d+)$/.exec(id);
  if (!m) return true;
  const pid = Number(m[1]);
  // Our own pid on a block we did not write yet: a previous process had this pid (reuse after reboot).
  if (pid === ownPid) return true;
  return !alive(pid);
};
