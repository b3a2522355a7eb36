// One kubeconfig file's text → a KubeconfigFile. Relative file references are resolved against the
// file's own directory, as kubectl does, so merged configs from several directories keep working.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { yamlErrorText } from '../../domain/yaml-error.js';
import { KubefwdError } from '../../contract/errors.js';
import {
  kubeconfigFileSchema,
  type ClusterConfig,
  type ContextConfig,
  type KubeconfigFile,
  type UserConfig,
} from './schema.js';

const absolute = (dir: string, p: string | undefined): string | undefined =>
  p === undefined || p === '' || isAbsolute(p) ? p : resolve(dir, p);

export function resolveClusterPaths(dir: string, c: ClusterConfig): ClusterConfig {
  const out: ClusterConfig = { ...c };
  if (c['certificate-authority'] !== undefined)
    out['certificate-authority'] = absolute(dir, c['certificate-authority']);
  return out;
}

export function resolveUserPaths(dir: string, u: UserConfig): UserConfig {
  const out: UserConfig = { ...u };
  for (const key of ['client-certificate', 'client-key', 'tokenFile'] as const) {
    if (u[key] !== undefined) out[key] = absolute(dir, u[key]);
  }
  // A bare command name is looked up on PATH; only a command with a path separator is file-relative.
  if (u.exec && u.exec.command.includes('/'))
    out.exec = { ...u.exec, command: absolute(dir, u.exec.command)! };
  return out;
}

export function parseKubeconfig(text: string, path: string): KubeconfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `kubeconfig ${path} is not valid YAML: ${yamlErrorText(err)}`,
      {
        cause: err,
        field: path,
      },
    );
  }
  // An empty file is an empty config, as kubectl treats it.
  if (doc === null || doc === undefined) doc = {};
  const parsed = kubeconfigFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue
      ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
      : '';
    throw new KubefwdError(
      'KUBECONFIG_INVALID',
      `kubeconfig ${path} is malformed at ${at.replace(/^\./, '') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      { field: path },
    );
  }
  const dir = dirname(path);
  const data = parsed.data;
  const clusters = new Map<string, ClusterConfig>();
  const users = new Map<string, UserConfig>();
  const contexts = new Map<string, ContextConfig>();
  // Within one file a later entry with the same name replaces an earlier one (client-go's conversion).
  for (const c of data.clusters ?? []) clusters.set(c.name, resolveClusterPaths(dir, c.cluster ?? {}));
  for (const u of data.users ?? []) users.set(u.name, resolveUserPaths(dir, u.user ?? {}));
  for (const c of data.contexts ?? []) contexts.set(c.name, c.context ?? {});
  const current = data['current-context'];
  return { path, clusters, users, contexts, currentContext: current ? current : undefined };
}
