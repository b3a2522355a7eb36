// IP reservations, parsed once: `-r name:ip` flags and the `-z` YAML file in kubefwd's format,
//
//   baseUnreservedIP: 127.1.27.1
//   serviceConfigurations:
//     - name: myservice
//       ip: 127.1.28.1
//
// merged (a flag overrides a file entry of the same name) into the ReservationConfig the engine
// takes. kubefwd logs a bad file and goes on with defaults; a silent fallback loses the user's stable
// addresses, so every malformed entry, non-loopback address or address reserved twice is an
// INVALID_INPUT naming the input, raised by the CLI before anything changes.
import { didYouMean } from './did-you-mean.js';
import { parse as parseYaml } from 'yaml';
import { yamlErrorText } from './yaml-error.js';
import { KubefwdError } from '../contract/errors.js';
import { isLoopbackIPv4, parseIPv4 } from './ipv4.js';

export interface Reservation {
  /** Matched against the candidate names of a forward (see engine/ip-allocation). */
  name: string;
  ip: string;
}

export interface ReservationConfig {
  /** First address of the unreserved space; default 127.1.27.1. */
  baseIP: string;
  reservations: Reservation[];
}

export const DEFAULT_BASE_IP = '127.1.27.1';

export const NO_RESERVATIONS: ReservationConfig = { baseIP: DEFAULT_BASE_IP, reservations: [] };

const RESERVE_HINT = 'Use name:ip with an address in 127.0.0.0/8, e.g. -r postgres.shop:127.1.27.40.';
const FILE_HINT =
  'The file needs baseUnreservedIP: 127.x.x.x and/or serviceConfigurations: [{name, ip}] with 127.x.x.x addresses.';

/** One `-r name:ip` entry (split at the first ':'; the address must be in 127.0.0.0/8). */
export const parseReserveFlag = (entry: string): Reservation => {
  const at = entry.indexOf(':');
  const name = at < 0 ? '' : entry.slice(0, at);
  const ip = at < 0 ? '' : entry.slice(at + 1);
  const fail = (why?: string): never => {
    throw new KubefwdError(
      'INVALID_INPUT',
      `invalid reservation "${entry}" for --reserve${why ? `: ${why}` : ''}`,
      { field: '--reserve', hint: RESERVE_HINT },
    );
  };
  if (name === '' || /\s/.test(name) || ip === '') fail();
  if (!parseIPv4(ip) || ip.trim() !== ip) fail(`"${ip}" is not an IPv4 address`);
  if (!isLoopbackIPv4(ip)) fail(`${ip} is not in the range 127.0.0.0/8`);
  return { name, ip };
};

export interface FwdConf {
  baseUnreservedIP?: string;
  serviceConfigurations: Reservation[];
}

const FWD_CONF_KEYS = ['baseUnreservedIP', 'serviceConfigurations'];

/** Why an address is not a loopback one: not an address at all, or outside 127.0.0.0/8. */
const notLoopback = (ip: string): string =>
  parseIPv4(ip) ? `${ip} is not in the range 127.0.0.0/8` : `"${ip}" is not an IPv4 address`;

/** The `-z` file's text; `path` names the file in errors. */
export const parseFwdConf = (text: string, path = '--fwd-conf'): FwdConf => {
  const bad = (what: string, cause?: unknown): KubefwdError =>
    new KubefwdError('INVALID_INPUT', `invalid reservation file ${path}: ${what}`, {
      field: '--fwd-conf',
      hint: FILE_HINT,
      ...(cause !== undefined ? { cause } : {}),
    });
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw bad(`not valid YAML: ${yamlErrorText(err)}`, err);
  }
  if (doc === null || doc === undefined) return { serviceConfigurations: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw bad('expected a mapping at the top level');
  const obj = doc as Record<string, unknown>;
  // A misspelt key (baseUnreservedIp) would be ignored and the defaults used without a word.
  for (const key of Object.keys(obj))
    if (!FWD_CONF_KEYS.includes(key))
      throw bad(
        `unknown key "${key}"${didYouMean(key, FWD_CONF_KEYS)}; the file has baseUnreservedIP and serviceConfigurations`,
      );
  const out: FwdConf = { serviceConfigurations: [] };
  const base = obj['baseUnreservedIP'];
  if (base !== undefined) {
    if (typeof base !== 'string' || !isLoopbackIPv4(base))
      throw bad(`baseUnreservedIP ${JSON.stringify(base)} is not an address in 127.0.0.0/8`);
    out.baseUnreservedIP = base;
  }
  const list = obj['serviceConfigurations'];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw bad('serviceConfigurations must be a list');
    list.forEach((item: unknown, i) => {
      const e = item as Record<string, unknown> | null;
      if (
        !e ||
        typeof e !== 'object' ||
        typeof e.name !== 'string' ||
        e.name === '' ||
        typeof e.ip !== 'string'
      )
        throw bad(`serviceConfigurations[${i}] needs a name and an ip`);
      if (!isLoopbackIPv4(e.ip)) throw bad(`${notLoopback(e.ip)} (the ip of ${e.name})`);
      out.serviceConfigurations.push({ name: e.name, ip: e.ip });
    });
  }
  return out;
};

export interface ReservationInput {
  /** `-r` entries, as given or already parsed. */
  flags?: readonly (string | Reservation)[];
  /** Text of the `-z` file. */
  fileText?: string | undefined;
  /** Path of the `-z` file, for messages. */
  filePath?: string | undefined;
  /** Overrides the base (tests keep parallel runs apart with it); else the file's, else the default. */
  ipBase?: string | undefined;
}

/** Parses, merges (flags override the file by name) and validates the reservations. */
export const buildReservationConfig = (input: ReservationInput = {}): ReservationConfig => {
  const conf =
    input.fileText === undefined
      ? { serviceConfigurations: [] }
      : parseFwdConf(input.fileText, input.filePath);
  const byName = new Map(conf.serviceConfigurations.map((r) => [r.name, r.ip]));
  for (const flag of input.flags ?? []) {
    const r = typeof flag === 'string' ? parseReserveFlag(flag) : flag;
    byName.set(r.name, r.ip);
  }
  const config: ReservationConfig = {
    baseIP: input.ipBase ?? conf.baseUnreservedIP ?? DEFAULT_BASE_IP,
    reservations: [...byName].map(([name, ip]) => ({ name, ip })),
  };
  validateReservationConfig(config);
  return config;
};

/** Every address in 127.0.0.0/8, none reserved for two names. */
export const validateReservationConfig = (conf: ReservationConfig): void => {
  if (!isLoopbackIPv4(conf.baseIP))
    throw new KubefwdError('INVALID_INPUT', `base IP ${conf.baseIP} is not in the range 127.0.0.0/8`, {
      field: '--fwd-conf',
      hint: FILE_HINT,
    });
  const owners = new Map<string, string>();
  for (const r of conf.reservations) {
    if (!isLoopbackIPv4(r.ip))
      throw new KubefwdError('INVALID_INPUT', `${notLoopback(r.ip)} (the IP for ${r.name})`, {
        field: '--reserve',
        hint: RESERVE_HINT,
      });
    const prior = owners.get(r.ip);
    if (prior !== undefined)
      throw new KubefwdError(
        'INVALID_INPUT',
        `IP ${r.ip} cannot be used as a reservation for multiple services (${prior}, ${r.name})`,
        { field: '--reserve', hint: 'Give each reserved service its own 127.x address.' },
      );
    owners.set(r.ip, r.name);
  }
};
