// The privileged helper's core: the only things kubefwd needs root for — its block in the hosts
// file, loopback aliases (macOS) and listening sockets (low ports, and 127.x beyond 127.0.0.1 on
// macOS) — done for one session per engine, after validate.ts accepted every field. It holds no
// Kubernetes credentials and parses no traffic. When a session ends (the engine exited, was killed
// or its socket closed), everything it made is undone: its block removed, its aliases released,
// its listeners closed.
import { createServer, type Server } from 'node:net';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { HelperRequest } from '../contract/helper-protocol.js';
import { findBlocks, removeBlocks, splitLines, upsertBlock } from '../engine/hosts-block.js';
import { createHostsFile, type HostsFile } from '../os/hosts-file.js';
import { bindError } from '../os/listener.js';
import { createLoopback, type Loopback } from '../os/loopback.js';
import { processAlive } from '../os/process-alive.js';
import { checkEntries, checkLoopbackIp, checkPort, isOwnerId, parseOwner } from './validate.js';

/** Listening sockets one session may hold (a namespace of 500 services with 4 ports each fits). */
export const HELPER_MAX_LISTENERS = 8192;

export interface HelperSession {
  /** The block this session writes, once claimed. */
  owner: string | undefined;
  /** Set when the engine's pid is known (IPC): the owner must name exactly this pid. */
  readonly pid: number | undefined;
  readonly aliases: Map<string, number>;
  readonly listeners: Map<number, Server>;
  closed: boolean;
}

export interface HelperCoreOptions {
  hostsPath: string;
  loopback?: Loopback;
  hosts?: HostsFile;
  /** Whether a kubefwd process still runs (tests inject). */
  alive?: (pid: number, start?: string) => boolean;
}

export interface HandleResult {
  result: Record<string, unknown>;
  /** listen: the bound server (IPC passes it as a handle; the socket relays its connections). */
  server?: Server;
  listener?: number;
}

export interface HelperCore {
  readonly hostsPath: string;
  openSession(pid?: number): HelperSession;
  /** Claims `owner` for the session (hello, or the first block request). */
  claimOwner(session: HelperSession, owner: string): Promise<void>;
  /** One request of a session whose peer is established (hello/prove/accept are the transport's). */
  handle(session: HelperSession, req: HelperRequest): Promise<HandleResult>;
  closeSession(session: HelperSession): Promise<void>;
}

const refused = (field: string, message: string): KubefwdError =>
  new KubefwdError('HELPER_REFUSED', `${field}: ${message}`, { field });

const bind = (ip: string, port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    // Paused until the engine takes the connection (a relayed one waits for its data socket);
    // half-open, so a client that finishes sending still gets the answer.
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    server.once('error', (err) => reject(bindError(ip, port, err)));
    server.listen({ host: ip, port, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve(server);
    });
  });

// Long as a module: every request below shares the sessions' ownership table, held in this closure (no module state in root code).
export const createHelperCore = (options: HelperCoreOptions): HelperCore => {
  const hosts = options.hosts ?? createHostsFile({ path: options.hostsPath });
  const loopback = options.loopback ?? createLoopback();
  const alive = options.alive ?? processAlive;
  const owners = new Map<string, HelperSession>();
  let nextListener = 1;

  /** A pid-format block that no session holds and whose process is gone: a crash left it. */
  const isStale = (id: string): boolean => {
    if (!isOwnerId(id) || owners.has(id)) return false;
    const o = parseOwner(id);
    return !alive(o.pid, o.start);
  };

  const claimOwner = async (session: HelperSession, owner: string): Promise<void> => {
    const o = parseOwner(owner);
    if (session.owner === o.id) return;
    if (session.owner !== undefined)
      throw refused('owner', `this session writes block ${session.owner}, not ${o.id}`);
    if (session.pid !== undefined && o.pid !== session.pid)
      throw refused('owner', `block ${o.id} is not this engine's (pid ${session.pid})`);
    if (owners.has(o.id)) throw refused('owner', `block ${o.id} belongs to another session`);
    const existing = findBlocks(splitLines(await hosts.read())).some((b) => b.id === o.id);
    if (existing && !isStale(o.id))
      throw refused('owner', `block ${o.id} in ${hosts.path} belongs to a running kubefwd`);
    session.owner = o.id;
    owners.set(o.id, session);
  };

  const ownBlock = async (session: HelperSession, owner: string): Promise<string> => {
    await claimOwner(session, owner);
    return session.owner as string;
  };

  const releaseAlias = async (session: HelperSession, ip: string): Promise<void> => {
    const n = session.aliases.get(ip) ?? 0;
    if (n === 0) throw refused('ip', `${ip} was not added by this session`);
    if (n > 1) session.aliases.set(ip, n - 1);
    else session.aliases.delete(ip);
    await loopback.release(ip);
  };

  return {
    hostsPath: hosts.path,
    openSession: (pid) => ({
      owner: undefined,
      pid,
      aliases: new Map(),
      listeners: new Map(),
      closed: false,
    }),
    claimOwner,
    async handle(session, req) {
      if (session.closed) throw new KubefwdError('HELPER_UNAVAILABLE', 'the session has ended');
      switch (req.op) {
        case 'replaceBlock': {
          const entries = checkEntries(req.entries);
          const id = await ownBlock(session, req.owner);
          await hosts.update((content) => upsertBlock(removeBlocks(content, isStale), id, entries));
          return { result: { entries: entries.length } };
        }
        case 'removeBlock': {
          const id = await ownBlock(session, req.owner);
          await hosts.update((content) => removeBlocks(content, (b) => b === id));
          return { result: {} };
        }
        case 'addAlias': {
          const ip = checkLoopbackIp(req.ip, 'ip');
          await loopback.ensure(ip);
          session.aliases.set(ip, (session.aliases.get(ip) ?? 0) + 1);
          return { result: {} };
        }
        case 'removeAlias':
          await releaseAlias(session, checkLoopbackIp(req.ip, 'ip'));
          return { result: {} };
        case 'listen': {
          const ip = checkLoopbackIp(req.ip, 'ip');
          const port = checkPort(req.port);
          if (session.listeners.size >= HELPER_MAX_LISTENERS)
            throw refused('listen', `at most ${HELPER_MAX_LISTENERS} listeners per session`);
          const server = await bind(ip, port);
          const listener = nextListener++;
          session.listeners.set(listener, server);
          const addr = server.address();
          const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
          return { result: { listener, port: actual }, server, listener };
        }
        case 'unlisten': {
          const server = session.listeners.get(req.listener);
          if (!server) throw refused('listener', `no listener ${req.listener} in this session`);
          session.listeners.delete(req.listener);
          await new Promise<void>((done) => server.close(() => done()));
          return { result: {} };
        }
        default:
          throw refused('op', `${req.op} is not valid here`);
      }
    },
    async closeSession(session) {
      if (session.closed) return;
      session.closed = true;
      for (const server of session.listeners.values()) server.close();
      session.listeners.clear();
      for (const [ip, n] of session.aliases)
        for (let i = 0; i < n; i++) await loopback.release(ip).catch(() => undefined);
      session.aliases.clear();
      const owner = session.owner;
      if (owner === undefined) return;
      try {
        await hosts.update((content) => removeBlocks(content, (b) => b === owner));
      } finally {
        owners.delete(owner);
      }
    },
  };
};

/** The error body a refusal travels as. */
export const errorBody = (err: unknown): { code: string; message: string; field?: string } =>
  err instanceof KubefwdError
    ? { code: err.code, message: err.message, ...(err.field !== undefined ? { field: err.field } : {}) }
    : { code: 'INTERNAL', message: errorMessage(err) };
