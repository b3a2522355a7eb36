// Newline-delimited JSON from a stream, bounded: a line longer than HELPER_MAX_LINE_BYTES is an
// error, not a growing buffer. `takeRest` stops reading lines and returns the bytes after the last
// one (a relayed connection's first line is followed by raw bytes).
import type { Socket } from 'node:net';
import { HELPER_MAX_LINE_BYTES } from '../contract/helper-protocol.js';

export interface LineReader {
  /** Stops reading lines; the bytes received after the last line. */
  takeRest(): Buffer;
}

export const readLines = (
  socket: Socket,
  onLine: (value: unknown) => void,
  onTooLong: () => void,
  maxBytes = HELPER_MAX_LINE_BYTES,
): LineReader => {
  let buffered: Buffer = Buffer.alloc(0);
  let stopped = false;
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (let nl = buffered.indexOf(10); nl >= 0 && !stopped; nl = buffered.indexOf(10)) {
      const line = buffered.subarray(0, nl).toString('utf8');
      buffered = buffered.subarray(nl + 1);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      onLine(value);
    }
    if (!stopped && buffered.length > maxBytes) {
      stopped = true;
      socket.off('data', onData);
      onTooLong();
    }
  };
  socket.on('data', onData);
  return {
    takeRest() {
      stopped = true;
      socket.off('data', onData);
      const rest = buffered;
      buffered = Buffer.alloc(0);
      return rest;
    },
  };
};
