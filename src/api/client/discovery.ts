// Finds a running daemon: reads `<home>/.kubefwd/api.json` (written by the daemon, mode 0600),
// which names the API's URL, its key and the daemon's pid. KUBEFWD_API_URL / KUBEFWD_API_KEY
// override the file (kubefwd's `--api-url`/`--api-key` are passed in by the caller).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME, DiscoveryFile } from '../../contract/api.js';
import { KubefwdError, errorMessage } from '../../contract/errors.js';

export const discoveryFilePath = (home: string): string =>
  join(home, DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME);

export interface DiscoverOptions {
  /** Home directory of the user (default: os.homedir()). */
  home?: string;
  /** Explicit URL/key (flags); they win over the file and the environment. */
  url?: string;
  key?: string;
  /** Environment (default process.env): KUBEFWD_API_URL, KUBEFWD_API_KEY. */
  env?: Record<string, string | undefined>;
  /**
   * Whether the file's pid is a running daemon; a file whose pid is not is a crashed daemon's
   * leftover. Default kill(pid, 0); the CLI passes os/process-alive's check, which also knows a
   * zombie (a daemon killed but not yet reaped) for dead.
   */
  isAlive?: (pid: number) => boolean;
  /**
   * When there is no discovery file: the pid of a kubefwd that runs anyway (started without its
   * REST API), found by the caller (the CLI reads the hosts file), so the answer can say so.
   */
  runningWithoutApi?: () => Promise<number | undefined>;
}

/** How a caller that may read the machine (the CLI) helps tell a running daemon from a gone one. */
export type DaemonProbes = Pick<DiscoverOptions, 'isAlive' | 'runningWithoutApi'>;

/** Whether a process exists; EPERM means it does (a root daemon seen from a user). */
const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface DaemonAddress {
  url: string;
  key?: string;
  pid?: number;
  /** Where the address came from. */
  source: 'options' | 'env' | 'file';
}

/** Parses the discovery file's text; throws DAEMON_UNAVAILABLE naming the file when it is not valid. */
export const parseDiscoveryFile = (text: string, path: string): DiscoveryFile => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KubefwdError('DAEMON_UNAVAILABLE', `${path} is not valid JSON: ${errorMessage(err)}`, {
      field: path,
    });
  }
  const parsed = DiscoveryFile.safeParse(json);
  if (!parsed.success)
    throw new KubefwdError(
      'DAEMON_UNAVAILABLE',
      `${path} does not name url, key and pid: ${parsed.error.issues[0]?.message ?? ''}`,
      {
        field: path,
      },
    );
  return parsed.data;
};

/**
 * The daemon the discovery file names, when its pid runs; undefined without a file, with an
 * unreadable one, or when its pid is gone. For a caller pinned elsewhere (--api-url,
 * KUBEFWD_API_URL) that finds nothing there: the kubefwd that does run is named, not a start.
 */
export const runningFromFile = async (
  options: Pick<DiscoverOptions, 'home' | 'isAlive'> = {},
): Promise<{ url: string; pid: number } | undefined> => {
  const path = discoveryFilePath(options.home ?? homedir());
  const file = await readFile(path, 'utf8')
    .then((text) => parseDiscoveryFile(text, path))
    .catch(() => undefined);
  if (!file || !(options.isAlive ?? processExists)(file.pid)) return undefined;
  return { url: file.url, pid: file.pid };
};

/**
 * Where the daemon's API is and its key. Order: explicit options, then KUBEFWD_API_URL (with
 * KUBEFWD_API_KEY), then the discovery file. Throws DAEMON_UNAVAILABLE when none names it.
 */
export const discoverDaemon = async (options: DiscoverOptions = {}): Promise<DaemonAddress> => {
  const env = options.env ?? process.env;
  const envKey = env.KUBEFWD_API_KEY || undefined;
  const path = discoveryFilePath(options.home ?? homedir());
  const readFileAddress = async (): Promise<DiscoveryFile | undefined> => {
    try {
      return parseDiscoveryFile(await readFile(path, 'utf8'), path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((err as NodeJS.ErrnoException).code === 'EACCES')
        throw new KubefwdError('DAEMON_UNAVAILABLE', `cannot read ${path}: permission denied`, {
          field: path,
          hint: 'The key file belongs to another user; run as the user who started kubefwd, or pass --api-key.',
        });
      throw err;
    }
  };
  if (options.url) {
    const key = options.key ?? envKey ?? (await readFileAddress().catch(() => undefined))?.key;
    return { url: options.url, ...(key ? { key } : {}), source: 'options' };
  }
  if (env.KUBEFWD_API_URL) {
    const key = options.key ?? envKey ?? (await readFileAddress().catch(() => undefined))?.key;
    return { url: env.KUBEFWD_API_URL, ...(key ? { key } : {}), source: 'env' };
  }
  const file = await readFileAddress();
  if (!file) {
    const pid = await options.runningWithoutApi?.().catch(() => undefined);
    if (pid !== undefined)
      throw new KubefwdError(
        'DAEMON_UNAVAILABLE',
        `kubefwd (pid ${pid}) is running without its REST API (no ${path}), which this needs`,
        {
          field: path,
          hint: 'Start kubefwd with --api (idle mode and --tui have it on), e.g. stop it and run it again with --api added.',
        },
      );
    throw new KubefwdError('DAEMON_UNAVAILABLE', `kubefwd is not running (no ${path})`, { field: path });
  }
  if (!(options.isAlive ?? processExists)(file.pid))
    throw new KubefwdError(
      'DAEMON_UNAVAILABLE',
      `kubefwd is not running (${path} names pid ${file.pid}, which is gone)`,
      {
        field: path,
      },
    );
  // KUBEFWD_API_KEY wins over the file's key, as --api-key's help says.
  return { url: file.url, key: options.key ?? envKey ?? file.key, pid: file.pid, source: 'file' };
};
