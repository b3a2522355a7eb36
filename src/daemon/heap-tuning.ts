// The V8 heap setting of a process that forwards traffic (issue 18).
//
// Node gives every socket read a fresh buffer (16 KiB per TLS record, up to 64 KiB per TCP read):
// about 2 GiB of short-lived buffers per GiB forwarded. V8 counts the ones not yet collected
// against the old generation's limit, which it sets only a small factor above the live heap. With
// the daemon's ~15 MB heap, bursts of dead read buffers crossed that limit again and again, and
// every crossing ran a full mark-compact: 49 of them during one 2 GiB download through
// `kubefwd svc`. Two daemons side by side on one simulated cluster, 1 GiB downloads alternating
// between them: 1.56-1.84 CPU s per GiB with a fixed growing factor of 5 against 2.22-2.73
// without (bench/README.md). Old garbage is still collected, only in fewer,
// larger steps; the engine section of `npm run bench` shows the peak RSS this costs at 2,000
// services. The flag is read at each limit computation, so setting it at start-up is enough, and
// works in the standalone executable too (no command-line flags there).
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to (1 + this/100) times the live heap before a full collection. */
export const HEAP_GROWING_PERCENT = 400;

export const tuneHeapForForwarding = (setV8Flags: (flags: string) => void = setFlagsFromString): void =>
  setV8Flags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
