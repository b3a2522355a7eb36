// kubefwd's safety net: a copy of the hosts file at `<invoking user's home>/hosts.original`, made
// before the first change and kept across runs (`-b` refreshes it). Owned by the invoking user.
import { chown, copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KubefwdError, errorMessage } from '../contract/errors.js';

export interface BackupOptions {
  hostsPath: string;
  home: string;
  /** Replace an existing backup (-b). */
  refresh: boolean;
  uid?: number | undefined;
  gid?: number | undefined;
}

export interface BackupResult {
  path: string;
  created: boolean;
  /** kubefwd's wording, for the log. */
  message: string;
}

const stamp = (d: Date): string => {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

export const backupHostsFile = async (options: BackupOptions): Promise<BackupResult> => {
  const path = join(options.home, 'hosts.original');
  if (!options.refresh) {
    try {
      const s = await stat(path);
      return {
        path,
        created: false,
        message: `Original hosts backup already exists at ${path} (created ${stamp(s.mtime)}). Use -b to create a fresh backup.`,
      };
    } catch {
      // none yet
    }
  }
  try {
    await copyFile(options.hostsPath, path);
    if (options.uid !== undefined && options.gid !== undefined) await chown(path, options.uid, options.gid);
  } catch (err) {
    throw new KubefwdError(
      'HOSTS_FILE_ERROR',
      `cannot back up ${options.hostsPath} to ${path}: ${errorMessage(err)}`,
      {
        cause: err,
        field: '--hosts-path',
        hint: 'Check that your home directory is writable (the backup lives at ~/hosts.original).',
      },
    );
  }
  return { path, created: true, message: `Backing up hosts file ${options.hostsPath} to ${path}` };
};
