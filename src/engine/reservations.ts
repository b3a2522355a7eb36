// IP reservations: `-r name:ip` flags and the `-z` YAML file in kubefwd's real format (§2.8):
//
//   baseUnreservedIP: 127.1.27.1
//   serviceConfigurations:
//     - name: myservice
//       ip: 127.1.28.1
//
// A flag with the same name as a file entry overrides it. Unlike kubefwd (which warns and goes on),
// every malformed entry, non-loopback address or address reserved twice is an error naming the
// input, raised before anything is forwarded.
import { parse as parseYaml } from 'yaml';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import { isLoopbackIPv4, parseIPv4 } from '../domain/ipv4.js';

export interface Reservation {
  /** Matched against the candidate names of a forward (see ip-allocation). */
  name: string;
  ip: string;
}

export interface ReservationConfig {
  /** First address of the unreserved space; default 127.1.27.1. */
  baseIP: string;
  reservations: Reservation[];
}

export const DEFAULT_BASE_IP = '127.1.27.1';

const bad = (message: string, field: string): KubefwdError =>
  new KubefwdError('INVALID_INPUT', message, { field });

/** One `-r name:ip` entry (split at the first ':'). */
export const parseReserveFlag = (entry: string): Reservation => {
  const at = entry.indexOf(':');
  const name = at < 0 ? '' : entry.slice(0, at).trim();
  const ip = at < 0 ? '' : entry.slice(at + 1).trim();
  if (!name || !ip)
    throw bad(
      `invalid reservation "${entry}" (expected name:ip, e.g. -r my-svc.my-ns:127.1.28.1)`,
      '--reserve',
    );
  if (!parseIPv4(ip))
    throw bad(`invalid reservation "${entry}": "${ip}" is not an IPv4 address`, '--reserve');
  return { name, ip };
};

export interface FwdConf {
  baseUnreservedIP?: string;
  serviceConfigurations: Reservation[];
}

/** The `-z` file's text. `source` names the file in errors. */
export const parseFwdConf = (text: string, source = '--fwd-conf'): FwdConf => {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KubefwdError('INVALID_INPUT', `${source}: not valid YAML: ${errorMessage(err)}`, {
      field: '--fwd-conf',
      cause: err,
    });
  }
  if (doc === null || doc === undefined) return { serviceConfigurations: [] };
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw bad(`${source}: expected a mapping with baseUnreservedIP and serviceConfigurations`, '--fwd-conf');
  const obj = doc as Record<string, unknown>;
  const out: FwdConf = { serviceConfigurations: [] };
  const base = obj['baseUnreservedIP'];
  if (base !== undefined && base !== null && base !== '') {
    if (typeof base !== 'string' || !parseIPv4(base))
      throw bad(`${source}: baseUnreservedIP "${JSON.stringify(base)}" is not an IPv4 address`, '--fwd-conf');
    out.baseUnreservedIP = base.trim();
  }
  const list = obj['serviceConfigurations'];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw bad(`${source}: serviceConfigurations must be a list`, '--fwd-conf');
    list.forEach((item: unknown, i) => {
      const where = `${source}: serviceConfigurations[${i}]`;
      if (typeof item !== 'object' || item === null)
        throw bad(`${where} must have name and ip`, '--fwd-conf');
      const { name, ip } = item as Record<string, unknown>;
      if (typeof name !== 'string' || name.trim() === '') throw bad(`${where} has no name`, '--fwd-conf');
      if (typeof ip !== 'string' || !parseIPv4(ip))
        throw bad(`${where} (${name}): ip "${String(ip)}" is not an IPv4 address`, '--fwd-conf');
      out.serviceConfigurations.push({ name: name.trim(), ip: ip.trim() });
    });
  }
  return out;
};

export interface ReservationInput {
  /** `-r` entries as given. */
  flags?: readonly string[];
  /** Text of the `-z` file. */
  fileText?: string | undefined;
  /** Path of the `-z` file, for messages. */
  filePath?: string | undefined;
  /** Overrides the base (tests use it to keep parallel files apart); else the file's, else default. */
  ipBase?: string | undefined;
}

/** Parses, merges (flags override the file by name) and validates the reservations. */
export const buildReservationConfig = (input: ReservationInput = {}): ReservationConfig => {
  const conf =
    input.fileText === undefined
      ? { serviceConfigurations: [] }
      : parseFwdConf(input.fileText, input.filePath);
  const reservations: Reservation[] = conf.serviceConfigurations.map((r) => ({ ...r }));
  for (const flag of input.flags ?? []) {
    const r = parseReserveFlag(flag);
    const existing = reservations.find((e) => e.name === r.name);
    if (existing) existing.ip = r.ip;
    else reservations.push(r);
  }
  const baseIP = input.ipBase ?? conf.baseUnreservedIP ?? DEFAULT_BASE_IP;
  validateReservationConfig({ baseIP, reservations });
  return { baseIP, reservations };
};

export const validateReservationConfig = (conf: ReservationConfig): void => {
  if (!parseIPv4(conf.baseIP) || !isLoopbackIPv4(conf.baseIP))
    throw bad(`base IP ${conf.baseIP} is not in the range 127.0.0.0/8`, '--fwd-conf');
  const owners = new Map<string, string>();
  for (const r of conf.reservations) {
    if (!isLoopbackIPv4(r.ip))
      throw bad(`IP ${r.ip} for ${r.name} is not in the range 127.0.0.0/8`, '--reserve');
    const prior = owners.get(r.ip);
    if (prior !== undefined)
      throw new KubefwdError(
        'CONFLICT',
        `IP ${r.ip} cannot be used as a reservation for multiple services (${prior}, ${r.name})`,
        { field: '--reserve' },
      );
    owners.set(r.ip, r.name);
  }
};
