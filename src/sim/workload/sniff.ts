// A pod that speaks a protocol to its clients and echoes everything else: the first bytes of a
// connection decide. The protocol backends (redis, postgres) stand behind the sample scenario's
// services, and the transport tests push raw bytes through those same services expecting them back.
import type net from 'node:net';

export type Verdict = 'wait' | 'echo' | 'protocol';

/** Reads until `classify` decides, then hands the connection (and the bytes read) over. */
export function sniffThenServe(
  socket: net.Socket,
  classify: (first: Buffer) => Verdict,
  serve: (socket: net.Socket, first: Buffer) => void,
): void {
  let first: Buffer = Buffer.alloc(0);
  const echo = (): void => {
    socket.write(first);
    socket.pipe(socket);
  };
  const onData = (chunk: Buffer): void => {
    first = first.length === 0 ? chunk : Buffer.concat([first, chunk]);
    const verdict = classify(first);
    if (verdict === 'wait') return;
    socket.off('data', onData);
    socket.off('end', onEnd);
    if (verdict === 'echo') echo();
    else serve(socket, first);
  };
  // The client finished before the bytes could decide: they were not a protocol's, echo them.
  const onEnd = (): void => {
    socket.off('data', onData);
    socket.end(first);
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
}
