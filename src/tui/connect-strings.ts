// The connection strings of a forward's detail view: `<hostname>:<localPort>` for every hostname,
// in the engine's order (short name, namespaced, .svc, cluster.local, dashed twins …; kubefwd
// shows at most 9, one per digit key), falling back to `<service>:<port>`. When the names resolve
// nowhere (--hosts-path), `<ip>:<port>` comes first: it is the one that works.
import type { ForwardView } from '../contract/state.js';

export const MAX_CONNECT_STRINGS = 9;

export const connectStrings = (f: ForwardView, byIP = false): string[] => {
  const hosts = f.hostnames.length > 0 ? f.hostnames : [f.serviceName];
  return [...new Set([...(byIP && f.localIP ? [f.localIP] : []), ...hosts])]
    .slice(0, MAX_CONNECT_STRINGS)
    .map((h) => `${h}:${f.localPort}`);
};
