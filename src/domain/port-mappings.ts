// `-m servicePort:localPort`, parsed once (the CLI parses, the engine takes the map). Global: applies
// to every service exposing that port. kubefwd silently drops entries without ':' and logs
// non-numeric ports; we reject both, naming the entry.
import { KubefwdError } from '../contract/errors.js';

export type PortMappings = ReadonlyMap<number, number>;

/** A TCP port 1-65535 written in decimal, or undefined. */
export const parsePortNumber = (text: string): number | undefined => {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
};

export const parsePortMappings = (entries: readonly string[]): Map<number, number> => {
  const out = new Map<number, number>();
  for (const entry of entries) {
    const fail = (why: string): never => {
      throw new KubefwdError('INVALID_INPUT', `invalid port mapping "${entry}" for --mapping`, {
        field: '--mapping',
        hint: `Use servicePort:localPort with ports 1-65535, e.g. -m 80:8080 (${why}).`,
      });
    };
    const at = entry.indexOf(':');
    if (at < 0) fail('missing ":"');
    const from = parsePortNumber(entry.slice(0, at));
    const to = parsePortNumber(entry.slice(at + 1));
    if (from === undefined) fail(`"${entry.slice(0, at)}" is not a port number 1-65535`);
    if (to === undefined) fail(`"${entry.slice(at + 1)}" is not a port number 1-65535`);
    const prior = out.get(from!);
    if (prior !== undefined && prior !== to) fail(`service port ${from} is already mapped to ${prior}`);
    out.set(from!, to!);
  }
  return out;
};

/** The local port for a service port: the mapped one, else the service port itself. */
export const localPortFor = (servicePort: number, mappings: PortMappings): number =>
  mappings.get(servicePort) ?? servicePort;
