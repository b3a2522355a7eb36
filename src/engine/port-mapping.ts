// `-m servicePort:localPort` (§2.7). Global: applies to every service exposing that port.
// kubefwd silently drops entries without ':' and logs non-numeric ports; we reject both, naming the entry.
import { KubefwdError } from '../contract/errors.js';

export type PortMappings = ReadonlyMap<number, number>;

const parsePort = (text: string): number | undefined => {
  if (!/^\d{1,5}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= 1 && n <= 65535 ? n : undefined;
};

export const parsePortMappings = (entries: readonly string[]): Map<number, number> => {
  const out = new Map<number, number>();
  for (const entry of entries) {
    const at = entry.indexOf(':');
    const fail = (why: string): never => {
      throw new KubefwdError(
        'INVALID_INPUT',
        `invalid port mapping "${entry}": ${why} (expected servicePort:localPort, e.g. -m 80:8080)`,
        {
          field: '--mapping',
        },
      );
    };
    if (at < 0) fail('missing ":"');
    const from = parsePort(entry.slice(0, at));
    const to = parsePort(entry.slice(at + 1));
    if (from === undefined) fail(`"${entry.slice(0, at)}" is not a port number 1-65535`);
    if (to === undefined) fail(`"${entry.slice(at + 1)}" is not a port number 1-65535`);
    const prior = out.get(from as number);
    if (prior !== undefined && prior !== to) fail(`service port ${from} is already mapped to ${prior}`);
    out.set(from as number, to as number);
  }
  return out;
};

/** The local port for a service port: the mapped one, else the service port itself. */
export const localPortFor = (servicePort: number, mappings: PortMappings): number =>
  mappings.get(servicePort) ?? servicePort;
