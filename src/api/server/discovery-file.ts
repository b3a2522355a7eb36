// The API key and the discovery file `<home>/.kubefwd/api.json` ({url, key, pid}, mode 0600,
// owned by the invoking user when kubefwd runs under sudo) through which `kubefwd mcp` and
// `kubefwd tui` find the daemon without configuration.
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME, type DiscoveryFile } from '../../contract/api.js';
import { KubefwdError, errorMessage } from '../../contract/errors.js';

export interface ResolvedKey {
  key: string;
  /** "env": KUBEFWD_API_KEY; "generated": 16 random bytes as hex. */
  source: 'env' | 'generated';
}

/** KUBEFWD_API_KEY when set (non-empty), else 32 random hex characters. */
export const resolveApiKey = (env: Record<string, string | undefined> = process.env): ResolvedKey => {
  const k = env.KUBEFWD_API_KEY?.trim();
  if (k) return { key: k, source: 'env' };
  return { key: randomBytes(16).toString('hex'), source: 'generated' };
};

export const discoveryPath = (home: string): string => join(home, DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME);

export interface WriteDiscoveryOptions {
  home: string;
  /** Owner to give the directory and file (SUDO_UID/SUDO_GID); omitted → the current user. */
  uid?: number;
  gid?: number;
  url: string;
  key: string;
  pid: number;
}

/**
 * Writes the file atomically (temp + rename) with mode 0600 in a 0700 directory, chowned to the
 * invoking user. Returns its path.
 */
export const writeDiscoveryFile = async (o: WriteDiscoveryOptions): Promise<string> => {
  const dir = join(o.home, DISCOVERY_FILE_DIR);
  const path = join(dir, DISCOVERY_FILE_NAME);
  const tmp = `${path}.${process.pid}.tmp`;
  const body: DiscoveryFile = { url: o.url, key: o.key, pid: o.pid };
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600); // the umask may have narrowed it; never widen beyond 0600
    if (o.uid !== undefined) {
      const gid = o.gid ?? o.uid;
      await chown(dir, o.uid, gid);
      await chown(tmp, o.uid, gid);
    }
    await rename(tmp, path);
    return path;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new KubefwdError('INTERNAL', `cannot write the API discovery file ${path}: ${errorMessage(err)}`, {
      cause: err,
      field: path,
    });
  }
};

/** Removes the discovery file if it still names this process (another daemon may have replaced it). */
export const removeDiscoveryFile = async (home: string, pid: number = process.pid): Promise<void> => {
  const path = discoveryPath(home);
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown };
    if (json.pid === pid) await rm(path, { force: true });
  } catch {
    // Gone already or unreadable: nothing to clean up.
  }
};
