// The `kubefwd svc` command line: kubefwd's flags with the same names, short forms and defaults
// (kubefwd's `svc --help`), plus ours (--service, --exclude, --transport, --api-listen, --json-logs).
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { KubefwdError, errorMessage } from '../contract/errors.js';
import { defaultHostsPath, type DaemonConfig, type TransportChoice } from '../daemon/config.js';
import { isDnsLabel, isDnsSubdomain } from '../domain/names.js';
import { parsePortMappings } from '../domain/port-mappings.js';
import { validateFieldSelector, validateLabelSelector } from '../domain/selectors.js';
import { parseServicePattern } from '../domain/service-patterns.js';
import { parseListenAddress } from './addresses.js';
import { parseDuration } from './duration.js';
import { resolveTheme } from './theme.js';

/** Repeatable and comma-separated, as cobra's StringSlice. */
const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== ''),
];
/** Repeatable, no comma splitting. */
const append = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export const BOOL_LONG = [
  'verbose',
  'all-namespaces',
  'refresh-backup',
  'purge-stale-ips',
  'tui',
  'api',
  'auto-reconnect',
  'json-logs',
] as const;
export const BOOL_SHORT: Record<string, string> = {
  v: 'verbose',
  A: 'all-namespaces',
  b: 'refresh-backup',
  p: 'purge-stale-ips',
  a: 'auto-reconnect',
};
export const VALUE_SHORT = ['c', 'x', 'n', 'l', 'f', 'd', 'm', 'r', 'z', 't'] as const;

const EXAMPLES = `
Examples:
  sudo -E kubefwd                                  # idle mode: API on, add namespaces through it
  sudo -E kubefwd --tui
  sudo -E kubefwd svc -n the-project
  sudo -E kubefwd svc -n the-project --tui
  sudo -E kubefwd svc -n the-project -l app=api
  sudo -E kubefwd svc -n default -n other-ns
  sudo -E kubefwd svc --all-namespaces
  sudo -E kubefwd svc --service shop/postgres --service analytics/reports
  sudo -E kubefwd svc -n shop --exclude shop/kafka
`;

const DEMO_EXAMPLES = `
Examples:
  sudo -E kubefwd demo                             # forwards namespace shop; try curl http://api-gateway:8080/
  touch /tmp/hosts && kubefwd demo --hosts-path /tmp/hosts
                                                   # no root, /etc/hosts untouched: the names are only in
                                                   # /tmp/hosts, so connect by the IPs it prints
  sudo -E kubefwd demo --tui
  sudo -E kubefwd demo -n shop -n analytics
`;

/** Adds the svc flags to `cmd` (also used by `kubefwd demo`). */
export const addSvcOptions = (cmd: Command, hostsDefault: string = defaultHostsPath()): Command => {
  const hidden = (flags: string): Option => new Option(flags).hideHelp();
  return cmd
    .option('-c, --kubeconfig <file>', 'absolute path to a kubectl config file')
    .option(
      '-x, --context <context>',
      'specify a context to override the current context (repeatable)',
      collect,
    )
    .option('-n, --namespace <namespace>', 'specify a namespace (repeatable, comma-separated)', collect)
    .option(
      '-l, --selector <selector>',
      'selector (label query) to filter on; supports =, ==, != and set-based',
    )
    .option('-f, --field-selector <selector>', 'field selector to filter on; supports =, ==, !=')
    .option('-v, --verbose', 'verbose output')
    .addOption(hidden('--no-verbose'))
    .option('-d, --domain <domain>', 'append a pseudo domain name to generated host names')
    .option('-m, --mapping <svcPort:localPort>', 'port mapping (repeatable), e.g. 80:8080', collect)
    .option('-A, --all-namespaces', 'enable --all-namespaces option like kubectl')
    .addOption(hidden('--no-all-namespaces'))
    .option(
      '-r, --reserve <name:ip>',
      'specify an IP reservation (repeatable), e.g. postgres.shop:127.1.27.40',
      collect,
    )
    .option('-z, --fwd-conf <file>', 'define an IP reservation configuration (YAML)')
    .option(
      '-t, --timeout <seconds>',
      'seconds to wait for a pod to become ready; then its forward shows Error TIMEOUT and turns Active once the pod is ready',
      '300',
    )
    .option('--hosts-path <file>', 'hosts file path', hostsDefault)
    .option('-b, --refresh-backup', 'create a fresh hosts backup (~/hosts.original), replacing the old one')
    .addOption(hidden('--no-refresh-backup'))
    .option(
      '-p, --purge-stale-ips',
      'remove stale kubefwd host entries (127.1.27.x and above) before starting',
    )
    .addOption(hidden('--no-purge-stale-ips'))
    .option(
      '--resync-interval <duration>',
      'max age of a pod sync before a new one bypasses the debouncer',
      '5m',
    )
    .option('--retry-interval <duration>', 'retry interval when a service has no ready pods', '10s')
    .option('--tui', 'enable the terminal user interface')
    .addOption(hidden('--no-tui'))
    .option('--api', 'enable the REST API (http://kubefwd.internal/api when root)')
    .addOption(hidden('--no-api'))
    .option(
      '-a, --auto-reconnect',
      'reconnect with exponential backoff (1s to 5m); on by default with --tui, --api and in idle mode',
    )
    .addOption(hidden('--no-auto-reconnect'))
    .option('--theme <theme>', 'TUI colours: dark or light (env KUBEFWD_THEME)')
    .option(
      '--service <namespace/name>',
      'forward this service (repeatable; context/namespace/name also accepted)',
      append,
    )
    .option(
      '--exclude <namespace/name>',
      'do not forward this service (repeatable; * matches any name)',
      append,
    )
    .addOption(
      new Option('--transport <transport>', 'port-forward wire protocol')
        .choices(['auto', 'tunnel', 'spdy', 'websocket'])
        .default('auto'),
    )
    .option(
      '--api-listen <host:port>',
      'where the REST API listens (default 127.2.27.1:80 when root, else 127.0.0.1:<free port>)',
    )
    .option('--json-logs', 'log JSON lines instead of text')
    .addOption(hidden('--no-json-logs'));
};

export const buildSvcCommand = (name: 'svc' | 'demo' = 'svc'): Command => {
  const cmd = new Command(name);
  if (name === 'demo')
    // No words after it: `kubefwd demo shop` is refused, where svc ignores them as the Go kubefwd does.
    cmd
      .description('Start the simulated cluster with its sample scenario and forward its namespace shop')
      .addHelpText('after', DEMO_EXAMPLES);
  else
    cmd
      .description(
        'Forward all services of the given namespaces (idle mode without -n/-A: add them through the API)',
      )
      .aliases(['services', 'svcs'])
      .argument('[args...]', 'ignored (kubefwd compatibility)')
      .allowExcessArguments(true)
      .addHelpText('after', EXAMPLES);
  return addSvcOptions(cmd);
};

interface RawSvcOptions {
  kubeconfig?: string;
  context?: string[];
  namespace?: string[];
  selector?: string;
  fieldSelector?: string;
  verbose?: boolean;
  domain?: string;
  mapping?: string[];
  allNamespaces?: boolean;
  reserve?: string[];
  fwdConf?: string;
  timeout: string;
  hostsPath: string;
  refreshBackup?: boolean;
  purgeStaleIps?: boolean;
  resyncInterval: string;
  retryInterval: string;
  tui?: boolean;
  api?: boolean;
  autoReconnect?: boolean;
  theme?: string;
  service?: string[];
  exclude?: string[];
  transport: TransportChoice;
  apiListen?: string;
  jsonLogs?: boolean;
}

// One pass over the flags in the order they are checked, so the first bad input is the one reported.
/**
 * Turns parsed flags into a DaemonConfig, checking every input that can be checked without a
 * cluster. `explicit(name)` says whether a flag was given on the command line.
 */
export const toDaemonConfig = async (
  raw: RawSvcOptions,
  explicit: (option: string) => boolean,
  ctx: { version: string; env: NodeJS.ProcessEnv; root: boolean; hostsDefault?: string },
): Promise<DaemonConfig> => {
  validateLabelSelector(raw.selector ?? '');
  validateFieldSelector(raw.fieldSelector ?? '');
  const mappings = parsePortMappings(raw.mapping ?? []);
  // Loaded here, not at the top: reservations bring the YAML parser (-z files), which completion
  // (every Tab) and --help, building these flags, do not need; it is most of their start-up time.
  const { buildReservationConfig, parseReserveFlag } = await import('../domain/reservations.js');
  const reserved = (raw.reserve ?? []).map(parseReserveFlag);
  const services = (raw.service ?? []).map((s) => parseServicePattern(s, '--service'));
  const excludes = (raw.exclude ?? []).map((s) => parseServicePattern(s, '--exclude'));
  if (!/^\d+$/.test(raw.timeout.trim()))
    throw new KubefwdError('INVALID_INPUT', `invalid value "${raw.timeout}" for --timeout`, {
      field: '--timeout',
      hint: 'Give whole seconds, e.g. -t 60.',
    });
  const resyncIntervalMs = parseDuration(raw.resyncInterval, '--resync-interval');
  const retryIntervalMs = parseDuration(raw.retryInterval, '--retry-interval');
  if (retryIntervalMs <= 0)
    throw new KubefwdError(
      'INVALID_INPUT',
      `--retry-interval must be greater than 0 (got "${raw.retryInterval}")`,
      {
        field: '--retry-interval',
        hint: 'Give how often to look again for a ready pod, e.g. --retry-interval 10s (the default).',
      },
    );
  const apiListen = raw.apiListen === undefined ? undefined : parseListenAddress(raw.apiListen);
  const namespaces = [...new Set(raw.namespace ?? [])];
  // `-n "$NS"` with NS unset would start idle mode, forwarding nothing, with no word of why.
  if (raw.namespace !== undefined && namespaces.length === 0)
    throw new KubefwdError('INVALID_INPUT', '--namespace was given no namespace (an empty value)', {
      field: '--namespace',
      hint: 'Name one, e.g. -n shop; or leave -n out to start idle and add namespaces through the API, the TUI or MCP.',
    });
  for (const ns of namespaces)
    if (!isDnsLabel(ns))
      throw new KubefwdError('INVALID_INPUT', `invalid namespace "${ns}" for --namespace`, {
        field: '--namespace',
        hint: 'Namespace names are lower-case letters, digits and dashes.',
      });
  // It is written into the hosts file after every name: a space would add a name, a '#' comment
  // out the rest of the line.
  if (raw.domain !== undefined && !isDnsSubdomain(raw.domain.toLowerCase()))
    throw new KubefwdError('INVALID_INPUT', `invalid domain "${raw.domain}" for --domain`, {
      field: '--domain',
      hint: 'A DNS name: labels of letters, digits and dashes separated by dots, e.g. -d dev.local.',
    });
  const allNamespaces = raw.allNamespaces === true;
  if (allNamespaces && namespaces.length > 0)
    throw new KubefwdError('INVALID_INPUT', 'cannot combine --all-namespaces with --namespace', {
      field: '--all-namespaces',
      hint: 'Use either -A or one or more -n.',
    });
  let fwdConfText: string | undefined;
  if (raw.fwdConf !== undefined) {
    try {
      fwdConfText = await readFile(raw.fwdConf, 'utf8');
    } catch (err) {
      throw new KubefwdError('INVALID_INPUT', `cannot read --fwd-conf ${raw.fwdConf}: ${errorMessage(err)}`, {
        field: '--fwd-conf',
        hint: 'Pass the path of a YAML file with baseUnreservedIP and serviceConfigurations.',
      });
    }
  }
  const reservations = buildReservationConfig({
    flags: reserved,
    fileText: fwdConfText,
    filePath: raw.fwdConf,
  });
  const theme = resolveTheme(raw.theme, ctx.env.KUBEFWD_THEME);
  const idle = namespaces.length === 0 && !allNamespaces && services.length === 0;
  const tui = raw.tui === true;
  const api = raw.api === true || idle;
  // kubefwd: auto-reconnect is forced on in idle, TUI and API modes unless the flag was given.
  const autoReconnect = explicit('autoReconnect') ? raw.autoReconnect === true : idle || tui || api;
  const hostsDefault = ctx.hostsDefault ?? defaultHostsPath();
  return {
    version: ctx.version,
    kubeconfigPath: raw.kubeconfig,
    contexts: [...new Set(raw.context ?? [])],
    namespaces,
    allNamespaces,
    labelSelector: raw.selector,
    fieldSelector: raw.fieldSelector,
    verbose: raw.verbose === true,
    jsonLogs: raw.jsonLogs === true,
    domain: raw.domain,
    mappings,
    reservations,
    timeoutSeconds: Number(raw.timeout.trim()),
    hostsPath: raw.hostsPath,
    hostsPathExplicit: explicit('hostsPath') && raw.hostsPath !== hostsDefault,
    refreshBackup: raw.refreshBackup === true,
    purgeStaleIps: raw.purgeStaleIps === true,
    resyncIntervalMs,
    retryIntervalMs,
    tui,
    api,
    autoReconnect,
    theme,
    services,
    excludes,
    transport: raw.transport,
    apiListen,
    idle,
    root: ctx.root,
    env: ctx.env,
  };
};

export type { RawSvcOptions };
