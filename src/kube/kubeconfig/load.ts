// Which kubeconfig files to read, reading them, and picking a context: kubectl's loading rules.
//   1. -c/--kubeconfig PATH: exactly that file (it must exist).
//   2. else $KUBECONFIG: a path-delimiter separated list, merged first-wins; missing files are
//      skipped as kubectl skips them, but at least one must exist.
//   3. else ~/.kube/config, where ~ is the invoking user's home under sudo.
import { readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { KubefwdError } from '../../contract/errors.js';
import { didYouMean } from '../../domain/did-you-mean.js';
import type { KContext } from '../../contract/kube.js';
import { effectiveHome, readInvokingUser, type SudoUser } from '../invoking-user.js';
import { mergeKubeconfigs } from './merge.js';
import { parseKubeconfig } from './parse.js';
import type { ClusterConfig, ContextConfig, KubeconfigFile, MergedKubeconfig, UserConfig } from './schema.js';

export interface LoadKubeconfigOptions {
  /** -c/--kubeconfig. */
  kubeconfigPath?: string;
  env?: NodeJS.ProcessEnv;
  /** The user behind sudo; `null` = none. Default: read from the process and /etc/passwd. */
  invokingUser?: SudoUser | null;
  /** Injected for tests. */
  readFile?: (path: string) => string;
}

export interface KubeconfigPaths {
  source: 'flag' | 'env' | 'default';
  paths: string[];
}

export interface LoadedKubeconfig {
  /** Where the paths came from and the files that were actually read. */
  source: KubeconfigPaths['source'];
  files: string[];
  contexts: KContext[];
  currentContext: string | undefined;
  config: MergedKubeconfig;
  home: string;
  invokingUser: SudoUser | undefined;
}

export interface ResolvedContext {
  name: string;
  namespace: string;
  clusterName: string;
  cluster: ClusterConfig & { server: string };
  userName: string | undefined;
  user: UserConfig;
  /** The kubeconfig file that defined the context (for messages). */
  source: string | undefined;
}

const expandTilde = (p: string, home: string): string =>
  p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;

/** Pure: the candidate files, in precedence order. */
export function kubeconfigPaths(opts: {
  kubeconfigPath?: string;
  env: NodeJS.ProcessEnv;
  home: string;
}): KubeconfigPaths {
  if (opts.kubeconfigPath !== undefined && opts.kubeconfigPath !== '')
    return { source: 'flag', paths: [resolve(expandTilde(opts.kubeconfigPath, opts.home))] };
  const list = opts.env.KUBECONFIG;
  if (list !== undefined && list !== '') {
    const seen = new Set<string>();
    const paths: string[] = [];
    for (const raw of list.split(delimiter)) {
      if (raw === '') continue;
      const p = resolve(expandTilde(raw, opts.home));
      if (seen.has(p)) continue;
      seen.add(p);
      paths.push(p);
    }
    if (paths.length > 0) return { source: 'env', paths };
  }
  return { source: 'default', paths: [join(opts.home, '.kube', 'config')] };
}

const errnoOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;

function readOne(
  path: string,
  read: (p: string) => string,
  required: boolean,
  origin: string,
  hint?: string,
): string | undefined {
  try {
    return read(path);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' && !required) return undefined;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable by this user'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : `cannot be read (${(err as Error).message})`;
    throw new KubefwdError('KUBECONFIG_INVALID', `kubeconfig ${path} (${origin}) ${why}`, {
      cause: err,
      field: path,
      ...(hint !== undefined && code === 'ENOENT' ? { hint } : {}),
    });
  }
}

export function loadKubeconfig(opts: LoadKubeconfigOptions = {}): LoadedKubeconfig {
  const env = opts.env ?? process.env;
  const invoking = opts.invokingUser === null ? undefined : (opts.invokingUser ?? readInvokingUser(env));
  const home = effectiveHome(env, invoking);
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const { source, paths } = kubeconfigPaths({ kubeconfigPath: opts.kubeconfigPath, env, home });
  const origin =
    source === 'flag' ? 'from --kubeconfig' : source === 'env' ? 'from $KUBECONFIG' : 'the default';
  const files: KubeconfigFile[] = [];
  for (const path of paths) {
    // `sudo` without -E drops KUBECONFIG: the default file is then often not the one the user means.
    const sudoHint =
      source === 'default' && invoking !== undefined
        ? 'Under sudo your KUBECONFIG is dropped unless you run `sudo -E`; or name the file with -c/--kubeconfig.'
        : undefined;
    const text = readOne(path, read, source !== 'env', origin, sudoHint);
    if (text !== undefined) files.push(parseKubeconfig(text, path));
  }
  if (files.length === 0) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `no kubeconfig found: none of the files in $KUBECONFIG exist (${paths.join(', ')})`,
      { field: 'KUBECONFIG' },
    );
  }
  const config = mergeKubeconfigs(files);
  const contexts: KContext[] = [...config.contexts].map(([name, c]) => ({
    name,
    cluster: c.cluster ?? '',
    ...(c.user ? { user: c.user } : {}),
    ...(c.namespace ? { namespace: c.namespace } : {}),
  }));
  return {
    source,
    files: config.files,
    contexts,
    currentContext: config.currentContext,
    config,
    home,
    invokingUser: invoking,
  };
}

const listNames = (names: Iterable<string>): string => {
  const all = [...names];
  return all.length === 0 ? '(none)' : all.join(', ');
};

/** Picks a context (the current one when `name` is undefined) and checks what it refers to. */
export function resolveContext(loaded: Pick<LoadedKubeconfig, 'config'>, name?: string): ResolvedContext {
  const { config } = loaded;
  const where = config.files.join(', ');
  const contextName = name !== undefined && name !== '' ? name : config.currentContext;
  if (config.contexts.size === 0) {
    // "pick one of: (none)" sent the user looking for a context to pick.
    throw new KubefwdError(
      contextName === undefined ? 'KUBECONFIG_INVALID' : 'CONTEXT_NOT_FOUND',
      `kubeconfig ${where} defines no contexts${contextName === undefined ? '' : ` (context "${contextName}" was asked for)`}`,
      {
        field: 'context',
        hint: 'Point -c/--kubeconfig or $KUBECONFIG at the file with your cluster (`kubectl config get-contexts` lists what it sees), or get one from your cluster provider (e.g. `gcloud container clusters get-credentials`, `aws eks update-kubeconfig`).',
      },
    );
  }
  if (contextName === undefined) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `no current-context is set in kubeconfig ${where}; pick one of: ${listNames(config.contexts.keys())}`,
      {
        field: 'context',
        hint: 'Pass a context with -x/--context, or set one with `kubectl config use-context NAME`.',
      },
    );
  }
  const ctx: ContextConfig | undefined = config.contexts.get(contextName);
  if (ctx === undefined) {
    throw new KubefwdError(
      'CONTEXT_NOT_FOUND',
      `context "${contextName}" not found in kubeconfig ${where}${didYouMean(contextName, [...config.contexts.keys()])}; available contexts: ${listNames(config.contexts.keys())}`,
      { field: 'context' },
    );
  }
  const clusterName = ctx.cluster ?? '';
  const cluster = config.clusters.get(clusterName);
  if (cluster === undefined) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      clusterName === ''
        ? `context "${contextName}" in kubeconfig ${where} names no cluster`
        : `context "${contextName}" refers to cluster "${clusterName}", which is not defined in kubeconfig ${where}`,
      { field: 'context' },
    );
  }
  if (!cluster.server) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `cluster "${clusterName}" (context "${contextName}") has no server URL in kubeconfig ${where}`,
      { field: 'context' },
    );
  }
  try {
    const u = new URL(cluster.server);
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      throw new Error(`unsupported scheme ${u.protocol}`);
  } catch (err) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `cluster "${clusterName}" has an invalid server URL "${cluster.server}" in kubeconfig ${where}`,
      { field: 'context', cause: err },
    );
  }
  let user: UserConfig = {};
  if (ctx.user) {
    const found = config.users.get(ctx.user);
    if (found === undefined) {
      throw new KubefwdError(
        'KUBECONFIG_INVALID',
        `context "${contextName}" refers to user "${ctx.user}", which is not defined in kubeconfig ${where}`,
        { field: 'context' },
      );
    }
    user = found;
  }
  return {
    name: contextName,
    namespace: ctx.namespace && ctx.namespace !== '' ? ctx.namespace : 'default',
    clusterName,
    cluster: { ...cluster, server: cluster.server },
    userName: ctx.user,
    user,
    source: config.contextSource.get(contextName),
  };
}
