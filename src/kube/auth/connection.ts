// A ClusterConnection (src/kube/connection.ts) built from one resolved kubeconfig context: the
// server URL, TLS material and the Authorization/impersonation headers every request carries.
// Tokens, token files, basic auth, client certificates and exec plugins are handled here; legacy
// auth-providers (oidc, azure, gcp) go through client-node's KubeConfig machinery.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { RequestOptions } from 'node:https';
import type * as ClientNodeModule from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubefwdError } from '../../contract/errors.js';
import { newFramePool } from '../../wire/websocket/index.js';
import type { AuthHeaders, ClusterConnection } from '../connection.js';
import type { SudoUser } from '../../domain/invoking-user.js';
import type { ResolvedContext } from '../kubeconfig/load.js';
import type { UserConfig } from '../kubeconfig/schema.js';
import type { KubeClock, KubeLogger } from '../types.js';
import { proxyFromEnvironment } from '../rest/proxy.js';
import {
  createExecCredentialSource,
  planExecPlugin,
  type ExecCredentialSource,
  type ExecRunner,
} from './exec-plugin.js';

/** Our ClusterConnection, plus a way to drop cached credentials after the server says 401. */
export interface KubeConnection extends ClusterConnection {
  readonly namespace: string;
  /** Drops cached exec/tokenFile credentials; returns whether retrying may help. */
  invalidateCredentials(): boolean;
  /** What a request still waits for before it can be sent (a running exec plugin), for messages. */
  pendingCredential(): string | undefined;
  /** Stops a running exec plugin (kubefwd is shutting down). */
  close(): void;
}

export interface ConnectionDeps {
  env: NodeJS.ProcessEnv;
  home: string;
  invokingUser: SudoUser | undefined;
  clock: KubeClock;
  logger: KubeLogger;
  readFile?: (path: string) => Buffer;
  execRunner?: ExecRunner;
  /**
   * Reads this context's user entry from the kubeconfig again (after a 401: the user may have
   * logged in anew, rewriting the token). Undefined when it cannot be read.
   */
  reloadUser?: () => UserConfig | undefined;
  /** Where an exec plugin's stderr is passed through while it runs (default: our stderr). */
  pluginStderr?: { write(chunk: Buffer): unknown };
  /** Imports @kubernetes/client-node (an optional dependency; replaceable in tests). */
  importClientNode?: () => Promise<ClientNode>;
}

type ClientNode = typeof ClientNodeModule;

/** client-node is an optionalDependency (54 MB, only auth-providers use it): say how to get it. */
const loadClientNode = async (
  importer: () => Promise<ClientNode> = () => import('@kubernetes/client-node'),
): Promise<ClientNode> => {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      'it needs the optional package @kubernetes/client-node, which is not installed (kubefwd was ' +
        'installed with --omit=optional, or this is the standalone executable): install kubefwd with ' +
        '`npm install -g kubefwd` (optional packages included), or switch the user to an exec plugin ' +
        '(kubelogin, gke-gcloud-auth-plugin), which kubefwd runs itself',
      { cause: err },
    );
  }
};

/** The in-tree auth-providers client-go removed, with kubectl's replacement (oidc is still there). */
const REMOVED_AUTH_PROVIDERS: Record<string, { use: string; hint: string } | undefined> = {
  gcp: {
    use: '"gke-gcloud-auth-plugin"',
    hint: 'Install it (`gcloud components install gke-gcloud-auth-plugin`) and let `gcloud container clusters get-credentials CLUSTER` rewrite the user; see https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke',
  },
  azure: {
    use: 'kubelogin (https://github.com/Azure/kubelogin)',
    hint: 'Install kubelogin and convert the kubeconfig with `kubelogin convert-kubeconfig`; see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins',
  },
};

/** kubectl re-reads a token file about once a minute (it may be rotated, e.g. projected tokens). */
const TOKEN_FILE_TTL_MS = 60_000;

// One closure on purpose: TLS, auth refresh and the HTTP agent share the connection's credentials.
export function createKubeConnection(ctx: ResolvedContext, deps: ConnectionDeps): KubeConnection {
  const read = deps.readFile ?? ((p: string) => readFileSync(p));
  const { cluster } = ctx;
  // Replaced when the kubeconfig's entry for this user changed on disk (see invalidateCredentials).
  let user = ctx.user;
  const execConfig = user.exec ?? undefined;
  const readNamed = (path: string, what: string): Buffer => {
    try {
      return read(path);
    } catch (err) {
      throw new KubefwdError(
        'KUBECONFIG_INVALID',
        `${what} file ${path} of context "${ctx.name}" cannot be read: ${(err as Error).message}`,
        { cause: err, field: path },
      );
    }
  };
  const fromData = (data: string, what: string): Buffer => {
    // Strict, as Go's base64 (kubectl refuses the file): Node's decoder would skip bad characters
    // and hand TLS garbage, reported later as a certificate chain problem.
    const compact = data.replace(/[\r\n]/g, '');
    if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
      throw new KubefwdError('KUBECONFIG_INVALID', `${what} of context "${ctx.name}" is not valid base64`, {
        hint: `Fix ${what} in the kubeconfig: it holds the PEM file's content, base64-encoded (\`base64 -w0 FILE\`).`,
      });
    const buf = Buffer.from(compact, 'base64');
    if (buf.length === 0)
      throw new KubefwdError('KUBECONFIG_INVALID', `${what} of context "${ctx.name}" is empty`);
    return buf;
  };
  /** The CA must hold at least one certificate that parses (Go's AppendCertsFromPEM rule). */
  const checkedCa = (ca: Buffer, what: string): Buffer => {
    const blocks =
      ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const parses = (pem: string): boolean => {
      try {
        new X509Certificate(pem);
        return true;
      } catch {
        return false;
      }
    };
    if (!blocks.some(parses))
      throw new KubefwdError(
        'KUBECONFIG_INVALID',
        `${what} of cluster "${ctx.clusterName}" (context "${ctx.name}") could not be parsed: it holds no PEM certificate`,
        { hint: `Point ${what} at the cluster's CA certificate in PEM form (-----BEGIN CERTIFICATE-----).` },
      );
    return ca;
  };

  const exec: ExecCredentialSource | undefined = execConfig
    ? createExecCredentialSource(
        execConfig,
        () =>
          planExecPlugin(execConfig, {
            env: deps.env,
            invokingUser: deps.invokingUser,
            home: deps.home,
            cluster: {
              server: cluster.server,
              ...(cluster['tls-server-name'] ? { 'tls-server-name': cluster['tls-server-name'] } : {}),
              ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
              ...(cluster['certificate-authority-data']
                ? { 'certificate-authority-data': cluster['certificate-authority-data'] }
                : {}),
              ...(cluster['proxy-url'] ? { 'proxy-url': cluster['proxy-url'] } : {}),
            },
          }),
        {
          clock: deps.clock,
          ...(deps.execRunner ? { run: deps.execRunner } : {}),
          ...(deps.pluginStderr ? { stderr: deps.pluginStderr } : {}),
        },
      )
    : undefined;

  // Static TLS material is read once, on first use, so a bad path is reported when connecting.
  let staticTls: ConnectionOptions | undefined;
  const baseTls = (): ConnectionOptions => {
    if (staticTls) return staticTls;
    const o: ConnectionOptions = {};
    const caData = cluster['certificate-authority-data'];
    const caFile = cluster['certificate-authority'];
    if (cluster['insecure-skip-tls-verify']) {
      // kubectl refuses this combination rather than pick one of the two.
      if (caData || caFile)
        throw new KubefwdError(
          'KUBECONFIG_INVALID',
          `cluster "${ctx.clusterName}" (context "${ctx.name}") sets both insecure-skip-tls-verify and ${caData ? 'certificate-authority-data' : 'certificate-authority'}: specifying a root certificates file with the insecure flag is not allowed (kubectl refuses it too)`,
          {
            hint: 'Remove one of the two from the cluster entry of the kubeconfig (keep the CA unless the server has no verifiable certificate).',
          },
        );
      o.rejectUnauthorized = false;
    } else {
      o.rejectUnauthorized = true;
      if (caData)
        o.ca = checkedCa(fromData(caData, 'certificate-authority-data'), 'certificate-authority-data');
      else if (caFile)
        o.ca = checkedCa(readNamed(caFile, 'certificate-authority'), `certificate-authority file ${caFile}`);
    }
    const host = new URL(cluster.server).hostname.replace(/^\[|\]$/g, '');
    if (cluster['tls-server-name']) o.servername = cluster['tls-server-name'];
    else if (isIP(host) === 0) o.servername = host;
    if (user['client-certificate-data'])
      o.cert = fromData(user['client-certificate-data'], 'client-certificate-data');
    else if (user['client-certificate']) o.cert = readNamed(user['client-certificate'], 'client-certificate');
    if (user['client-key-data']) o.key = fromData(user['client-key-data'], 'client-key-data');
    else if (user['client-key']) o.key = readNamed(user['client-key'], 'client-key');
    if (o.cert !== undefined && o.key !== undefined) checkClientPair(o);
    staticTls = o;
    return o;
  };

  // A certificate and key that do not belong together fail every handshake; Node says "key values
  // mismatch" from the TLS layer, which read as a server certificate problem.
  const checkClientPair = (o: ConnectionOptions): void => {
    const certKey = user['client-certificate-data'] ? 'client-certificate-data' : 'client-certificate';
    const keyKey = user['client-key-data'] ? 'client-key-data' : 'client-key';
    try {
      createSecureContext({ cert: o.cert, key: o.key });
    } catch (err) {
      const msg = (err as Error).message;
      throw new KubefwdError(
        'KUBECONFIG_INVALID',
        /key values mismatch/i.test(msg)
          ? `${keyKey} of user "${ctx.userName ?? ''}" (context "${ctx.name}") does not match its ${certKey}: the private key is not the certificate's`
          : `${certKey} / ${keyKey} of user "${ctx.userName ?? ''}" (context "${ctx.name}") cannot be used: ${msg}`,
        {
          cause: err,
          hint: `Set ${certKey} and ${keyKey} to a certificate and the private key it was issued for (PEM).`,
        },
      );
    }
  };

  // One TLS context per set of credentials instead of one per connection: building it parses the CA
  // and key, ~1 ms each time, and at 2,000 services every pod session opens its own connection
  // (issue 18). A context that cannot be built is left to the connection, which reports it as it did.
  let context: { ca: unknown; cert: unknown; key: unknown; ctx: SecureContext } | undefined;
  const withSecureContext = (o: ConnectionOptions): ConnectionOptions => {
    if (context === undefined || context.ca !== o.ca || context.cert !== o.cert || context.key !== o.key) {
      try {
        const opts = { ca: o.ca, cert: o.cert, key: o.key };
        context = { ...opts, ctx: createSecureContext(opts) };
      } catch {
        return o;
      }
    }
    return { ...o, secureContext: context.ctx };
  };

  // The port-forward upgrades' TLS sessions (kube/connection.ts TlsSessionCache), per secure context:
  // a context replaced by new credentials (an exec plugin's rotated certificate) drops its session.
  const sessions = new WeakMap<SecureContext, Buffer>();

  let tokenFile: { token: string; at: number } | undefined;
  const readTokenFile = (path: string): string => {
    const now = deps.clock.now();
    if (tokenFile && now - tokenFile.at < TOKEN_FILE_TTL_MS) return tokenFile.token;
    const token = readNamed(path, 'tokenFile').toString('utf8').trim();
    if (token === '')
      throw new KubefwdError('KUBECONFIG_INVALID', `tokenFile ${path} of context "${ctx.name}" is empty`, {
        field: path,
      });
    tokenFile = { token, at: now };
    return token;
  };

  // As client-go: with both `token` and `tokenFile`, the file's token wins and `token` is the fallback
  // while the file cannot be read; with `tokenFile` alone an unreadable file is an error.
  const bearerToken = (): string | undefined => {
    const path = user.tokenFile;
    if (path === undefined || path === '') return user.token || undefined;
    if (!user.token) return readTokenFile(path);
    try {
      return readTokenFile(path);
    } catch {
      return user.token;
    }
  };

  // One KubeConfig per connection, built once even when the first requests arrive together (the
  // start-up fires REST calls and informer lists in parallel): an auth-provider refreshes its token
  // through it, and two instances would refresh twice (a rotated OIDC refresh token then fails).
  let providerKc: Promise<KubeConfig> | undefined;
  const loadProviderKc = async (provider: NonNullable<UserConfig['auth-provider']>): Promise<KubeConfig> => {
    // Loaded on first use: client-node takes ~0.6 s to import, and only auth-providers need it.
    const { KubeConfig } = await loadClientNode(deps.importClientNode);
    const kc = new KubeConfig();
    // The fake cluster entry only lets client-node build its (unused) agent; we connect ourselves.
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1', skipTLSVerify: true }],
      users: [
        {
          name: ctx.userName ?? 'user',
          authProvider: { name: provider.name, config: { ...(provider.config ?? {}) } },
        },
      ],
      contexts: [{ name: 'c', cluster: 'c', user: ctx.userName ?? 'user' }],
      currentContext: 'c',
    });
    return kc;
  };
  const authProviderHeader = async (): Promise<string | undefined> => {
    const provider = user['auth-provider'];
    if (!provider) return undefined;
    const removed = REMOVED_AUTH_PROVIDERS[provider.name];
    if (removed)
      throw new KubefwdError(
        'KUBECONFIG_INVALID',
        `user "${ctx.userName ?? ''}" (context "${ctx.name}") uses the auth-provider "${provider.name}", which kubectl and client-go removed (Kubernetes 1.26): use the ${removed.use} exec credential plugin instead`,
        { hint: removed.hint },
      );
    const opts: RequestOptions = {};
    try {
      providerKc ??= loadProviderKc(provider);
      await (await providerKc).applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubefwdError(
        'AUTH_FAILED',
        `auth-provider "${provider.name}" of user "${ctx.userName ?? ''}" failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const headers = (opts.headers ?? {}) as Record<string, unknown>;
    const auth = headers.Authorization ?? headers.authorization;
    return typeof auth === 'string' ? auth : undefined;
  };

  // As client-go sends them: one header line per group and per extra value (never comma-joined:
  // the API server reads each line as one value).
  const impersonation = (): AuthHeaders => {
    const h: AuthHeaders = {};
    if (user.as) h['Impersonate-User'] = user.as;
    if (user['as-uid']) h['Impersonate-Uid'] = user['as-uid'];
    const groups = user['as-groups'] ?? [];
    if (groups.length > 0) h['Impersonate-Group'] = [...groups];
    for (const [k, vals] of Object.entries(user['as-user-extra'] ?? {}))
      if (vals.length > 0) h[`Impersonate-Extra-${encodeURIComponent(k)}`] = [...vals];
    return h;
  };

  // kubectl's order: the kubeconfig's proxy-url, else the environment's proxy for this server.
  const proxy = (): { proxyUrl?: string; proxySource?: string } => {
    if (cluster['proxy-url']) return { proxyUrl: cluster['proxy-url'] };
    const fromEnv = proxyFromEnvironment(deps.env, cluster.server);
    return fromEnv ? { proxyUrl: fromEnv.url, proxySource: fromEnv.source } : {};
  };

  return {
    contextName: ctx.name,
    namespace: ctx.namespace,
    server: cluster.server.replace(/\/+$/, ''),
    ...proxy(),
    async tlsOptions() {
      const base = baseTls();
      if (exec && !base.cert) {
        const cred = await exec.get();
        if (cred.clientCertificateData && cred.clientKeyData)
          return withSecureContext({ ...base, cert: cred.clientCertificateData, key: cred.clientKeyData });
      }
      return withSecureContext({ ...base });
    },
    async authHeaders() {
      const h = impersonation();
      const bearer = bearerToken();
      if (bearer !== undefined) h.Authorization = `Bearer ${bearer}`;
      else if (exec) {
        const cred = await exec.get();
        if (cred.token) h.Authorization = `Bearer ${cred.token}`;
      } else if (user['auth-provider']) {
        const a = await authProviderHeader();
        if (a) h.Authorization = a;
      } else if (user.username !== undefined && user.password !== undefined)
        h.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      return h;
    },
    // One pool for every WebSocket of this cluster (v4 opens one per local connection).
    framePool: newFramePool(),
    tlsSessions: {
      get: (tls) => (tls.secureContext === undefined ? undefined : sessions.get(tls.secureContext)),
      set: (tls, session) => {
        if (tls.secureContext !== undefined) sessions.set(tls.secureContext, session);
      },
    },
    pendingCredential() {
      const command = exec?.running();
      return command === undefined ? undefined : `the exec credential plugin ${command}`;
    },
    close() {
      exec?.close();
    },
    invalidateCredentials() {
      tokenFile = undefined;
      // The kubeconfig may hold new credentials for this user (a fresh login rewrote its token or
      // certificate): take them, so a retry uses them. An exec entry that changed is not swapped:
      // its plugin source was built for the old one.
      let changed = false;
      const fresh = deps.reloadUser?.();
      if (fresh !== undefined && JSON.stringify(fresh) !== JSON.stringify(user)) {
        const sameExec = JSON.stringify(fresh.exec ?? null) === JSON.stringify(execConfig ?? null);
        if (sameExec) {
          user = fresh;
          staticTls = undefined;
          providerKc = undefined;
          changed = true;
        }
      }
      if (exec) {
        exec.invalidate();
        return true;
      }
      return changed || user.tokenFile !== undefined;
    },
  };
}
