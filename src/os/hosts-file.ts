// The hosts file adapter (HostsFileGateway of engine/ports): read, and read-modify-write under a lock
// shared with other kubefwd processes, written atomically. Content is decoded so that writing it
// back is byte-exact (UTF-8 when the bytes round-trip, Latin-1 otherwise), so everything outside
// kubefwd's block — BOM, CRLF, odd bytes, a missing final newline — stays as it was.
import { constants } from 'node:fs';
import { access, open, readFile, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import { removeStaleTemps, writeFileAtomic, type WriteMode } from './atomic-write.js';
import { createFileLock, type FileLock, type FileLockOptions } from './file-lock.js';

export interface HostsFileOptions {
  path: string;
  lock?: FileLockOptions;
  /**
   * Test hook for crash tests: milliseconds to pause after the new content is written and before it
   * replaces the file (the CLI passes KUBEFWD_TEST_HOSTS_WRITE_DELAY_MS through).
   */
  writeDelayMs?: number;
  /** Called after every write that changed the file. */
  onWrite?: (info: { path: string; mode: WriteMode; bytes: number }) => void;
}

export interface HostsFile {
  readonly path: string;
  read(): Promise<string>;
  update(transform: (content: string) => string): Promise<void>;
  /** Checks the file exists, is a regular file and can be written, without changing it. */
  checkWritable(): Promise<void>;
  /** Number of writes done so far (benchmarks count writes per start). */
  writes(): number;
}

type Encoding = 'utf8' | 'latin1';

/** Decodes bytes so that `encode(decode(b))` equals b. */
export const decodeExact = (bytes: Buffer): { text: string; encoding: Encoding } => {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { text, encoding: 'utf8' };
  return { text: bytes.toString('latin1'), encoding: 'latin1' };
};

const hostsError = (path: string, what: string, err?: unknown): KubefwdError =>
  new KubefwdError('HOSTS_FILE_ERROR', `hosts file ${path} ${what}`, {
    field: '--hosts-path',
    ...(err === undefined ? {} : { cause: err }),
  });

const explain = (path: string, err: unknown): KubefwdError => {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return hostsError(path, `does not exist: create it first (an empty file will do: touch ${path})`, err);
  if (code === 'EACCES' || code === 'EPERM')
    return hostsError(path, 'is not writable by this user (permission denied)', err);
  if (code === 'EROFS') return hostsError(path, 'is on a read-only filesystem', err);
  if (code === 'EISDIR') return hostsError(path, 'is a directory, not a file', err);
  return hostsError(path, `cannot be used: ${errorMessage(err)}`, err);
};

/** The lock file beside the hosts file; in the temp dir when its directory is not writable. */
const lockPathFor = async (target: string): Promise<string> => {
  try {
    await access(dirname(target), constants.W_OK);
    return join(dirname(target), `.${basename(target)}.kubefwd.lock`);
  } catch {
    const id = createHash('sha256').update(target).digest('hex').slice(0, 16);
    return join(tmpdir(), `kubefwd-hosts-${id}.lock`);
  }
};

// One closure on purpose: read, update and backup share the path, the lock and the write mode.
export const createHostsFile = (options: HostsFileOptions): HostsFile => {
  const path = options.path;
  let lock: FileLock | undefined;
  let target: string | undefined;
  let writes = 0;
  let tempsSwept = false;

  /** Follow a symlinked hosts file so the link itself is never replaced by a plain file. */
  const resolveTarget = async (): Promise<string> => {
    if (target !== undefined) return target;
    try {
      target = await realpath(path);
    } catch (err) {
      throw explain(path, err);
    }
    return target;
  };

  const getLock = async (): Promise<FileLock> => {
    lock ??= createFileLock(await lockPathFor(await resolveTarget()), { label: path, ...options.lock });
    return lock;
  };

  const readBytes = async (): Promise<Buffer> => {
    try {
      return await readFile(await resolveTarget());
    } catch (err) {
      if (err instanceof KubefwdError) throw err;
      throw explain(path, err);
    }
  };

  const delay = options.writeDelayMs ?? 0;
  const beforeCommit =
    delay > 0 ? () => new Promise<void>((resolve) => setTimeout(resolve, delay)) : undefined;

  return {
    path,
    async read() {
      return decodeExact(await readBytes()).text;
    },
    async update(transform) {
      const l = await getLock();
      await l.withLock(async () => {
        // Once per process, under the lock: clear temp files of writers that were killed mid-write.
        if (!tempsSwept) {
          tempsSwept = true;
          await removeStaleTemps(await resolveTarget());
        }
        const { text, encoding } = decodeExact(await readBytes());
        const next = transform(text);
        if (next === text) return;
        const bytes = Buffer.from(next, encoding);
        let mode: WriteMode;
        try {
          mode = await writeFileAtomic(await resolveTarget(), bytes, beforeCommit ? { beforeCommit } : {});
        } catch (err) {
          throw explain(path, err);
        }
        writes += 1;
        options.onWrite?.({ path, mode, bytes: bytes.length });
      });
    },
    async checkWritable() {
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        throw explain(path, err);
      }
      if (!info.isFile()) throw hostsError(path, 'is not a regular file');
      try {
        // Opening for writing proves the permission without changing a byte.
        const fh = await open(path, constants.O_WRONLY | constants.O_APPEND);
        await fh.close();
      } catch (err) {
        throw explain(path, err);
      }
    },
    writes: () => writes,
  };
};
