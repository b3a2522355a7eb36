// What the privileged helper accepts, checked before anything on the machine changes. Every field
// of every request is checked here and nowhere else: addresses only in 127.0.0.0/8 and written the
// one canonical way, host names only DNS names (no whitespace, newline or `#`, which could end the
// hosts line or start a comment), block owners only kubefwd's own `pid-<pid>[-<start>]` ids, and
// at most HELPER_MAX_ENTRIES addresses. A refusal is a KubefwdError HELPER_REFUSED naming the field.
import { KubefwdError } from '../contract/errors.js';
import {
  HELPER_MAX_ENTRIES,
  HELPER_MAX_NAMES_PER_ENTRY,
  type HelperEntry,
} from '../contract/helper-protocol.js';
import type { HostsEntry } from '../engine/hosts-block.js';
import { formatIPv4, parseIPv4 } from '../domain/ipv4.js';

const refuse = (field: string, message: string): KubefwdError =>
  new KubefwdError('HELPER_REFUSED', `${field}: ${message}`, { field });

/** Total host names one block may hold. */
export const HELPER_MAX_NAMES = 16_384;

/** A loopback IPv4 address (127.0.0.0/8) in canonical dotted form; anything else is refused. */
export const checkLoopbackIp = (ip: unknown, field: string): string => {
  if (typeof ip !== 'string') throw refuse(field, 'must be an IPv4 address');
  const octets = /^[0-9.]+$/.test(ip) ? parseIPv4(ip) : undefined;
  if (!octets || formatIPv4(octets) !== ip)
    throw refuse(field, `${JSON.stringify(ip.slice(0, 64))} is not a dotted IPv4 address`);
  if (octets[0] !== 127) throw refuse(field, `${ip} is outside 127.0.0.0/8`);
  return ip;
};

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A DNS name: dot-separated labels of letters, digits, `-` and `_`, at most 253 characters. */
export const checkHostname = (name: unknown, field: string): string => {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253)
    throw refuse(field, 'must be a DNS name of 1 to 253 characters');
  const labels = name.endsWith('.') ? name.slice(0, -1).split('.') : name.split('.');
  if (!labels.every((l) => LABEL.test(l)))
    throw refuse(field, `${JSON.stringify(name.slice(0, 64))} is not a DNS name`);
  return name;
};

/** kubefwd's block ids (daemon/stale-blocks.ts): `pid-<pid>` or `pid-<pid>-<start time>`. */
const OWNER = /^pid-(\d{1,10})(?:-(\d{1,20}))?$/;

export const parseOwner = (owner: unknown, field = 'owner'): { id: string; pid: number; start?: string } => {
  const m = typeof owner === 'string' ? OWNER.exec(owner) : null;
  if (!m) throw refuse(field, 'must be a kubefwd block id (pid-<pid>[-<start>])');
  return { id: owner as string, pid: Number(m[1]), ...(m[2] !== undefined ? { start: m[2] } : {}) };
};

export const isOwnerId = (id: string): boolean => OWNER.test(id);

export const checkPort = (port: unknown, field = 'port'): number => {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw refuse(field, 'must be an integer port 0-65535');
  return port;
};

/** The block's entries, checked one by one; names repeated across entries are refused too. */
export const checkEntries = (entries: readonly HelperEntry[]): HostsEntry[] => {
  if (entries.length > HELPER_MAX_ENTRIES)
    throw refuse('entries', `${entries.length} addresses; at most ${HELPER_MAX_ENTRIES}`);
  let names = 0;
  const ips = new Set<string>();
  return entries.map((e, i) => {
    const ip = checkLoopbackIp(e.ip, `entries[${i}].ip`);
    if (ips.has(ip)) throw refuse(`entries[${i}].ip`, `${ip} appears twice`);
    ips.add(ip);
    if (e.hostnames.length === 0 || e.hostnames.length > HELPER_MAX_NAMES_PER_ENTRY)
      throw refuse(`entries[${i}].hostnames`, `1 to ${HELPER_MAX_NAMES_PER_ENTRY} names per address`);
    names += e.hostnames.length;
    if (names > HELPER_MAX_NAMES) throw refuse('entries', `more than ${HELPER_MAX_NAMES} names`);
    return { ip, hostnames: e.hostnames.map((h, j) => checkHostname(h, `entries[${i}].hostnames[${j}]`)) };
  });
};
