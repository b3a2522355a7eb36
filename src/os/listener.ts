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
//
// A forward that needs the claim port itself on its address (a service port 27271) gets it: the
// marker first binds the spare port (CLAIM_PORT + 1) of the address, then lets the claim port go,
// and goes back there once the forward's listener closes. A kubefwd whose claim bind fails asks the
// spare port before the claim port, so the address stays taken for it throughout (and its question
// never reaches the pod behind the forward).
import { randomInt } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressClaim } from '../contract/gateways.js';
import { KubefwdError, errorMessage } from '../contract/errors.js';

/** The port of the marker listener on every address a kubefwd serves (the next one is its spare). */
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
  takenOnAllAddresses(port: number): Promise<boolean>;
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

/**
 * A loopback address that nothing has a reason to bind on its own: 127.200.0.1 to 127.254.255.254,
 * away from 127.0.0.x and kubefwd's blocks (127.1.27.x and up), drawn anew for each probe.
 */
const probeAddress = (): string => `127.${randomInt(200, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** Binds `address:port` for a moment: undefined when it bound, else the bind's error code. */
const tryBind = (address: string, port: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });

/** This process's marker on one address, on the claim port or (while a forward has that) its spare. */
interface Marker {
  server: Server | undefined;
  port: number | undefined;
  /** Set once the claim is released: the marker is on its way out. */
  closing?: Promise<void>;
}

const closeServer = (server: Server | undefined): Promise<void> =>
  new Promise((done) => (server ? server.close(() => done()) : done()));

export const createListeners = (options: ListenersOptions = {}): Listeners => {
  const claimPort = options.claimPort ?? CLAIM_PORT;
  const sparePort = claimPort + 1;
  /** The markers this process holds, by address. */
  const markers = new Map<string, Marker>();

  /**
   * Moves the marker of `address` to the first of `ports` it can bind (none: no marker), binding
   * there before it leaves its old port, so the address is never without one while it can have one.
   */
  const moveMarker = async (address: string, marker: Marker, ports: readonly number[]): Promise<void> => {
    const gone = (): boolean => marker.closing !== undefined || markers.get(address) !== marker;
    let server: Server | undefined;
    let port: number | undefined;
    for (const p of ports) {
      if (gone()) return;
      server = await bindClaim(address, p).catch(() => undefined);
      if (server) {
        port = p;
        break;
      }
    }
    if (gone()) {
      await closeServer(server);
      return;
    }
    const old = marker.server;
    marker.server = server;
    marker.port = port;
    await closeServer(old);
  };

  const release = (address: string, marker: Marker): Promise<void> =>
    (marker.closing ??= closeServer(marker.server).then(() => {
      marker.server = undefined;
      if (markers.get(address) === marker) markers.delete(address);
    }));

  const bindForward = async (
    address: string,
    port: number,
    onConnection: (socket: Socket) => void,
  ): Promise<LocalListener> => {
    try {
      return await serveOn({ host: address, port }, address, port, onConnection, options.onAcceptError);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (options.privileged && code !== undefined && NEEDS_HELPER.has(code))
        return options.privileged(address, port, onConnection);
      throw bindError(address, port, err);
    }
  };

  /** This process's marker on `address` when it sits on `port` (and is not on its way out). */
  const markerOn = (address: string, port: number): Marker | undefined => {
    const marker = markers.get(address);
    return marker && !marker.closing && marker.port === port ? marker : undefined;
  };

  /**
   * Listens on `address:port`. When this process's own marker holds that port, the marker steps
   * aside to the spare (to none when the forward needs the spare too) and comes back when the
   * forward closes. Once more when the marker got there while this bind ran (a forward that needs
   * both ports).
   */
  const listenBeside = async (
    address: string,
    port: number,
    onConnection: (socket: Socket) => void,
    again = true,
  ): Promise<LocalListener> => {
    const marker = markerOn(address, port);
    if (!marker)
      return bindForward(address, port, onConnection).catch((err: unknown) => {
        if (again && markerOn(address, port)) return listenBeside(address, port, onConnection, false);
        throw err;
      });
    await moveMarker(address, marker, port === claimPort ? [sparePort] : []);
    // Back to the claim port once the forward lets it go (to its spare when the forward had that).
    const back = (): Promise<void> =>
      marker.port === claimPort ? Promise.resolve() : moveMarker(address, marker, [claimPort, sparePort]);
    let listener: LocalListener;
    try {
      listener = await bindForward(address, port, onConnection);
    } catch (err) {
      await back();
      throw err;
    }
    return {
      address: listener.address,
      port: listener.port,
      close: () => listener.close().then(back),
    };
  };

  return {
    async claim(address) {
      const usable: AddressClaim = { held: true, release: () => Promise.resolve() };
      for (let attempt = 0; ; attempt++) {
        // One on its way out (a forward that just left the address) has let the port go already.
        const own = markers.get(address);
        if (own && !own.closing)
          return { held: false, holder: `forward of this kubefwd (pid ${process.pid})` };
        try {
          const marker: Marker = { server: await bindClaim(address, claimPort), port: claimPort };
          markers.set(address, marker);
          return { held: true, release: () => release(address, marker) };
        } catch (err) {
          // No such address yet (an alias missing): the port binds will say so.
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return usable;
        }
        // The spare first: a kubefwd whose own forward has the claim port answers there.
        const holder = (await askHolder(address, sparePort)) ?? (await askHolder(address, claimPort));
        if (holder !== undefined) return { held: false, holder };
        // The holder went away between the bind and the question: try once more, else it is not ours.
        if (attempt > 0) return usable;
      }
    },
    listen: (address, port, onConnection) => listenBeside(address, port, onConnection),
    /**
     * The rule: bind the port on a loopback address nobody binds on its own (drawn at random). A
     * program that holds the port there holds it on every address (0.0.0.0, or [::] taking IPv4
     * too): one that listens on exactly that random address is as good as impossible, whereas a
     * program on the forward's own address only (what moving escapes) leaves it free. Cheap: one
     * bind, and no connection to the other program, so nothing reaches it. Where the address cannot
     * be bound (macOS has only 127.0.0.1 without an alias; there a wildcard listener does not clash
     * with an exact address anyway) the answer is no, and the forward moves as before.
     */
    async takenOnAllAddresses(port) {
      const address = probeAddress();
      const code = await tryBind(address, port);
      if (code === 'EADDRINUSE') return true;
      // A privileged port: the helper binds it for this process, so it probes it too.
      if ((code === 'EACCES' || code === 'EPERM') && options.privileged)
        return options
          .privileged(address, port, (s) => s.destroy())
          .then(
            (l) => l.close().then(() => false),
            (err: unknown) => (err as { code?: unknown }).code === 'PORT_IN_USE',
          );
      return false;
    },
  };
};
