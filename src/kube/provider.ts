// The ClusterProvider: the kubeconfig loaded once (kubectl rules), and one ClusterGateway per context,
// created on first use and cached.
import type { KContext } from '../contract/kube.js';
import { createKubeConnection } from './auth/connection.js';
import type { ExecRunner } from './auth/exec-plugin.js';
import { createClusterGateway, type PortForwarderFactory } from './cluster-gateway.js';
import type { BackoffPolicy } from './informer/backoff.js';
import type { SudoUser } from './invoking-user.js';
import { loadKubeconfig, resolveContext, type LoadedKubeconfig } from './kubeconfig/load.js';
import { createRestClient } from './rest/client.js';
import {
  realClock,
  silentLogger,
  type ClusterGateway,
  type ClusterProvider,
  type KubeClock,
  type KubeLogger,
  type TransportChoice,
} from './types.js';

export interface ClusterProviderOptions {
  /** -c/--kubeconfig; else $KUBECONFIG, else ~/.kube/config. */
  kubeconfigPath?: string;
  env?: NodeJS.ProcessEnv;
  transport?: TransportChoice;
  logger?: KubeLogger;
  /** Deadline of one non-streaming API request (default 30 s). */
  requestTimeoutMs?: number;
  clock?: KubeClock;
  /** Informer resync interval (default: none). */
  resyncMs?: number;
  backoff?: BackoffPolicy;
  /** The user behind sudo; `null` = treat as not under sudo. Default: detected. */
  invokingUser?: SudoUser | null;
  /** Injected for tests. */
  execRunner?: ExecRunner;
  /** Where exec plugins' stderr is passed through while they run (default: our stderr). */
  pluginStderr?: { write(chunk: Buffer): unknown };
  portForwarders?: PortForwarderFactory;
}

export interface KubeClusterProvider extends ClusterProvider {
  /** What was loaded (files, contexts), for messages and `list_contexts`. */
  readonly kubeconfig: LoadedKubeconfig;
}

/** Loads the kubeconfig now (throws KubefwdError on a missing/unreadable/malformed file). */
export function createClusterProviderWith(
  opts: ClusterProviderOptions & { portForwarders: PortForwarderFactory },
): KubeClusterProvider {
  const env = opts.env ?? process.env;
  const loaded = loadKubeconfig({
    ...(opts.kubeconfigPath !== undefined ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    env,
    ...(opts.invokingUser !== undefined ? { invokingUser: opts.invokingUser } : {}),
  });
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? realClock;
  const ports = new Map<string, ClusterGateway>();

  return {
    kubeconfig: loaded,
    currentContext() {
      return resolveContext(loaded).name;
    },
    contexts(): KContext[] {
      return loaded.contexts.map((c) => ({ ...c }));
    },
    cluster(context?: string): ClusterGateway {
      const resolved = resolveContext(loaded, context);
      const existing = ports.get(resolved.name);
      if (existing) return existing;
      const conn = createKubeConnection(resolved, {
        env,
        home: loaded.home,
        invokingUser: loaded.invokingUser,
        clock,
        logger,
        ...(opts.execRunner ? { execRunner: opts.execRunner } : {}),
        ...(opts.pluginStderr ? { pluginStderr: opts.pluginStderr } : {}),
        reloadUser: () => {
          // Cheap (a few small files) and only after a 401; a kubeconfig broken meanwhile keeps the old user.
          try {
            const again = loadKubeconfig({
              ...(opts.kubeconfigPath !== undefined ? { kubeconfigPath: opts.kubeconfigPath } : {}),
              env,
              invokingUser: loaded.invokingUser ?? null,
            });
            const next = resolveContext(again, resolved.name);
            return next.userName === resolved.userName ? next.user : undefined;
          } catch {
            return undefined;
          }
        },
      });
      const rest = createRestClient(conn, {
        ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
      });
      const port = createClusterGateway({
        conn,
        rest,
        logger,
        clock,
        transport: opts.transport ?? 'auto',
        portForwarders: opts.portForwarders,
        ...(opts.resyncMs !== undefined ? { resyncMs: opts.resyncMs } : {}),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
      });
      ports.set(resolved.name, port);
      return port;
    },
    close() {
      for (const p of ports.values()) p.close();
      ports.clear();
    },
  };
}
