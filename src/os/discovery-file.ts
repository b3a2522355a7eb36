// Writing and removing `<home>/.kubefwd/api.json` ({url, key, pid}, mode 0600 in a 0700 directory,
// owned by the invoking user under sudo), through user-file.ts so that root never writes or chowns
// through a link the user planted. The name and shape are contract/api.ts's.
import { DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME, DiscoveryFile } from '../contract/api.js';
import { KubefwdError, errorMessage, isKubefwdError } from '../contract/errors.js';
import { readHomeFile, removeHomeFile, writeHomeFile, type FileOwner } from './user-file.js';

export interface WriteDiscoveryOptions {
  home: string;
  /** Owner to give the directory and file (SUDO_UID/SUDO_GID); omitted → the current user. */
  uid?: number;
  gid?: number;
  url: string;
  key: string;
  pid: number;
}

const SEGMENTS = [DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME] as const;

/** Writes the file atomically (random temp name + rename); returns its path. */
export const writeDiscoveryFile = async (o: WriteDiscoveryOptions): Promise<string> => {
  const body: DiscoveryFile = { url: o.url, key: o.key, pid: o.pid };
  const owner = o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : undefined;
  try {
    return await writeHomeFile(
      { home: o.home, segments: SEGMENTS, owner, mode: 0o600, dirMode: 0o700 },
      `${JSON.stringify(body, null, 2)}\n`,
    );
  } catch (err) {
    if (isKubefwdError(err)) throw err;
    const path = `${o.home}/${SEGMENTS.join('/')}`;
    throw new KubefwdError('INTERNAL', `cannot write the API discovery file ${path}: ${errorMessage(err)}`, {
      cause: err,
      field: path,
    });
  }
};

const namesPid = (text: string, pid: number): boolean => {
  try {
    return (JSON.parse(text) as { pid?: unknown }).pid === pid;
  } catch {
    return false;
  }
};

/** What the discovery file names now (read without following links), or undefined. */
export const readDiscoveryFile = async (
  home: string,
  owner?: FileOwner,
): Promise<DiscoveryFile | undefined> => {
  const text = await readHomeFile({ home, segments: SEGMENTS, owner });
  if (text === undefined) return undefined;
  try {
    return DiscoveryFile.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
};

/**
 * Removes the discovery file if it still names this process (another daemon may have replaced it).
 * With `restore` (the still-running daemon whose file this one replaced at start), writes that back
 * instead: `kubefwd mcp`, `tui` and `open` find the earlier daemon again once this one stops.
 */
export const removeDiscoveryFile = async (
  home: string,
  pid: number = process.pid,
  /** The invoking user under sudo (whose ~/.kubefwd it is); omitted → the current user. */
  owner?: FileOwner,
  restore?: DiscoveryFile,
): Promise<void> => {
  if (restore === undefined) {
    await removeHomeFile({ home, segments: SEGMENTS, owner }, (text) => namesPid(text, pid));
    return;
  }
  if ((await readDiscoveryFile(home, owner))?.pid !== pid) return;
  await writeDiscoveryFile({ home, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}), ...restore });
};
