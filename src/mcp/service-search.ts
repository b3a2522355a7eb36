// Matching a service against what an assistant passes on from its user: "postgres in shop",
// "the database", "shop/redis", "kafka broker". A pure function, tested directly. Each meaningful
// word must match the service somewhere (its key — name.namespace.context —, its hostnames, or the
// kind of one of its ports), so extra words narrow the result instead of emptying it, and the
// filler of a spoken request ("in", "the", "service") is ignored.
import type { ConnectionKind } from './connection-strings.js';

export interface SearchableService {
  serviceName: string;
  /** name.namespace.context */
  key: string;
  hostnames: readonly string[];
  /** The protocols of its ports (classifyPort). */
  kinds: readonly ConnectionKind[];
}

/** Words of a request that name nothing. */
const FILLER = new Set([
  'a',
  'an',
  'and',
  'at',
  'called',
  'cluster',
  'context',
  'for',
  'from',
  'in',
  'my',
  'named',
  'namespace',
  'ns',
  'of',
  'on',
  'our',
  'server',
  'service',
  'services',
  'svc',
  'the',
  'to',
]);

/** The words people use for a kind of server besides its own name. */
const KIND_WORDS: Record<ConnectionKind, readonly string[]> = {
  postgresql: ['postgres', 'postgresql', 'pg', 'psql', 'database', 'db', 'sql'],
  mysql: ['mysql', 'mariadb', 'database', 'db', 'sql'],
  redis: ['redis', 'cache'],
  mongodb: ['mongo', 'mongodb', 'database', 'db'],
  kafka: ['kafka', 'broker', 'queue', 'stream', 'streaming'],
  amqp: ['amqp', 'rabbitmq', 'rabbit', 'broker', 'queue'],
  nats: ['nats', 'broker', 'queue'],
  elasticsearch: ['elasticsearch', 'elastic', 'opensearch', 'search'],
  memcached: ['memcached', 'memcache', 'cache'],
  cassandra: ['cassandra', 'cql', 'database', 'db'],
  smtp: ['smtp', 'mail', 'email'],
  grpc: ['grpc'],
  https: ['https', 'web', 'tls'],
  http: ['http', 'web'],
  tcp: [],
};

/**
 * The words of a query worth matching, lower-cased: split at spaces, commas and slashes, filler
 * and a trailing question mark dropped. `shop/postgres` and `postgres.shop` keep working: the
 * first splits into two words, the second is a fragment of the service key.
 */
export const queryTerms = (query: string): string[] =>
  query
    .toLowerCase()
    .split(/[\s,/]+/)
    .map((w) => w.replace(/^["'`(]+|["'`)?!.:;]+$/g, ''))
    .filter((w) => w !== '' && !FILLER.has(w));

const inText = (s: SearchableService, t: string): boolean =>
  s.key.toLowerCase().includes(t) || s.hostnames.some((h) => h.toLowerCase().includes(t));
const inKinds = (s: SearchableService, t: string): boolean => s.kinds.some((k) => KIND_WORDS[k].includes(t));

/**
 * Every term matches the service somewhere; the terms in `byTextOnly` only by its key or
 * hostnames, not by a port's kind. No terms: everything matches.
 */
export const matchesTerms = (
  s: SearchableService,
  terms: readonly string[],
  byTextOnly: ReadonlySet<string> = new Set(),
): boolean => terms.every((t) => inText(s, t) || (!byTextOnly.has(t) && inKinds(s, t)));

/**
 * The matches, best first: a service whose name is one of the terms, then one whose name
 * contains one, then one matched by its key or hostnames (a namespace word), then by a port's
 * kind; stable within each. A term that is the name of one of the services means that service:
 * it no longer matches others by kind ("postgres" is the service called postgres, not every
 * server on port 5432), while a kind word no service is named after ("database") still does.
 */
export const searchServices = <T extends SearchableService>(services: readonly T[], query: string): T[] => {
  const terms = queryTerms(query);
  const names = new Set(services.map((s) => s.serviceName.toLowerCase()));
  const byTextOnly = new Set(terms.filter((t) => names.has(t)));
  const rank = (s: T): number => {
    const name = s.serviceName.toLowerCase();
    if (terms.includes(name)) return 0;
    if (terms.some((t) => name.includes(t))) return 1;
    return terms.every((t) => inText(s, t)) ? 2 : 3;
  };
  return services
    .filter((s) => matchesTerms(s, terms, byTextOnly))
    .map((s, i) => ({ s, i, r: rank(s) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ s }) => s);
};
