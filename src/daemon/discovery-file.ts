// `<invoking user's home>/.kubefwd/api.json` ({url, key, pid}, mode 0600, owned by the invoking
// user under sudo): how `kubefwd mcp` and `kubefwd tui` find this daemon without flags. Removed at
// exit only if it is still ours (another daemon may have replaced it).
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME, type DiscoveryFile } from '../contract/api.js';

export interface DiscoveryTarget {
  home: string;
  uid?: number | undefined;
  gid?: number | undefined;
}

export const discoveryPath = (home: string): string => join(home, DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME);

export const writeDiscovery = async (target: DiscoveryTarget, content: DiscoveryFile): Promise<string> => {
  const dir = join(target.home, DISCOVERY_FILE_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = discoveryPath(target.home);
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  if (target.uid !== undefined && target.gid !== undefined) {
    await chown(dir, target.uid, target.gid).catch(() => undefined);
    await chown(tmp, target.uid, target.gid);
  }
  await rename(tmp, path);
  return path;
};

export const removeDiscovery = async (home: string, pid: number): Promise<void> => {
  const path = discoveryPath(home);
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as Partial<DiscoveryFile>;
    if (current.pid !== pid) return;
    await unlink(path);
  } catch {
    // gone already or unreadable: nothing of ours to remove
  }
};

/** KUBEFWD_API_KEY, else 32 random hex characters (kubefwd's rule). */
export const resolveApiKey = (env: NodeJS.ProcessEnv): { key: string; fromEnv: boolean } => {
  const fromEnv = env.KUBEFWD_API_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, fromEnv: true };
  return { key: randomBytes(16).toString('hex'), fromEnv: false };
};
