// Ready-to-paste environment variables and connection strings for a forwarded service, guessed
// from its port numbers, port names and service name (a pure function: tested directly). The
// reference produced env vars from the first port only; we cover every port and the common
// protocols of the seed's examples (PostgreSQL, MySQL, Redis, MongoDB, HTTP(S), Kafka, SMTP, ...).

export interface PortInfo {
  /** Where it listens on this machine (after -m mapping). */
  localPort: number;
  /** The service port in the cluster. */
  remotePort: number;
  name?: string;
  protocol?: string;
}

export type ConnectionKind =
  | 'postgresql'
  | 'mysql'
  | 'redis'
  | 'mongodb'
  | 'kafka'
  | 'amqp'
  | 'nats'
  | 'elasticsearch'
  | 'memcached'
  | 'cassandra'
  | 'smtp'
  | 'grpc'
  | 'https'
  | 'http'
  | 'tcp';

export interface ConnectionString {
  kind: ConnectionKind;
  port: number;
  /** A URL or host:port string for the protocol. */
  url: string;
  /** The same with the IP instead of the hostname (works without the hosts file). */
  urlByIP?: string;
  /** A command that tries the connection. */
  example: string;
}

export interface ConnectionDetails {
  envVars: Record<string, string>;
  connectionStrings: ConnectionString[];
}

const BY_PORT: Record<number, ConnectionKind> = {
  5432: 'postgresql',
  3306: 'mysql',
  6379: 'redis',
  27017: 'mongodb',
  9092: 'kafka',
  9093: 'kafka',
  5672: 'amqp',
  4222: 'nats',
  9200: 'elasticsearch',
  11211: 'memcached',
  9042: 'cassandra',
  25: 'smtp',
  465: 'smtp',
  587: 'smtp',
  1025: 'smtp',
  2525: 'smtp',
  443: 'https',
  8443: 'https',
  80: 'http',
  3000: 'http',
  5000: 'http',
  8000: 'http',
  8080: 'http',
  8081: 'http',
  8888: 'http',
  9090: 'http',
  15672: 'http',
};

const BY_NAME: [RegExp, ConnectionKind][] = [
  [/postgres|^pg|psql/, 'postgresql'],
  [/mysql|mariadb/, 'mysql'],
  [/redis/, 'redis'],
  [/mongo/, 'mongodb'],
  [/kafka/, 'kafka'],
  [/amqp|rabbit/, 'amqp'],
  [/nats/, 'nats'],
  [/elastic|opensearch/, 'elasticsearch'],
  [/memcache/, 'memcached'],
  [/cassandra|cql/, 'cassandra'],
  [/smtp|mail/, 'smtp'],
];

/** Names that say little about the protocol (many charts call every port "http" or "tcp"). */
const GENERIC_NAME: [RegExp, ConnectionKind][] = [
  [/grpc|h2c/, 'grpc'],
  [/https|tls|ssl/, 'https'],
  [/http|web|api/, 'http'],
];

/**
 * The protocol of one port: a specific port name wins ("postgres", "redis"), then the well-known
 * number, then a generic name ("http", "grpc"), then the service name.
 */
export const classifyPort = (port: PortInfo, serviceName: string): ConnectionKind => {
  const name = (port.name ?? '').toLowerCase();
  for (const [re, kind] of BY_NAME) if (name && re.test(name)) return kind;
  const byPort = BY_PORT[port.remotePort] ?? BY_PORT[port.localPort];
  if (byPort) return byPort;
  for (const [re, kind] of GENERIC_NAME) if (name && re.test(name)) return kind;
  const svc = serviceName.toLowerCase();
  for (const [re, kind] of [...BY_NAME, ...GENERIC_NAME]) if (re.test(svc)) return kind;
  return 'tcp';
};

/** `api-gateway` → `API_GATEWAY`; anything outside [A-Z0-9_] becomes `_`. */
export const envPrefix = (serviceName: string): string => {
  const up = serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return /^[0-9]/.test(up) ? `_${up}` : up;
};

/**
 * The user the example command logs in as, for the kinds whose command names one; the URL names the
 * same user, so `psql "$DATABASE_URL"` works where `psql -U postgres` does (without it psql takes the
 * login name: `role "root" does not exist`). No `<user>` placeholders: a shell reads `<user>` as a
 * redirection. postgres is the image's default superuser (and what the demo's simulated PostgreSQL
 * trusts), root MySQL's.
 */
const USER: Partial<Record<ConnectionKind, string>> = { postgresql: 'postgres', mysql: 'root' };

const urlFor = (kind: ConnectionKind, host: string, port: number): string => {
  switch (kind) {
    case 'postgresql':
      return `postgresql://${USER.postgresql}@${host}:${port}/postgres`;
    case 'mysql':
      return `mysql://${USER.mysql}@${host}:${port}/`;
    case 'redis':
      return `redis://${host}:${port}`;
    case 'mongodb':
      return `mongodb://${host}:${port}`;
    case 'amqp':
      return `amqp://${host}:${port}`;
    case 'nats':
      return `nats://${host}:${port}`;
    case 'https':
      return `https://${host}:${port}`;
    case 'http':
    case 'elasticsearch':
      return `http://${host}:${port}`;
    default:
      return `${host}:${port}`;
  }
};

const exampleFor = (kind: ConnectionKind, host: string, port: number): string => {
  switch (kind) {
    case 'postgresql':
      return `psql -h ${host} -p ${port} -U ${USER.postgresql}`;
    case 'mysql':
      return `mysql -h ${host} -P ${port} -u ${USER.mysql} -p`;
    case 'redis':
      return `redis-cli -h ${host} -p ${port} ping`;
    case 'mongodb':
      return `mongosh "mongodb://${host}:${port}"`;
    case 'kafka':
      return `kafka-topics.sh --bootstrap-server ${host}:${port} --list`;
    case 'amqp':
      return `nc -vz ${host} ${port}`;
    case 'elasticsearch':
      return `curl -s http://${host}:${port}/_cluster/health`;
    case 'memcached':
      return `printf 'stats\\r\\nquit\\r\\n' | nc ${host} ${port}`;
    case 'cassandra':
      return `cqlsh ${host} ${port}`;
    case 'smtp':
      return `nc -v ${host} ${port}`;
    case 'grpc':
      return `grpcurl -plaintext ${host}:${port} list`;
    case 'https':
      return `curl -vk https://${host}:${port}/`;
    case 'http':
      return `curl -v http://${host}:${port}/`;
    default:
      return `nc -vz ${host} ${port}`;
  }
};

/** Env var name(s) that frameworks conventionally read for this kind. */
const conventionalEnv = (kind: ConnectionKind, prefix: string): string | undefined => {
  switch (kind) {
    case 'postgresql':
    case 'mysql':
      return 'DATABASE_URL';
    case 'redis':
      return 'REDIS_URL';
    case 'mongodb':
      return 'MONGODB_URI';
    case 'kafka':
      return 'KAFKA_BROKERS';
    case 'amqp':
      return 'AMQP_URL';
    case 'nats':
      return 'NATS_URL';
    case 'elasticsearch':
      return 'ELASTICSEARCH_URL';
    case 'http':
    case 'https':
      return `${prefix}_URL`;
    default:
      return undefined;
  }
};

/**
 * Env vars and connection strings for a service reachable as `host` (its short hostname, which
 * kubefwd puts in the hosts file) and `ip`, over the given ports.
 */
export const connectionDetails = (
  serviceName: string,
  host: string,
  ip: string | undefined,
  ports: readonly PortInfo[],
  /** Per-pod hostnames of a headless service (e.g. Kafka brokers `kafka-0.kafka`). */
  peers: readonly string[] = [],
): ConnectionDetails => {
  const prefix = envPrefix(serviceName);
  const envVars: Record<string, string> = { [`${prefix}_HOST`]: host };
  if (ip) envVars[`${prefix}_IP`] = ip;
  const connectionStrings: ConnectionString[] = [];
  ports.forEach((p, i) => {
    const kind = classifyPort(p, serviceName);
    const cs: ConnectionString = {
      kind,
      port: p.localPort,
      url: urlFor(kind, host, p.localPort),
      ...(ip ? { urlByIP: urlFor(kind, ip, p.localPort) } : {}),
      example: exampleFor(kind, host, p.localPort),
    };
    connectionStrings.push(cs);
    if (i === 0) envVars[`${prefix}_PORT`] = String(p.localPort);
    if (p.name) envVars[`${prefix}_PORT_${envPrefix(p.name)}`] = String(p.localPort);
    if (kind === 'smtp' && envVars.SMTP_HOST === undefined) {
      envVars.SMTP_HOST = host;
      envVars.SMTP_PORT = String(p.localPort);
    }
    if (peers.length > 0 && envVars[`${prefix}_PEERS`] === undefined)
      envVars[`${prefix}_PEERS`] = peers.map((h) => `${h}:${p.localPort}`).join(',');
    if (kind === 'kafka' && peers.length > 0 && envVars.KAFKA_BROKERS === undefined)
      envVars.KAFKA_BROKERS = peers.map((h) => `${h}:${p.localPort}`).join(',');
    const conv = conventionalEnv(kind, prefix);
    // The first port of a kind claims the conventional name; later ones keep only the prefixed vars.
    if (conv && envVars[conv] === undefined) envVars[conv] = cs.url;
  });
  return { envVars, connectionStrings };
};

/** The connection strings and environment of `details` as text lines, for the tools that show them. */
export const connectionLines = (details: ConnectionDetails, indent = ''): string[] => [
  ...details.connectionStrings.map((c) => `${indent}${c.kind}: ${c.url}   (try: ${c.example})`),
  'Env:',
  ...Object.entries(details.envVars).map(([k, v]) => `${indent}${k}=${v}`),
];
