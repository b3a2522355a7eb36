// Loopback bases for the daemons the bench starts: random, so a bench (or the suite's smoke run of
// it) beside another on the same machine never binds the same 127.x addresses. The third octet stays
// below 200: a namespace's addresses go in the next /24 up (20 namespaces in the engine section).
import { randomInt } from 'node:crypto';

/** A random `--ip-base`, e.g. "127.83.140.1", avoiding 127.0.x.x (localhost) and 127.2.x.x (the API's). */
export const randomIpBase = (): string => `127.${randomInt(10, 250)}.${randomInt(0, 200)}.1`;
