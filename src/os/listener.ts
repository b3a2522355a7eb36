// ListenerPort of engine/ports: binds the exact loopback address of a forward (never `localhost`,
// which may resolve to ::1 only). Closing a listener also ends its open connections, so shutdown
// never waits on a client that keeps a socket open.
import { createServer, type Socket } from 'node:net';
import { KubefwdError, errorMessage } from '../contract/errors.js';

export interface LocalListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface Listeners {
  listen(address: string, port: number, onConnection: (socket: Socket) => void): Promise<LocalListener>;
}

const bindError = (address: string, port: number, err: unknown): KubefwdError => {
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

export interface ListenersOptions {
  /** A failed accept (EMFILE, ENFILE…): counted and logged by the caller; the listener stays up. */
  onAcceptError?: (where: string, err: unknown) => void;
}

export const createListeners = (options: ListenersOptions = {}): Listeners => ({
  listen(address, port, onConnection) {
    return new Promise<LocalListener>((resolve, reject) => {
      const sockets = new Set<Socket>();
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        onConnection(socket);
      });
      const onError = (err: unknown): void => reject(bindError(address, port, err));
      server.once('error', onError);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', onError);
        // Later errors (e.g. EMFILE on accept) must not crash the daemon; they are counted and logged.
        // libuv already drains the pending connections on EMFILE, so accepting does not spin.
        server.on('error', (err) => options.onAcceptError?.(`${address}:${port}`, err));
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
      });
    });
  },
});
