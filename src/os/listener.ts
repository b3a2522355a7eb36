// ListenerGateway of engine/ports: binds the exact loopback address of a forward (never `localhost`,
// which may resolve to ::1 only). Closing a listener also ends its open connections, so shutdown
// never waits on a client that keeps a socket open.
//
// Address claims: every kubefwd binds a small marker listener on each address it hands out, at one
// well-known port (CLAIM_PORT). The kernel keeps that bind exclusive and drops it when the process
// dies, so it is a machine-wide lock that no crash leaves behind. A second kubefwd (another hosts
// file, another cluster) whose claim fails asks the holder who it is (it answers "kubefwd pid=N")
// and moves on to another address. A port held by something that is not a kubefwd (a program
// listening on 0.0.0.0 at that port) is not a claim: the address stays usable.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressClaim } from '../contract/gateways.js';
import { KubefwdError, errorMessage } from '../contract/errors.js';

/** The port of the marker listener on every address a kubefwd serves. */
export const CLAIM_PORT = 27271;
const CLAIM_HELLO = 'kubefwd pid=';

export interface LocalListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface Listeners {
  listen(address: string, port: number, onConnection: (socket: Socket) => void): Promise<LocalListener>;
  claim(address: string): Promise<AddressClaim>;
}

const bindClaim = (address: string, port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${CLAIM_HELLO}${process.pid}\n`);
    });
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve(server);
    });
  });

/** Who answers on a claim port: "kubefwd pid=N", or undefined when it is not a kubefwd (or silent). */
const askHolder = (address: string, port: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    let text = '';
    const done = (v: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), 1000);
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      text += c;
      if (text.includes('\n') || text.length >= 64) {
        const line = text.split('\n')[0] ?? '';
        done(line.startsWith(CLAIM_HELLO) ? `kubefwd (pid ${line.slice(CLAIM_HELLO.length)})` : undefined);
      }
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });

export const bindError = (address: string, port: number, err: unknown): KubefwdError => {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${address}:${port}`;
  if (code === 'EADDRINUSE')
    return new KubefwdError('PORT_IN_USE', `${where} is already in use by another program`, {
      cause: err,
      field: where,
    });
  if (code === 'EACCES')
    return new KubefwdError('NOT_ROOT', `binding ${where} needs root (ports below 1024 are privileged)`, {
      cause: err,
      field: where,
    });
  if (code === 'EADDRNOTAVAIL')
    return new KubefwdError(
      'INTERNAL',
      `${where} is not an address of this machine (loopback alias missing?)`,
      {
        cause: err,
        field: where,
      },
    );
  return new KubefwdError('INTERNAL', `cannot listen on ${where}: ${errorMessage(err)}`, {
    cause: err,
    field: where,
  });
};

/**
 * Listening through the privileged helper, for what this process may not bind itself (ports below
 * 1024; 127.x beyond 127.0.0.1 on macOS): the helper binds and hands over the socket or its
 * connections (daemon/helper-client.ts).
 */
export type PrivilegedListen = (
  address: string,
  port: number,
  onConnection: (socket: Socket) => void,
) => Promise<LocalListener>;

/** What the helper hands over over IPC: a listening server (or anything with its handle). */
export type ListenTarget = { host: string; port: number } | { handle: object };

/** Serves connections on `target`; closing it also ends the connections it accepted. */
export const serveOn = (
  target: ListenTarget,
  address: string,
  port: number,
  onConnection: (socket: Socket) => void,
  onAcceptError?: (where: string, err: unknown) => void,
): Promise<LocalListener> =>
  new Promise<LocalListener>((resolve, reject) => {
    const sockets = new Set<Socket>();
    // highWaterMark: the engine corks a connection's writes for the rest of the event loop's turn
    // (engine/pipe.ts), and pipe() stops writing once the buffer passes this mark: at Node's default
    // 16 KiB, one TLS record of the API connection per local write.
    const server = createServer(
      { allowHalfOpen: true, noDelay: true, highWaterMark: 256 * 1024 },
      (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        onConnection(socket);
      },
    );
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const ready = (): void => {
      server.off('error', onError);
      // Later errors (e.g. EMFILE on accept) must not crash the daemon; they are counted and logged.
      // libuv already drains the pending connections on EMFILE, so accepting does not spin.
      server.on('error', (err) => onAcceptError?.(`${address}:${port}`, err));
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      let closing: Promise<void> | undefined;
      resolve({
        address,
        port: actualPort,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          });
          return closing;
        },
      });
    };
    if ('handle' in target) server.listen(target.handle, ready);
    else server.listen({ host: target.host, port: target.port, exclusive: true }, ready);
  });

/** Errors that the helper can get past: a privileged port, or (macOS) an address without its alias. */
const NEEDS_HELPER = new Set(['EACCES', 'EPERM', 'EADDRNOTAVAIL']);

export interface ListenersOptions {
  /** A failed accept (EMFILE, ENFILE…): counted and logged by the caller; the listener stays up. */
  onAcceptError?: (where: string, err: unknown) => void;
  /** Binds what this process may not (the privileged helper); default: none, the bind error stands. */
  privileged?: PrivilegedListen;
  /** The port of the marker listener that claims an address for this process (tests pick their own). */
  claimPort?: number;
}

export const createListeners = (options: ListenersOptions = {}): Listeners => ({
  async claim(address) {
    const port = options.claimPort ?? CLAIM_PORT;
    const usable: AddressClaim = { held: true, release: () => Promise.resolve() };
    for (let attempt = 0; ; attempt++) {
      try {
        const server = await bindClaim(address, port);
        return {
          held: true,
          release: () => new Promise<void>((done) => server.close(() => done())),
        };
      } catch (err) {
        // No such address yet (an alias missing): the port binds will say so.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return usable;
      }
      const holder = await askHolder(address, port);
      if (holder !== undefined) return { held: false, holder };
      // The holder went away between the bind and the question: try once more, else it is not ours.
      if (attempt > 0) return usable;
    }
  },
  async listen(address, port, onConnection) {
    try {
      return await serveOn({ host: address, port }, address, port, onConnection, options.onAcceptError);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (options.privileged && code !== undefined && NEEDS_HELPER.has(code))
        return options.privileged(address, port, onConnection);
      throw bindError(address, port, err);
    }
  },
});
