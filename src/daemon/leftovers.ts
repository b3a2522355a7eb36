// What a kubefwd killed with SIGKILL (or stopped by a second Ctrl-C) leaves behind, cleaned on the
// next start and said out loud: the discovery file naming a dead pid, and the demo's temporary
// directory (kubeconfig, simulated cluster state). The hosts block is stale-blocks.ts's.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { discoveryPath } from '../api/server/discovery-file.js';
import { processAlive } from '../os/process-alive.js';

/** The file in a demo directory naming the process that owns it. */
export const DEMO_OWNER_FILE = 'owner.pid';
export const DEMO_DIR_PREFIX = 'kubefwd-demo-';

const pidIn = (text: string): number | undefined => {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** Removes `<home>/.kubefwd/api.json` when the pid it names is not running; the line to log, if any. */
export const removeStaleDiscoveryFile = async (
  home: string,
  alive: (pid: number) => boolean = (pid) => processAlive(pid),
): Promise<string | undefined> => {
  const path = discoveryPath(home);
  let pid: number | undefined;
  try {
    pid = pidIn(String((JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid));
  } catch {
    return undefined; // none, or unreadable: not ours to judge
  }
  if (pid === undefined || pid === process.pid || alive(pid)) return undefined;
  await rm(path, { force: true });
  return `Removed ${path}, left by kubefwd pid ${pid}, which is no longer running`;
};

/** Removes `<tmp>/kubefwd-demo-*` directories whose owner pid is not running; the lines to log. */
export const removeStaleDemoDirs = async (
  tmp: string,
  alive: (pid: number) => boolean = (pid) => processAlive(pid),
): Promise<string[]> => {
  let names: string[];
  try {
    names = (await readdir(tmp)).filter((n) => n.startsWith(DEMO_DIR_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(tmp, name);
    const pid = pidIn(await readFile(join(dir, DEMO_OWNER_FILE), 'utf8').catch(() => ''));
    // No owner file: a directory of an older version or another tool's; left alone.
    if (pid === undefined || pid === process.pid || alive(pid)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(`Removed the demo directory ${dir}, left by kubefwd pid ${pid}, which is no longer running`);
  }
  return removed;
};
