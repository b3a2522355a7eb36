// Random loopback bases for tests (room left above them for further contexts and namespaces), so two runs of the suite on one machine (or two tests in one run)
// do not bind the same 127.x addresses. 127.0.x.x (localhost) and 127.2.x.x (the API's default
// address) are avoided.
import { randomInt } from 'node:crypto';

/** A random `/24` in 127.0.0.0/8 as its three first octets, e.g. "127.83.140". */
export const randomNet24 = (): string => `127.${randomInt(10, 250)}.${randomInt(0, 250)}`;

/** A random `--ip-base`-style first address, e.g. "127.83.140.1". */
export const randomIpBase = (): string => `${randomNet24()}.1`;

/** The address `offset` after `base` in its /24 (offset 0 is the base itself). */
export const ipAt = (base: string, offset: number): string => {
  const parts = base.split('.').map(Number);
  return `${parts[0]}.${parts[1]}.${parts[2]}.${(parts[3] ?? 0) + offset}`;
};

/**
 * The first three octets of `base` and a dot ("127.83.140."), with `contextOffset` added to the
 * second octet (a further kubeconfig context's addresses) and `namespaceOffset` to the third (a
 * further namespace's addresses).
 */
export const ipPrefix = (base: string, contextOffset = 0, namespaceOffset = 0): string => {
  const parts = base.split('.').map(Number);
  return `${parts[0]}.${(parts[1] ?? 0) + contextOffset}.${(parts[2] ?? 0) + namespaceOffset}.`;
};
