// Everything the daemon needs to start, already parsed and validated by the CLI (cli/ turns argv
// into this with the rules of domain/).
import type { PortMappings } from '../domain/port-mappings.js';
import type { ReservationConfig } from '../domain/reservations.js';
import type { ServicePattern } from '../domain/service-patterns.js';
import { shellQuote } from '../domain/shell-quote.js';

export type TransportChoice = 'auto' | 'tunnel' | 'spdy' | 'websocket';

export interface DaemonConfig {
  version: string;
  /** -c; undefined → $KUBECONFIG or ~/.kube/config. */
  kubeconfigPath?: string | undefined;
  /** -x; empty → the kubeconfig's current context. */
  contexts: string[];
  /** -n; empty and not -A → idle mode. */
  namespaces: string[];
  allNamespaces: boolean;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  verbose: boolean;
  jsonLogs: boolean;
  /** -d */
  domain?: string | undefined;
  /** -m svcPort:localPort, parsed. */
  mappings: PortMappings;
  /** -r name:ip over the -z file (read by the CLI, so a bad path fails before anything starts), merged. */
  reservations: ReservationConfig;
  /** -t in seconds. */
  timeoutSeconds: number;
  hostsPath: string;
  /** True when --hosts-path was given (not the system default). */
  hostsPathExplicit: boolean;
  refreshBackup: boolean;
  purgeStaleIps: boolean;
  resyncIntervalMs: number;
  retryIntervalMs: number;
  tui: boolean;
  api: boolean;
  autoReconnect: boolean;
  theme?: 'dark' | 'light' | undefined;
  /** --service ns/name (or ctx/ns/name): forward only these (plus -n namespaces). */
  services: ServicePattern[];
  /** --exclude ns/name (or ctx/ns/name). */
  excludes: ServicePattern[];
  transport: TransportChoice;
  /** --api-listen; undefined → 127.2.27.1:80 when root, else 127.0.0.1:<free port>. */
  apiListen?: { host: string; port: number } | undefined;
  idle: boolean;
  root: boolean;
  env: NodeJS.ProcessEnv;
}

/** The API's well-known address when running as root (kubefwd's constants). */
export const API_IP = '127.2.27.1';
export const API_PORT = 80;
export const API_HOSTNAME = 'kubefwd.internal';

/**
 * The API's address in what users are told and given (links, the dashboard's login URL): its name
 * only where that resolves, i.e. on the well-known address with the system hosts file. With
 * --hosts-path the name is only in that file, so a link by name would be a dead one.
 */
export const announcedApiUrl = (o: {
  wellKnown: boolean;
  hostsPathExplicit: boolean;
  listenUrl: string;
}): string => (o.wellKnown && !o.hostsPathExplicit ? `http://${API_HOSTNAME}` : o.listenUrl);

/**
 * Idle mode's line for whoever expected kubectl's habit (the context's namespace without -n): the
 * command that forwards that namespace with this run's cluster and hosts file (-c, -x, --hosts-path
 * as given), to run instead of this kubefwd; a second one on the same hosts file is refused.
 */
export const idleNamespaceHint = (
  config: Pick<DaemonConfig, 'kubeconfigPath' | 'contexts' | 'hostsPath' | 'hostsPathExplicit'>,
  context: string,
  namespace: string,
): string => {
  const words = ['kubefwd', 'svc', '-n', namespace];
  if (config.kubeconfigPath !== undefined) words.push('-c', config.kubeconfigPath);
  if (config.contexts.length > 0) words.push('-x', context);
  if (config.hostsPathExplicit) words.push('--hosts-path', config.hostsPath);
  return `To forward namespace ${namespace} of context ${context}: add it through the API, the TUI or MCP, or stop this kubefwd and run ${words.map(shellQuote).join(' ')}`;
};

/** The system hosts file; Windows keeps it under %SystemRoot% (C:\\Windows unless installed elsewhere). */
export const defaultHostsPath = (
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string =>
  platform === 'win32'
    ? `${env.SystemRoot ?? env.windir ?? 'C:\\Windows'}\\System32\\drivers\\etc\\hosts`
    : '/etc/hosts';
