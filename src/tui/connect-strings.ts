// The connection strings of a forward's detail view: `<hostname>:<localPort>` for every hostname
// (kubefwd shows at most 9, one per digit key), falling back to `<service>:<port>`.
import type { ForwardView } from '../contract/state.js';

export const MAX_CONNECT_STRINGS = 9;

export const connectStrings = (f: ForwardView): string[] => {
  const hosts = f.hostnames.length > 0 ? f.hostnames : [f.serviceName];
  const sorted = [...hosts].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return sorted.slice(0, MAX_CONNECT_STRINGS).map((h) => `${h}:${f.localPort}`);
};
