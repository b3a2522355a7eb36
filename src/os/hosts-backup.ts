// kubefwd's safety net: a copy of the hosts file at `<invoking user's home>/hosts.original`, made
// before the first change and kept across runs (`-b` refreshes it). A `--hosts-path` other than the
// system's is backed up under a name of its own (backupFileName). Owned by the invoking user and
// written through user-file.ts (no symlink the user planted is followed). Root copies into the
// user's home only what the user could read anyway: `--hosts-path` at a root-only file is refused.
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { KubefwdError, errorMessage, isKubefwdError } from '../contract/errors.js';
import { groupsOf, lstatHomeFile, userMayRead, writeHomeFile } from './user-file.js';

export interface BackupOptions {
  hostsPath: string;
  home: string;
  /** The backup's file name in `home` (backupFileName); default `hosts.original`. */
  name?: string;
  /** Replace an existing backup (-b). */
  refresh: boolean;
  uid?: number | undefined;
  gid?: number | undefined;
  /** The invoking user's name (for supplementary groups in /etc/group). */
  user?: string | undefined;
  /** The invoking user's group ids; default: primary gid + /etc/group membership. */
  groups?: readonly number[];
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

/**
 * The backup's name in the user's home: `hosts.original` for the system hosts file (kubefwd's
 * name, the one its docs restore from) and a name of its own for any other `--hosts-path`. With
 * one name for every file, a first run on a scratch file (`kubefwd demo --hosts-path /tmp/h`) left
 * its copy there, and every later run on /etc/hosts kept that copy as "the original" instead of
 * backing up /etc/hosts.
 */
export const backupFileName = (
  hostsPath: string,
  systemHostsPath: string,
  platform: NodeJS.Platform = process.platform,
): string => {
  const norm = (p: string): string => (platform === 'win32' ? resolve(p).toLowerCase() : resolve(p));
  if (norm(hostsPath) === norm(systemHostsPath)) return 'hosts.original';
  const slug = resolve(hostsPath)
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .replace(/^_+/, '');
  // File names stop at 255 bytes: a long path keeps its end and a hash of the whole.
  const short =
    slug.length <= 120
      ? slug
      : `${slug.slice(-100)}-${createHash('sha256').update(resolve(hostsPath)).digest('hex').slice(0, 8)}`;
  return `hosts.original.${short}`;
};

export const backupHostsFile = async (options: BackupOptions): Promise<BackupResult> => {
  const name = options.name ?? 'hosts.original';
  const path = join(options.home, name);
  const owner =
    options.uid !== undefined && options.gid !== undefined
      ? { uid: options.uid, gid: options.gid }
      : undefined;
  const where = { home: options.home, segments: [name], owner };
  const fail = (err: unknown): KubefwdError =>
    isKubefwdError(err)
      ? err
      : new KubefwdError(
          'HOSTS_FILE_ERROR',
          `cannot back up ${options.hostsPath} to ${path}: ${errorMessage(err)}`,
          {
            cause: err,
            field: '--hosts-path',
            hint: `Check that your home directory is writable (the backup lives at ~/${name}).`,
          },
        );
  let existing;
  try {
    existing = await lstatHomeFile(where);
  } catch (err) {
    throw fail(err);
  }
  if (existing?.isSymbolicLink())
    throw new KubefwdError('UNSAFE_PATH', `refusing to write through ${path}: it is a symbolic link`, {
      field: path,
      hint: 'Remove the link (and check what planted it), then start kubefwd again.',
    });
  if (existing && !options.refresh)
    return {
      path,
      created: false,
      message: `Original hosts backup already exists at ${path} (created ${stamp(existing.mtime)}). Use -b to create a fresh backup.`,
    };
  try {
    const source = await stat(options.hostsPath);
    if (owner && !userMayRead(source, owner.uid, options.groups ?? groupsOf(options.user, owner.gid)))
      throw new KubefwdError(
        'HOSTS_FILE_ERROR',
        `refusing to copy ${options.hostsPath} to ${path}: uid ${owner.uid} may not read it (mode ${(source.mode & 0o777).toString(8)}, owner uid ${source.uid})`,
        {
          field: '--hosts-path',
          hint: 'Point --hosts-path at a hosts file you can read, or make it readable to you.',
        },
      );
    await writeHomeFile({ ...where, mode: source.mode & 0o666 }, await readFile(options.hostsPath));
  } catch (err) {
    throw fail(err);
  }
  return { path, created: true, message: `Backing up hosts file ${options.hostsPath} to ${path}` };
};
