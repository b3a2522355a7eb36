// The real completion sources: contexts from the kubeconfig kubefwd would load, and namespaces
// listed from the cluster. Completion runs on every Tab press, so the cluster gets one plain list
// request (no provider, informers or permission checks) under a short deadline, and the kube
// modules are loaded from their own files, only when asked: kube/index.js would also load the
// port-forwarders and @kubernetes/client-node, most of a second before the first candidate.
import type { LoadedKubeconfig } from '../../kube/index.js';
import type { CompletionSources } from './complete.js';

/** Long enough for a remote API server, short enough that a dead one does not freeze the prompt. */
export const NAMESPACE_DEADLINE_MS = 2_000;

const load = async (env: NodeJS.ProcessEnv, kubeconfig: string | undefined): Promise<LoadedKubeconfig> => {
  const { loadKubeconfig } = await import('../../kube/kubeconfig/load.js');
  return loadKubeconfig({ env, ...(kubeconfig !== undefined ? { kubeconfigPath: kubeconfig } : {}) });
};

/** Rejects once `signal` aborts (the completion's deadline). */
const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    const fail = (): void => reject(new Error('namespace listing timed out'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });

/** The namespace names of one context's cluster; rejects on any failure or when `signal` aborts. */
const listNamespaces = async (
  loaded: LoadedKubeconfig,
  context: string | undefined,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<string[]> => {
  const [{ resolveContext }, { createKubeConnection }, { createRestClient }, { realClock, silentLogger }] =
    await Promise.all([
      import('../../kube/kubeconfig/load.js'),
      import('../../kube/auth/connection.js'),
      import('../../kube/rest/client.js'),
      import('../../kube/types.js'),
    ]);
  signal.throwIfAborted();
  const resolved = resolveContext(loaded, context);
  const conn = createKubeConnection(resolved, {
    env,
    home: loaded.home,
    invokingUser: loaded.invokingUser,
    clock: realClock,
    logger: silentLogger,
  });
  const rest = createRestClient(conn);
  try {
    const list = rest.json<{ items?: { metadata?: { name?: string } }[] }>({
      path: '/api/v1/namespaces',
      subject: { verb: 'list', resource: 'namespaces' },
      signal,
    });
    list.catch(() => undefined);
    // The signal cancels the request itself; the race also covers credential plugins (exec) that
    // run before it is sent.
    const body = await Promise.race([list, aborted(signal)]);
    return (body.items ?? []).flatMap((n) => (n.metadata?.name ? [n.metadata.name] : []));
  } finally {
    rest.close();
  }
};

export const kubeSources = (
  env: NodeJS.ProcessEnv,
  deadlineMs: number = NAMESPACE_DEADLINE_MS,
): CompletionSources => ({
  contexts: async ({ kubeconfig }) => (await load(env, kubeconfig)).contexts.map((c) => c.name),
  async namespaces({ kubeconfig, contexts }) {
    // One deadline for the whole listing, module loading included: it is what the user waits for.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    try {
      const loaded = await load(env, kubeconfig);
      const targets = contexts.length > 0 ? [...new Set(contexts)] : [undefined];
      // Each context on its own: one unreachable cluster does not hide the others' namespaces.
      const lists = await Promise.all(
        targets.map((c) => listNamespaces(loaded, c, env, deadline.signal).catch(() => [] as string[])),
      );
      return lists.flat();
    } finally {
      clearTimeout(timer);
    }
  },
});
