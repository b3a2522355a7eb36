// Which hosts blocks are left over from a dead kubefwd. Our block id is `pid-<pid>-<start>` (the
// start time where the OS tells, else just `pid-<pid>`), so a second kubefwd sharing the hosts file
// keeps its own block, and a block whose process is gone (SIGKILL, crash, reboot) is removed by the
// next start — also when a zombie still holds the pid, or another process got it after a reboot.
// Only ids of exactly that format are ever ours: a block someone wrote by hand with the same markers
// and another name (`# kubefwd begin my-notes`) is left alone. Pid 0 and 1 never own a block (init
// is always alive, so a `pid-1` block would otherwise make kubefwd refuse to start forever).
import { readFileSync } from 'node:fs';
import { KubefwdError } from '../contract/errors.js';
import { findBlocks, splitLines } from '../engine/hosts-block.js';
import { processAlive, processStartTime } from '../os/process-alive.js';

export const blockIdFor = (pid: number, startTime?: string): string =>
  startTime === undefined ? `pid-${pid}` : `pid-${pid}-${startTime}`;

/** The block id of this process. */
export const ownBlockId = (): string => blockIdFor(process.pid, processStartTime(process.pid));

/** The exact shape of the ids blockIdFor makes (a pid has at most 10 digits, a start time at most 20). */
const OUR_ID = /^pid-(\d{1,10})(?:-(\d{1,20}))?$/;

/** True for a block of ours whose writer is provably gone; false for a live one or one that is not ours. */
export const isStaleBlockId = (
  id: string,
  ownPid: number,
  alive: (pid: number, startTime?: string) => boolean = processAlive,
): boolean => {
  const m = OUR_ID.exec(id);
  if (!m) return false;
  const pid = Number(m[1]);
  // Our own pid on a block we did not write yet: a previous process had this pid (reuse after reboot).
  if (pid === ownPid) return true;
  if (pid <= 1) return true;
  return !alive(pid, m[2]);
};

/** True for a block of ours whose writer runs now (another kubefwd sharing this hosts file). */
export const isLiveBlockId = (
  id: string,
  ownPid: number,
  alive: (pid: number, startTime?: string) => boolean = processAlive,
): boolean => OUR_ID.test(id) && !isStaleBlockId(id, ownPid, alive);

/**
 * The pid of a kubefwd that manages `hostsPath` now (its block is there and its process runs), for
 * telling "not running" from "running without its REST API"; undefined when none or unreadable.
 */
export const runningKubefwdPid = (hostsPath: string, ownPid = process.pid): number | undefined => {
  let text: string;
  try {
    text = readFileSync(hostsPath, 'utf8');
  } catch {
    return undefined;
  }
  const live = findBlocks(splitLines(text)).find((b) => isLiveBlockId(b.id, ownPid));
  return live ? Number(OUR_ID.exec(live.id)?.[1]) : undefined;
};

/**
 * Refuses to share a hosts file with a running kubefwd: a name both forward would resolve to the
 * block that comes first, and a client could reach the other cluster without a word. The way on
 * depends on whether that one serves its REST API (`hasApi`: its discovery file names its pid).
 */
export const checkNoLiveBlock = async (
  hosts: { path: string; read(): Promise<string> },
  hasApi: (pid: number) => Promise<boolean>,
): Promise<void> => {
  const live = findBlocks(splitLines(await hosts.read())).find((b) => isLiveBlockId(b.id, process.pid));
  if (live === undefined) return;
  const pid = Number(OUR_ID.exec(live.id)?.[1]);
  const beside =
    '(A kubefwd with its own --hosts-path runs beside it, but its names resolve only where that file is read.)';
  throw new KubefwdError('HOSTS_FILE_LOCKED', `another kubefwd (pid ${pid}) is managing ${hosts.path}`, {
    field: '--hosts-path',
    hint: (await hasApi(pid))
      ? `Forward more through that one instead: \`kubefwd tui\` (f: namespaces, x: contexts) or \`kubefwd open\` (the dashboard) add namespaces of any context to it. Or stop it first. ${beside}`
      : `It runs without its REST API, so nothing can add to it: stop it (Ctrl-C) and start one kubefwd for all of it (\`-n shop -n billing\`, \`-x staging -x prod\`), or with --api, to add namespaces later with \`kubefwd tui\` or \`kubefwd open\`. ${beside}`,
  });
};
