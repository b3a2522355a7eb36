// The installed helper (`sudo kubefwd helper install`): a root service on a Unix socket that only
// the installing user may use (socket file 0600 owned by that user, and a uid proof per session,
// see peer-check.ts). Each control connection is a session of helper/core.ts. A listening socket
// cannot be handed to an unrelated process here, so the helper relays: it tells the session about
// each accepted connection, the engine opens a data connection to this socket naming it with the
// session's token, and the two are piped. Only privileged ports go this way; the engine binds
// everything else itself.
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { KubefwdError } from '../contract/errors.js';
import { HELPER_PROTOCOL_VERSION, type HelperEvent } from '../contract/helper-protocol.js';
import { createHostsFile } from '../os/hosts-file.js';
import { createHelperCore, type HelperCore, type HelperSession } from './core.js';
import { readLines } from './line-reader.js';
import { proofOwner } from './peer-check.js';
import { errorResponse, okResponse, parseRequest, requestId } from './requests.js';

/** How long an accepted connection waits for the engine's data connection. */
const PAIR_TIMEOUT_MS = 10_000;

export interface SocketHelperOptions {
  socketPath: string;
  /** The user allowed to connect (root always is). */
  uid: number;
  gid: number;
  hostsPath: string;
  core?: HelperCore;
  log?: (line: string) => void;
}

export interface SocketHelper {
  readonly socketPath: string;
  close(): Promise<void>;
}

interface Pending {
  tcp: Socket;
  token: string;
  timer: NodeJS.Timeout;
}

const refused = (message: string, field = 'op'): KubefwdError =>
  new KubefwdError('HELPER_REFUSED', message, { field });

/** Removes a socket file left by a previous run; anything else at that path is an error. */
const clearSocketPath = async (path: string): Promise<void> => {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket())
    throw new KubefwdError('INVALID_INPUT', `${path} exists and is not a socket`, { field: '--socket' });
  await unlink(path);
};

// Long because the listener, its control connections and the pending relays share one table and one shutdown.
export const serveHelperSocket = async (options: SocketHelperOptions): Promise<SocketHelper> => {
  await createHostsFile({ path: options.hostsPath }).checkWritable();
  const core = options.core ?? createHelperCore({ hostsPath: options.hostsPath });
  const log = options.log ?? ((): void => undefined);
  const pending = new Map<number, Pending>();
  const controls = new Set<Socket>();
  /** Sessions being closed: each removes its hosts block and aliases (core.closeSession). */
  const closing = new Set<Promise<void>>();
  let nextConn = 1;

  const send = (socket: Socket, msg: object): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
  };

  /** Pipes an accepted connection to its data connection once the engine named it. */
  const pair = (data: Socket, conn: number, token: string, rest: Buffer): void => {
    const p = pending.get(conn);
    if (!p || p.token !== token) {
      data.destroy();
      return;
    }
    pending.delete(conn);
    clearTimeout(p.timer);
    if (rest.length > 0) p.tcp.write(rest);
    data.pipe(p.tcp);
    p.tcp.pipe(data);
    const end = (): void => {
      data.destroy();
      p.tcp.destroy();
    };
    data.on('error', end).on('close', end);
    p.tcp.on('error', end).on('close', end);
    p.tcp.resume();
  };

  const relay = (control: Socket, token: string, listener: number, server: Server): void => {
    server.on('connection', (tcp: Socket) => {
      const conn = nextConn++;
      tcp.on('error', () => undefined);
      const timer = setTimeout(() => {
        pending.delete(conn);
        tcp.destroy();
      }, PAIR_TIMEOUT_MS);
      pending.set(conn, { tcp, token, timer });
      const event: HelperEvent = { v: HELPER_PROTOCOL_VERSION, event: 'connection', listener, conn };
      send(control, event);
    });
  };

  // One connection: its first line decides control or data, and both share the socket's error and close handling.
  const onConnection = (socket: Socket): void => {
    socket.on('error', () => undefined);
    // Half-open sockets (below) keep a relayed connection's directions apart; a control connection
    // closes when its engine's side does.
    let isData = false;
    socket.once('end', () => {
      if (!isData) socket.end();
    });
    let session: HelperSession | undefined;
    let challenge: string | undefined;
    let token: string | undefined;
    let pendingOwner: string | undefined;
    let first = true;
    // Requests run one at a time, in order.
    let queue = Promise.resolve();
    const reader = readLines(
      socket,
      (raw) => {
        const isFirst = first;
        first = false;
        // A data connection: its first line names the accepted connection, then raw bytes follow.
        if (isFirst && typeof raw === 'object' && raw !== null && (raw as { op?: unknown }).op === 'accept') {
          isData = true;
          const rest = reader.takeRest();
          try {
            const req = parseRequest(raw);
            if (req.op === 'accept') pair(socket, req.conn, req.token, rest);
          } catch {
            socket.destroy();
          }
          return;
        }
        queue = queue.then(async () => {
          const id = requestId(raw);
          try {
            const req = parseRequest(raw);
            if (req.op === 'hello') {
              if (session || challenge) throw refused('hello was already sent');
              challenge = randomBytes(24).toString('hex');
              pendingOwner = req.owner;
              controls.add(socket);
              send(
                socket,
                okResponse(id, {
                  version: HELPER_PROTOCOL_VERSION,
                  pid: process.pid,
                  hostsPath: core.hostsPath,
                  platform: process.platform,
                  challenge,
                }),
              );
              return;
            }
            if (req.op === 'prove') {
              if (challenge === undefined || session) throw refused('prove comes once, after hello');
              const uid = await proofOwner(req.file, challenge);
              if (uid !== options.uid && uid !== 0) {
                log(`refused a session of uid ${uid} (only uid ${options.uid} may use this helper)`);
                throw refused(`uid ${uid} may not use this helper`, 'file');
              }
              const s = core.openSession();
              session = s;
              if (pendingOwner !== undefined) await core.claimOwner(s, pendingOwner);
              token = randomBytes(24).toString('hex');
              send(socket, okResponse(id, { token }));
              return;
            }
            if (!session || token === undefined) throw refused('send hello and prove first', 'op');
            const out = await core.handle(session, req);
            if (out.server && out.listener !== undefined) relay(socket, token, out.listener, out.server);
            send(socket, okResponse(id, out.result));
          } catch (err) {
            send(socket, errorResponse(id, err));
            // An unproven peer gets one answer, then the door.
            if (!session) socket.end();
          }
        });
      },
      () => {
        send(socket, errorResponse(0, refused('request line too long', 'request')));
        socket.destroy();
      },
    );
    socket.once('close', () => {
      controls.delete(socket);
      if (!session) return;
      const s = session;
      const done = queue.then(() => core.closeSession(s)).catch(() => undefined);
      closing.add(done);
      void done.then(() => closing.delete(done));
      for (const [conn, p] of pending)
        if (p.token === token) {
          clearTimeout(p.timer);
          p.tcp.destroy();
          pending.delete(conn);
        }
    });
  };

  await mkdir(dirname(options.socketPath), { recursive: true, mode: 0o755 });
  await clearSocketPath(options.socketPath);
  const server = createServer({ allowHalfOpen: true }, onConnection);
  // Created with no permissions for anyone, then opened to the allowed user only.
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  await chown(options.socketPath, options.uid, options.gid);
  await chmod(options.socketPath, 0o600);
  log(
    `kubefwd helper listening on ${options.socketPath} for uid ${options.uid}; hosts file ${core.hostsPath}`,
  );
  return {
    socketPath: options.socketPath,
    async close() {
      // Stopped (systemctl stop, an upgrade's restart): every session's hosts block and aliases go
      // before the process does, as when an engine dies; the engines then see the socket close.
      await Promise.all(
        [...controls].map((c) => new Promise<void>((done) => c.once('close', () => done()).destroy())),
      );
      await Promise.all(closing);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.tcp.destroy();
      }
      pending.clear();
      await new Promise<void>((done) => server.close(() => done()));
      await unlink(options.socketPath).catch(() => undefined);
    },
  };
};
