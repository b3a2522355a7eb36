// Replacing a file's content without ever leaving it half-written: write a temp file in the same
// directory, fsync, rename over the original (keeping mode and owner). Bind-mounted files (Docker's
// /etc/hosts) cannot be renamed over (EBUSY/EXDEV), and a directory we may not create files in
// cannot hold the temp file; both fall back to an in-place rewrite.
import { randomBytes } from 'node:crypto';
import { chown, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive.js';

export interface AtomicWriteOptions {
  /** Test hook: awaited after the new content is written and before it replaces the file. */
  beforeCommit?: () => Promise<void>;
}

export type WriteMode = 'rename' | 'in-place';

const RENAME_FALLBACK = new Set(['EBUSY', 'EXDEV', 'EPERM', 'EACCES', 'EROFS', 'EINVAL']);

export const writeInPlace = async (
  path: string,
  data: Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> => {
  const fh = await open(path, 'r+');
  try {
    await options.beforeCommit?.();
    // New content first, then cut what is left of the old: a reader sees old or new bytes, never an
    // empty file (truncating first left a window with no hosts file at all).
    await fh.write(data, 0, data.length, 0);
    await fh.truncate(data.length);
    await fh.sync();
  } finally {
    await fh.close();
  }
};

/** Writes `data` to `path` (which must exist), atomically when the filesystem allows. */
export const writeFileAtomic = async (
  path: string,
  data: Buffer,
  options: AtomicWriteOptions = {},
): Promise<WriteMode> => {
  const info = await stat(path);
  const tmp = join(
    dirname(path),
    `.${basename(path)}.kubefwd-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  let fh;
  try {
    fh = await open(tmp, 'wx', info.mode & 0o7777);
  } catch (err) {
    if (RENAME_FALLBACK.has((err as NodeJS.ErrnoException).code ?? '')) {
      await writeInPlace(path, data, options);
      return 'in-place';
    }
    throw err;
  }
  try {
    try {
      await fh.write(data, 0, data.length, 0);
      await fh.sync();
      // open() applies the umask; make the mode exactly the original's.
      await fh.chmod(info.mode & 0o7777);
    } finally {
      await fh.close();
    }
    if (process.getuid?.() === 0 && (info.uid !== 0 || info.gid !== 0)) await chown(tmp, info.uid, info.gid);
    await options.beforeCommit?.();
    try {
      await rename(tmp, path);
      return 'rename';
    } catch (err) {
      if (!RENAME_FALLBACK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await writeInPlace(path, data);
      return 'in-place';
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
};

const tempPattern = (path: string): RegExp =>
  new RegExp(
    `^\\.${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.kubefwd-(\\d+)-[0-9a-f]+\\.tmp$`,
  );

/**
 * Removes temp files that writers killed mid-write (SIGKILL between "temp written" and "renamed")
 * left beside `path`. Only files of processes that no longer exist are touched. Returns how many.
 */
export const removeStaleTemps = async (path: string): Promise<number> => {
  const re = tempPattern(path);
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    await unlink(join(dirname(path), name)).then(
      () => (removed += 1),
      () => undefined,
    );
  }
  return removed;
};
