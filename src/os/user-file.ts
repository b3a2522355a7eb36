// Files kubefwd writes into the invoking user's home while it runs as root (`sudo -E kubefwd`): the
// API discovery file and the hosts backup. The home belongs to the user, and so does anything
// running as the user: it can plant a symlink (`~/.kubefwd -> /etc`, a dangling
// `~/hosts.original -> /etc/cron.d/x`, a pre-created temp name) and wait for root to write and chown
// through it. So, until the writes move to an unprivileged process (issue 16):
//   - every component under the home is checked with lstat and opened with O_NOFOLLOW: a symlink, a
//     non-directory, or a directory owned by someone other than the user (or root) is refused with
//     an error naming it; a directory others may write to is refused too;
//   - the file is created under a random temp name with O_CREAT|O_EXCL|O_NOFOLLOW (never opens what
//     is there), fchown'ed and fchmod'ed on the open descriptor, then renamed over the final name
//     (rename replaces a planted link, it does not follow it);
//   - on Linux the directory is reached through /proc/self/fd/N of the directory we opened and
//     checked, which is what openat would give: swapping a path component for a link between the
//     check and the write changes nothing. Elsewhere the directory is checked again after the file
//     is created and before ownership is handed over, and the write is abandoned if it moved.
import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KubefwdError, errorMessage } from '../contract/errors.js';

export interface FileOwner {
  uid: number;
  gid: number;
}

export interface HomeFileOptions {
  /** The invoking user's home; itself trusted (its parent is root's), everything below is checked. */
  home: string;
  /** Path below the home, one segment per entry: ['.kubefwd', 'api.json']. */
  segments: readonly string[];
  /** Owner to give created files and directories (SUDO_UID/SUDO_GID); omitted: the process's own. */
  owner?: FileOwner | undefined;
  /** Mode of the file. */
  mode: number;
  /** Mode of directories created on the way. Default 0700. */
  dirMode?: number;
}

const unsafe = (path: string, why: string, hint: string): KubefwdError =>
  new KubefwdError('UNSAFE_PATH', `refusing to write through ${path}: ${why}`, { field: path, hint });

const LINK_HINT =
  'Something replaced part of the path with a symbolic link; remove it (and check what planted it), then start kubefwd again.';

/** The uid that directories under the home may belong to besides root. */
const expectedUid = (owner: FileOwner | undefined): number | undefined => owner?.uid ?? process.getuid?.();

interface OpenedDir {
  path: string;
  fh: FileHandle;
  dev: number;
  ino: number;
}

/** Opens `path` as a directory without following a link and checks who owns it and who may write. */
const openCheckedDir = async (
  path: string,
  owner: FileOwner | undefined,
  create: boolean,
  dirMode: number,
) => {
  let created = false;
  try {
    const st = await lstat(path);
    if (st.isSymbolicLink()) throw unsafe(path, 'it is a symbolic link', LINK_HINT);
    if (!st.isDirectory())
      throw unsafe(path, 'it is not a directory', 'Move it away, then start kubefwd again.');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err;
    // mkdir never follows a link at the last component (a dangling link makes it fail with EEXIST).
    await mkdir(path, { mode: dirMode });
    created = true;
  }
  const fh = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(
    (err: unknown) => {
      throw (err as NodeJS.ErrnoException).code === 'ELOOP' ||
        (err as NodeJS.ErrnoException).code === 'ENOTDIR'
        ? unsafe(path, 'it is a symbolic link', LINK_HINT)
        : err;
    },
  );
  try {
    const st = await fh.stat();
    const uid = expectedUid(owner);
    if (st.uid !== 0 && st.uid !== uid)
      throw unsafe(
        path,
        `it belongs to uid ${st.uid}, not to you (uid ${uid ?? '?'}) or root`,
        'Another user owns a directory in your home; remove it, then start kubefwd again.',
      );
    // Writable by others, or by a group that is not the user's own: someone else could plant names.
    const gid = owner?.gid ?? process.getgid?.();
    if (!created && ((st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== gid)))
      throw unsafe(
        path,
        `others may write to it (mode ${(st.mode & 0o777).toString(8)})`,
        `Run \`chmod go-w ${path}\`, then start kubefwd again.`,
      );
    if (owner && st.uid !== owner.uid) await fh.chown(owner.uid, owner.gid);
    if (created) await fh.chmod(dirMode);
    return { path, fh, dev: st.dev, ino: st.ino } satisfies OpenedDir;
  } catch (err) {
    await fh.close();
    throw err;
  }
};

// /proc/self/fd/N names the very directory we opened, as openat(2) would use it.
const procFd = process.platform === 'linux' && existsSync('/proc/self/fd');
const viaFd = (dir: OpenedDir): string => (procFd ? `/proc/self/fd/${dir.fh.fd}` : dir.path);

/** Fails unless `dir.path` still names the directory we checked. */
const stillThere = async (dir: OpenedDir): Promise<void> => {
  const st = await lstat(dir.path);
  if (st.isSymbolicLink() || st.dev !== dir.dev || st.ino !== dir.ino)
    throw unsafe(dir.path, 'it was replaced while kubefwd was writing', LINK_HINT);
};

/** Checks the home itself: a directory owned by the user or root (it may be a link, e.g. /home → /usr/home). */
const checkHome = async (home: string, owner: FileOwner | undefined): Promise<void> => {
  const st = await stat(home).catch((err: unknown) => {
    throw new KubefwdError('HOSTS_FILE_ERROR', `home directory ${home} is not usable: ${errorMessage(err)}`, {
      cause: err,
      field: home,
      hint: 'Check HOME (under sudo use `sudo -E` so it stays yours).',
    });
  });
  const uid = expectedUid(owner);
  if (!st.isDirectory()) throw unsafe(home, 'it is not a directory', 'Check HOME.');
  if (st.uid !== 0 && st.uid !== uid)
    throw unsafe(home, `it belongs to uid ${st.uid}, not to uid ${uid ?? '?'}`, 'Check HOME and SUDO_UID.');
};

/** Opens every directory below the home down to the file's parent; returns the parent, open. */
const openParent = async (o: HomeFileOptions, create: boolean): Promise<OpenedDir | undefined> => {
  await checkHome(o.home, o.owner);
  let path = o.home;
  let parent: OpenedDir | undefined;
  for (const seg of o.segments.slice(0, -1)) {
    path = join(path, seg);
    const next = await openCheckedDir(path, o.owner, create, o.dirMode ?? 0o700);
    await parent?.fh.close();
    parent = next;
  }
  return parent;
};

const fileName = (o: HomeFileOptions): string => {
  const name = o.segments.at(-1);
  if (name === undefined || o.segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/')))
    throw new KubefwdError('INTERNAL', `bad path below the home: ${o.segments.join('/')}`);
  return name;
};

/**
 * Writes `data` to `<home>/<segments…>` as described at the top of this file, owned by `owner`.
 * Returns the path written.
 */
export const writeHomeFile = async (o: HomeFileOptions, data: Buffer | string): Promise<string> => {
  const name = fileName(o);
  const parent = await openParent(o, true);
  const dirPath = parent?.path ?? o.home;
  const finalPath = join(dirPath, name);
  const base = parent ? viaFd(parent) : o.home;
  const tmpName = `.${name}.${randomBytes(12).toString('hex')}.tmp`;
  try {
    const existing = await lstat(join(base, name)).catch(() => undefined);
    if (existing?.isDirectory())
      throw unsafe(finalPath, 'it is a directory', 'Move it away, then start kubefwd again.');
    const fh = await open(
      join(base, tmpName),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      o.mode,
    );
    let committed = false;
    try {
      const mine = await fh.stat();
      if (parent && !procFd) {
        await stillThere(parent);
        const st = await lstat(join(dirPath, tmpName));
        if (st.ino !== mine.ino || st.dev !== mine.dev)
          throw unsafe(dirPath, 'it was replaced while kubefwd was writing', LINK_HINT);
      }
      await fh.writeFile(data);
      await fh.sync();
      await fh.chmod(o.mode); // open() applied the umask
      if (o.owner) await fh.chown(o.owner.uid, o.owner.gid);
      await rename(join(base, tmpName), join(base, name));
      committed = true;
    } finally {
      await fh.close();
      if (!committed) await unlink(join(base, tmpName)).catch(() => undefined);
    }
    return finalPath;
  } finally {
    await parent?.fh.close();
  }
};

/** What is at `<home>/<segments…>`, looked at without following links anywhere below the home. */
export const lstatHomeFile = async (o: Pick<HomeFileOptions, 'home' | 'segments' | 'owner'>) => {
  const name = fileName({ ...o, mode: 0 });
  let parent: OpenedDir | undefined;
  try {
    parent = await openParent({ ...o, mode: 0 }, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return await lstat(join(parent ? viaFd(parent) : o.home, name)).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
  } finally {
    await parent?.fh.close();
  }
};

/**
 * `fn` on the path of `<home>/<segments…>`, reached only through checked directories (the last
 * one held open, so the path cannot be swapped under it); `otherwise` when they cannot be opened
 * or `fn` fails.
 */
const atCheckedPath = async <T>(
  o: Pick<HomeFileOptions, 'home' | 'segments' | 'owner'>,
  otherwise: T,
  fn: (path: string) => Promise<T>,
): Promise<T> => {
  const name = fileName({ ...o, mode: 0 });
  let parent: OpenedDir | undefined;
  try {
    parent = await openParent({ ...o, mode: 0 }, false);
  } catch {
    return otherwise;
  }
  try {
    return await fn(join(parent ? viaFd(parent) : o.home, name));
  } catch {
    return otherwise;
  } finally {
    await parent?.fh.close();
  }
};

/** The text of the file at `path`, never through a link. */
const readNoFollow = async (path: string): Promise<string> => {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
};

/** The text of `<home>/<segments…>`, reached only through checked directories and never through a link; undefined when absent. */
export const readHomeFile = (
  o: Pick<HomeFileOptions, 'home' | 'segments' | 'owner'>,
): Promise<string | undefined> => atCheckedPath<string | undefined>(o, undefined, readNoFollow);

/** Removes `<home>/<segments…>` when `shouldRemove(content)` says so, reaching it only through checked directories. */
export const removeHomeFile = (
  o: Pick<HomeFileOptions, 'home' | 'segments' | 'owner'>,
  shouldRemove: (content: string) => boolean,
): Promise<boolean> =>
  atCheckedPath(o, false, async (path) => {
    if (!shouldRemove(await readNoFollow(path))) return false;
    await unlink(path);
    return true;
  });

/** The group ids of user `name` with primary group `gid`, from /etc/group text. */
export const groupsOf = (name: string | undefined, gid: number, groupText?: string): number[] => {
  const ids = new Set([gid]);
  let text = groupText;
  if (text === undefined) {
    try {
      text = readFileSync('/etc/group', 'utf8');
    } catch {
      text = '';
    }
  }
  if (name !== undefined)
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f.length >= 4 && f[3]!.split(',').includes(name) && /^\d+$/.test(f[2]!)) ids.add(Number(f[2]));
    }
  return [...ids];
};

/** Whether a user (uid, groups) may read a file with this owner and mode, by its permission bits. */
export const userMayRead = (
  file: { uid: number; gid: number; mode: number },
  uid: number,
  gids: readonly number[],
): boolean => {
  if (uid === 0) return true;
  if (file.uid === uid) return (file.mode & 0o400) !== 0;
  if (gids.includes(file.gid)) return (file.mode & 0o040) !== 0;
  return (file.mode & 0o004) !== 0;
};
