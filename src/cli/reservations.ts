// -z and -r together: the reservations a run starts with. The file's parser (YAML) is fwd-conf.ts,
// loaded only when a file is given.
import { KubefwdError } from '../contract/errors.js';

/** A -z reservation file, parsed and checked (kubefwd's format). */
export interface FwdConf {
  baseUnreservedIP?: string;
  serviceConfigurations: { name: string; ip: string }[];
}

/** -r entries override file entries of the same name (kubefwd); one IP may not serve two names. */
export const mergeReservations = (
  conf: FwdConf,
  flags: readonly string[],
): { name: string; ip: string }[] => {
  const byName = new Map(conf.serviceConfigurations.map((r) => [r.name, r.ip]));
  for (const f of flags) {
    const i = f.indexOf(':');
    byName.set(f.slice(0, i), f.slice(i + 1));
  }
  const byIp = new Map<string, string>();
  for (const [name, ip] of byName) {
    const other = byIp.get(ip);
    if (other !== undefined)
      throw new KubefwdError(
        'INVALID_INPUT',
        `IP ${ip} cannot be used as a reservation for multiple services (${other}, ${name})`,
        {
          field: '--reserve',
          hint: 'Give each reserved service its own 127.x address.',
        },
      );
    byIp.set(ip, name);
  }
  return [...byName].map(([name, ip]) => ({ name, ip }));
};
