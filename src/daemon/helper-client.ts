// The engine's side of the privileged helper (src/helper/): the hosts block, loopback aliases and
// privileged listeners go through it, when kubefwd runs as the user under `sudo -E` (the IPC
// channel to the root process) or beside an installed helper service (its Unix socket). The rest
// of the daemon sees the same adapters as without a helper: a HostsFile, a Loopback and a fallback
// for listen (os/listener.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubefwdError, isErrorCode } from '../contract/errors.js';
import {
  HELPER_PROTOCOL_VERSION,
  helperEventSchema,
  helperHelloResultSchema,
  helperResponseSchema,
  type HelperHelloResult,
  type HelperRequest,
} from '../contract/helper-protocol.js';
import { findBlocks, readBlock, splitLines } from '../engine/hosts-block.js';
import { createHostsFile, type HostsFile } from '../os/hosts-file.js';
import { serveOn, type LocalListener, type PrivilegedListen } from '../os/listener.js';
import type { Loopback } from '../os/loopback.js';

/** Where the installed helper listens unless KUBEFWD_HELPER_SOCKET says otherwise. */
export const defaultHelperSocket = (platform: NodeJS.Platform = process.platform): string =>
  platform === 'darwin' ? '/var/run/kubefwd/helper.sock' : '/run/kubefwd/helper.sock';

export const helperSocketPath = (env: NodeJS.ProcessEnv): string =>
  env.KUBEFWD_HELPER_SOCKET !== undefined && env.KUBEFWD_HELPER_SOCKET !== ''
    ? env.KUBEFWD_HELPER_SOCKET
    : defaultHelperSocket();

type Body = HelperRequest extends infer R ? (R extends unknown ? Omit<R, 'v' | 'id'> : never) : never;

interface Reply {
  result: Record<string, unknown>;
  handle: unknown;
}

/** A request/response link to the helper; `lost` resolves (with why) when the helper goes away. */
export interface HelperChannel {
  readonly kind: 'ipc' | 'socket';
  request(body: Body): Promise<Reply>;
  onConnection(cb: (listener: number, conn: number) => void): void;
  readonly lost: Promise<string>;
  close(): void;
}

const unavailable = (why: string): KubefwdError => new KubefwdError('HELPER_UNAVAILABLE', why);

/** Shared by both transports: ids, pending requests, typed errors, loss. */
const createChannel = (
  kind: 'ipc' | 'socket',
  write: (msg: object) => void,
  close: () => void,
): {
  channel: HelperChannel;
  receive(msg: unknown, handle?: unknown): void;
  lose(why: string): void;
} => {
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let lostWhy: string | undefined;
  let onLost: (why: string) => void = () => undefined;
  const lost = new Promise<string>((r) => (onLost = r));
  let onConn: (listener: number, conn: number) => void = () => undefined;
  return {
    channel: {
      kind,
      request(body) {
        if (lostWhy !== undefined) return Promise.reject(unavailable(lostWhy));
        const id = nextId++;
        return new Promise<Reply>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          write({ v: HELPER_PROTOCOL_VERSION, id, ...body });
        });
      },
      onConnection: (cb) => (onConn = cb),
      lost,
      close,
    },
    receive(msg, handle) {
      const event = helperEventSchema.safeParse(msg);
      if (event.success) {
        onConn(event.data.listener, event.data.conn);
        return;
      }
      const res = helperResponseSchema.safeParse(msg);
      if (!res.success) return;
      const p = pending.get(res.data.id);
      if (!p) return;
      pending.delete(res.data.id);
      if (res.data.ok) p.resolve({ result: res.data.result ?? {}, handle });
      else {
        const { code, message, field } = res.data.error;
        p.reject(
          new KubefwdError(isErrorCode(code) ? code : 'INTERNAL', `privileged helper: ${message}`, {
            ...(field !== undefined ? { field } : {}),
          }),
        );
      }
    },
    lose(why) {
      if (lostWhy !== undefined) return;
      lostWhy = why;
      for (const p of pending.values()) p.reject(unavailable(why));
      pending.clear();
      onLost(why);
    },
  };
};

/** The IPC channel to the root process that started this one (`sudo -E kubefwd …`). */
export const ipcChannel = (proc: NodeJS.Process = process): HelperChannel => {
  const c = createChannel(
    'ipc',
    (msg) => {
      if (proc.connected) proc.send?.(msg);
    },
    () => proc.channel?.unref(),
  );
  proc.on('message', (msg: unknown, handle: unknown) => c.receive(msg, handle));
  // Read now: once the parent is gone, ppid names whoever adopted this process.
  const helperPid = proc.ppid;
  proc.once('disconnect', () => c.lose(`the privileged helper (pid ${helperPid}) has gone away`));
  if (!proc.connected) c.lose('no IPC channel to the privileged helper');
  return c.channel;
};

const connect = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = createConnection({ path, allowHalfOpen: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });

/** The installed helper's socket. Rejects with the socket error when nothing listens there. */
export const socketChannel = async (path: string): Promise<HelperChannel> => {
  const socket = await connect(path);
  const c = createChannel(
    'socket',
    (msg) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
    },
    () => socket.destroy(),
  );
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      try {
        c.receive(JSON.parse(line));
      } catch {
        // Not JSON: not from our helper; ignored.
      }
    }
  });
  socket.on('error', () => undefined);
  // Half-open is for relayed connections; the control connection ends when the helper's side does.
  socket.once('end', () => socket.destroy());
  socket.once('close', () => c.lose(`the privileged helper's socket ${path} closed`));
  return c.channel;
};

/** Proves this process's uid to a socket helper: the challenge, in a file this user creates. */
const prove = async (channel: HelperChannel, challenge: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-proof-'));
  try {
    const file = join(dir, 'challenge');
    await writeFile(file, challenge, { mode: 0o600 });
    const { result } = await channel.request({ op: 'prove', file });
    if (typeof result.token !== 'string') throw unavailable('the helper sent no token');
    return result.token;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export interface Machine {
  readonly kind: 'ipc' | 'socket';
  readonly hostsPath: string;
  readonly helperPid: number;
  /** The hosts file, written through the helper (read directly: hosts files are world-readable). */
  readonly hosts: HostsFile;
  readonly loopback: Loopback;
  readonly listen: PrivilegedListen;
  /** Resolves with the reason when the helper goes away (the daemon then stops). */
  readonly lost: Promise<string>;
  close(): void;
}

/** Opens a session: hello (+ the uid proof on a socket), then the adapters over the channel. */
export const openMachine = async (
  channel: HelperChannel,
  options: { owner?: string; socketPath?: string },
): Promise<Machine> => {
  const hello = await channel.request({
    op: 'hello',
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
  });
  const info: HelperHelloResult = helperHelloResultSchema.parse(hello.result);
  if (info.version !== HELPER_PROTOCOL_VERSION)
    throw unavailable(`the helper speaks protocol ${info.version}, this kubefwd ${HELPER_PROTOCOL_VERSION}`);
  const token = info.challenge !== undefined ? await prove(channel, info.challenge) : undefined;
  const owner = options.owner ?? 'none';
  const direct = createHostsFile({ path: info.hostsPath });
  let writes = 0;
  const hosts: HostsFile = {
    path: info.hostsPath,
    read: () => direct.read(),
    async update(transform) {
      const content = await direct.read();
      const next = transform(content);
      if (next === content) return;
      // Only our block travels: the helper writes nothing else (purging foreign lines is not its job).
      if (findBlocks(splitLines(next)).some((b) => b.id === owner))
        await channel.request({ op: 'replaceBlock', owner, entries: readBlock(next, owner) });
      else await channel.request({ op: 'removeBlock', owner });
      writes++;
    },
    checkWritable: () => Promise.resolve(),
    writes: () => writes,
  };

  const refs = new Map<string, number>();
  const loopback: Loopback = {
    async ensure(ip) {
      await channel.request({ op: 'addAlias', ip });
      refs.set(ip, (refs.get(ip) ?? 0) + 1);
    },
    async release(ip) {
      const n = refs.get(ip) ?? 0;
      if (n === 0) return;
      if (n > 1) refs.set(ip, n - 1);
      else refs.delete(ip);
      await channel.request({ op: 'removeAlias', ip });
    },
    held: () => [...refs.keys()],
  };

  // Socket helper: accepted connections arrive as data connections to the helper's socket.
  const relayed = new Map<number, { onConnection: (s: Socket) => void; sockets: Set<Socket> }>();
  channel.onConnection((listener, conn) => {
    const r = relayed.get(listener);
    if (!r || options.socketPath === undefined || token === undefined) return;
    void connect(options.socketPath).then(
      (s) => {
        s.write(`${JSON.stringify({ v: HELPER_PROTOCOL_VERSION, id: 0, op: 'accept', token, conn })}\n`);
        r.sockets.add(s);
        s.once('close', () => r.sockets.delete(s));
        r.onConnection(s);
      },
      () => undefined,
    );
  });

  const listen: PrivilegedListen = async (address, port, onConnection) => {
    const { result, handle } = await channel.request({ op: 'listen', ip: address, port });
    if (channel.kind === 'ipc') {
      if (typeof handle !== 'object' || handle === null)
        throw unavailable('the helper sent no listening handle');
      return serveOn({ handle }, address, port, onConnection);
    }
    const listener = Number(result.listener);
    const entry = { onConnection, sockets: new Set<Socket>() };
    relayed.set(listener, entry);
    let closing: Promise<void> | undefined;
    const local: LocalListener = {
      address,
      port: typeof result.port === 'number' ? result.port : port,
      close() {
        closing ??= (async () => {
          relayed.delete(listener);
          for (const s of entry.sockets) s.destroy();
          await channel.request({ op: 'unlisten', listener }).catch(() => undefined);
        })();
        return closing;
      },
    };
    return local;
  };

  return {
    kind: channel.kind,
    hostsPath: info.hostsPath,
    helperPid: info.pid,
    hosts,
    loopback,
    listen,
    lost: channel.lost,
    close: () => channel.close(),
  };
};

/**
 * The helper this process should use: the IPC channel when the root process started it for that
 * (KUBEFWD_HELPER=ipc), else the installed helper's socket when one answers; undefined when there
 * is none (the caller then runs as today: root, or an explicit --hosts-path).
 */
export const connectMachine = async (
  env: NodeJS.ProcessEnv,
  owner: string,
  proc: NodeJS.Process = process,
): Promise<Machine | undefined> => {
  if (env.KUBEFWD_HELPER === 'ipc' && typeof proc.send === 'function')
    return openMachine(ipcChannel(proc), { owner });
  if (env.KUBEFWD_HELPER === 'off') return undefined;
  const socketPath = helperSocketPath(env);
  let channel: HelperChannel;
  try {
    channel = await socketChannel(socketPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
    throw new KubefwdError(
      'HELPER_UNAVAILABLE',
      `cannot use the helper at ${socketPath}: ${code ?? String(err)}`,
      {
        field: socketPath,
        hint:
          code === 'EACCES'
            ? 'The helper serves only the user who installed it (`sudo kubefwd helper install --user <you>`).'
            : 'Check it with `kubefwd helper status`.',
      },
    );
  }
  try {
    return await openMachine(channel, { owner, socketPath });
  } catch (err) {
    channel.close();
    throw err;
  }
};
