// What createEngine needs: the gateways it talks to the world through, and options that are parsed,
// validated values (the CLI turns flags into them with domain/; the engine parses no flag text).
import type {
  Clock,
  ClusterProvider,
  HostsFileGateway,
  ListenerGateway,
  Logger,
  LoopbackGateway,
  Selectors,
  TrafficRecorder,
} from './gateways.js';
import type { PortMappings } from '../domain/port-mappings.js';
import type { ReservationConfig } from '../domain/reservations.js';
import type { ServicePattern } from '../domain/service-patterns.js';

export interface EngineOptions {
  /** -d: extra pseudo-domain for hostnames. */
  domain?: string | undefined;
  /** -m, parsed (domain/port-mappings): service port → local port. */
  mappings?: PortMappings | undefined;
  /** -r and -z, parsed and merged (domain/reservations). Default: none, base 127.1.27.1. */
  reservations?: ReservationConfig | undefined;
  /** Base of the unreserved space, over the reservations' (tests and bench keep parallel runs apart). */
  ipBase?: string | undefined;
  /** -t: how long a forward waits for a not-yet-ready pod before it shows Error TIMEOUT (it keeps watching). Default 300 s. */
  timeoutMs?: number | undefined;
  /** -a: re-dial failed dials with backoff (a lost session is always re-dialled). */
  autoReconnect?: boolean | undefined;
  /** --retry-interval: re-check of a service without ready pods (safety net beside the watch). Default 10 s. */
  retryIntervalMs?: number | undefined;
  /** --resync-interval: periodic full reconcile of every service (safety net). Default 5 min; 0 = off. */
  resyncIntervalMs?: number | undefined;
  /** Names the hosts-file block: `# kubefwd begin <id>`. Default "kubefwd". */
  hostsBlockId?: string | undefined;
  /**
   * Which existing blocks the first write removes as left over from a dead instance (the daemon
   * passes its pid-liveness test so a live second kubefwd keeps its block). Default: every block.
   */
  isStaleBlock?: ((id: string) => boolean) | undefined;
  /** Debounce of hosts-file writes. Default 50 ms. */
  hostsBatchMs?: number | undefined;
  /** -p: remove foreign kubefwd-range lines from the hosts file at start. */
  purgeStaleIps?: boolean | undefined;
  /** Windows reads at most 9 names per line. Default: 9 on win32, unlimited elsewhere. */
  maxHostsPerLine?: number | undefined;
  /** -l / -f for services of namespaces added without their own selectors. */
  selectors?: Selectors | undefined;
  /** --exclude, parsed: never forwarded unless added explicitly. */
  excludes?: readonly ServicePattern[] | undefined;
  /**
   * Namespaces whose existence and RBAC access the caller has already checked (the daemon's
   * preflighted plan): their first addNamespace/addService skips the engine's own check, so a start
   * asks the API server once per namespace, not twice. Later adds (e.g. over the REST API) check.
   */
  preflighted?: readonly { context: string; namespace: string }[] | undefined;
  /** Keeps the API's `127.2.27.1 kubefwd.internal` in our block. */
  apiHostEntry?: { ip: string; hostname: string } | undefined;
  /** How long a new local connection waits for a session being (re-)established. Default 30 s. */
  connectWaitMs?: number | undefined;
  /** How long addNamespace waits for the initial list before returning (work continues after). Default 30 s. */
  syncTimeoutMs?: number | undefined;
  /** Reconnect backoff. Default 1 s doubling to 5 min. */
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number } | undefined;
  /** Addresses never handed out. Default ["127.2.27.1"]. */
  forbiddenIPs?: readonly string[] | undefined;
}

export interface EngineDeps {
  clusters: ClusterProvider;
  hosts: HostsFileGateway;
  listener: ListenerGateway;
  loopback: LoopbackGateway;
  traffic: TrafficRecorder;
  clock?: Clock | undefined;
  logger: Logger;
  options?: EngineOptions | undefined;
}
