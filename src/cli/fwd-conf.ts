// Early check of the -z reservation file (kubefwd's real format; -r entries are merged with it in
// reservations.ts), so a malformed file or a non-loopback address stops kubefwd before anything
// changes. kubefwd only logged a bad file and went on with defaults; a silent fallback loses the
// user's stable addresses, so we refuse instead. Loaded only when --fwd-conf is given (YAML parsing
// is most of the start-up cost of the svc flags, which completion builds on every Tab).
import { parse } from 'yaml';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { FwdConf } from './reservations.js';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isLoopback = (ip: string): boolean => {
  const m = IPV4.exec(ip);
  return !!m && m[1] === '127' && m.slice(1).every((o) => Number(o) <= 255);
};

export const parseFwdConf = (text: string, path: string): FwdConf => {
  const bad = (what: string): KubefwdError =>
    new KubefwdError('INVALID_INPUT', `invalid reservation file ${path}: ${what}`, {
      field: '--fwd-conf',
      hint: 'The file needs baseUnreservedIP: 127.x.x.x and/or serviceConfigurations: [{name, ip}] with 127.x.x.x addresses.',
    });
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw bad(errorMessage(err).split('\n')[0] ?? 'not YAML');
  }
  if (doc === null || doc === undefined) return { serviceConfigurations: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw bad('expected a mapping at the top level');
  const obj = doc as Record<string, unknown>;
  const out: FwdConf = { serviceConfigurations: [] };
  if (obj.baseUnreservedIP !== undefined) {
    if (typeof obj.baseUnreservedIP !== 'string' || !isLoopback(obj.baseUnreservedIP))
      throw bad(`baseUnreservedIP ${JSON.stringify(obj.baseUnreservedIP)} is not an address in 127.0.0.0/8`);
    out.baseUnreservedIP = obj.baseUnreservedIP;
  }
  const list = obj.serviceConfigurations;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw bad('serviceConfigurations must be a list');
    list.forEach((entry: unknown, i) => {
      const e = entry as Record<string, unknown> | null;
      if (
        !e ||
        typeof e !== 'object' ||
        typeof e.name !== 'string' ||
        e.name === '' ||
        typeof e.ip !== 'string'
      )
        throw bad(`serviceConfigurations[${i}] needs a name and an ip`);
      if (!isLoopback(e.ip)) throw bad(`IP ${e.ip} for ${e.name} is not in the range 127.0.0.0/8`);
      out.serviceConfigurations.push({ name: e.name, ip: e.ip });
    });
  }
  return out;
};
