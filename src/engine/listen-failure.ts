// The one log line of a forward port that cannot listen. It says that the forward is in Error, why,
// and what to do, in a single line: a bare "cannot listen" error followed by the forward's INFO
// success line (its session to the pod is fine) read as a contradiction to newcomers (issue 20).
import { KubefwdError } from '../contract/errors.js';
import type { PortPlan } from './reconcile.js';

/** The local port suggested for a privileged one in the hint (443 → 8443, 80 → 8080). */
const unprivileged = (port: number): number => port + 8000;

/** The local port suggested for one taken on every address (8123 → 18123), if there is room above it. */
const aside = (port: number): string => (port + 10_000 <= 65_535 ? String(port + 10_000) : '<free port>');

/** What to do about a failed bind of `ip:port` (undefined when the message already says it). */
const fixFor = (err: KubefwdError, where: string, plan: PortPlan): string | undefined => {
  // Errors about something else than this bind (a reserved address held by another kubefwd) name
  // their own fix in the message.
  if (err.field !== where) return undefined;
  if (err.code === 'NOT_ROOT')
    return `run kubefwd as root (sudo -E kubefwd …), or map the port above 1024 with -m ${plan.port}:${unprivileged(plan.localPort)}`;
  if (err.code === 'PORT_IN_USE')
    return `stop the program that holds it, or map the port elsewhere with -m ${plan.port}:<free port>`;
  // INTERNAL's generic hint ("see the logs") says nothing in the log itself.
  return err.code === 'INTERNAL' ? undefined : err.hint;
};

/** `auth.shop is in Error: binding 127.1.27.2:443 needs root (…); run kubefwd as root …`. */
export const listenFailureLine = (label: string, ip: string, plan: PortPlan, err: KubefwdError): string => {
  const where = `${ip}:${plan.localPort}`;
  const why = err.field === undefined ? `cannot listen on ${where}: ${err.message}` : err.message;
  const fix = fixFor(err, where, plan);
  return `${label} is in Error: ${why}${fix === undefined ? '' : `; ${fix}`}`;
};

/**
 * A local port that another program listens on at every address (0.0.0.0 or [::]): no address the
 * forward could move to escapes it, so it stays where it is, in Error with this (the message names
 * its fix, as the forward's reason and error show the message alone).
 */
export const portTakenEverywhere = (plan: PortPlan): KubefwdError => {
  const port = plan.localPort;
  const remap = `map the port elsewhere with -m ${plan.port}:${aside(port)}`;
  return new KubefwdError(
    'PORT_IN_USE',
    `port ${port} is already in use by another program that listens on it on all addresses (0.0.0.0 or [::]), so no other address can take it; stop that program, or ${remap}`,
    {
      hint: `Stop the program that listens on port ${port} (\`ss -ltnp 'sport = :${port}'\` or \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` names it), or ${remap}.`,
    },
  );
};
