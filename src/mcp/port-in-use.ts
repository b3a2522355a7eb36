// What an assistant can tell its user about a local port another program holds (PORT_IN_USE).
// The registry's hint and the daemon's message name kubefwd's command-line flag -m, which no MCP
// tool can pass: the user has to stop the other program, or restart kubefwd with the flag. The
// daemon's words stay as they are; this is the fix as the MCP tools say it.

/** The `-m svcPort:localPort` the daemon proposed, when its message names one (e.g. `-m 18765:28765`). */
const proposedMapping = (message: string): { servicePort: string; localPort: string } | undefined => {
  const m = /-m (\d{1,5}):(\d{1,5})\b/.exec(message);
  return m ? { servicePort: m[1]!, localPort: m[2]! } : undefined;
};

/**
 * The fix of a PORT_IN_USE for an assistant: which command names the program that holds the local
 * port, and the restart with -m when that program must keep it. `localPort` is the forward's;
 * `message` the daemon's error (its -m proposal is reused when it has one).
 */
export const portInUseAdvice = (localPort: string, message: string): string => {
  const port = /^\d{1,5}$/.test(localPort)
    ? localPort
    : (/\bport (\d{1,5})\b/.exec(message)?.[1] ?? '<port>');
  const mapping = proposedMapping(message);
  const flag = mapping
    ? `-m ${mapping.servicePort}:${mapping.localPort}`
    : `-m ${port}:<free port> (the service port, then a free local port)`;
  return (
    `Another program holds local port ${port}; no tool of this server can free or remap it (-m is a flag kubefwd takes when it starts). ` +
    `Tell the user to stop that program — \`ss -ltnp 'sport = :${port}'\` (Linux) or \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` (macOS) names it — ` +
    `or to restart kubefwd with \`${flag}\` so the service is served on another local port.`
  );
};

/** The forward's local port, from its key (`<svc>.<namespace>.<context>.<pod>.<localPort>`). */
export const localPortOfKey = (forwardKey: string): string => forwardKey.split('.').at(-1) ?? '';
