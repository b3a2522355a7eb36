// The kubeconfig file format (v1 Config), as far as kubefwd reads it. Unknown fields are kept
// (loose objects) because kubeconfigs carry extensions and fields of newer kubectl versions.
import { z } from 'zod';

export const execConfigSchema = z.looseObject({
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string().optional(),
  installHint: z.string().optional(),
  provideClusterInfo: z.boolean().optional(),
  interactiveMode: z.string().optional(),
});

export const clusterSchema = z.looseObject({
  server: z.string().optional(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
  extensions: z.array(z.unknown()).nullish(),
});

export const userSchema = z.looseObject({
  token: z.string().optional(),
  // client-go's api/v1 AuthInfo spells this one key in camelCase (every other key is kebab-case);
  // kubectl ignores "token-file", so kubefwd does too.
  tokenFile: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  as: z.string().optional(),
  'as-uid': z.string().optional(),
  'as-groups': z.array(z.string()).nullish(),
  'as-user-extra': z.record(z.string(), z.array(z.string())).nullish(),
  exec: execConfigSchema.nullish(),
  'auth-provider': z
    .looseObject({ name: z.string(), config: z.record(z.string(), z.string()).nullish() })
    .nullish(),
});

export const contextSchema = z.looseObject({
  cluster: z.string().optional(),
  user: z.string().optional(),
  namespace: z.string().optional(),
});

export const kubeconfigFileSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  clusters: z.array(z.looseObject({ name: z.string().min(1), cluster: clusterSchema.nullish() })).nullish(),
  users: z.array(z.looseObject({ name: z.string().min(1), user: userSchema.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name: z.string().min(1), context: contextSchema.nullish() })).nullish(),
  'current-context': z.string().nullish(),
  preferences: z.unknown().optional(),
});

export type ExecConfig = z.infer<typeof execConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type UserConfig = z.infer<typeof userSchema>;
export type ContextConfig = z.infer<typeof contextSchema>;

/** One kubeconfig file, parsed, with relative paths already made absolute against its directory. */
export interface KubeconfigFile {
  path: string;
  clusters: Map<string, ClusterConfig>;
  users: Map<string, UserConfig>;
  contexts: Map<string, ContextConfig>;
  currentContext: string | undefined;
}

/** The merged view over all files, by kubectl's rules. `source*` say which file each entry came from. */
export interface MergedKubeconfig {
  files: string[];
  clusters: Map<string, ClusterConfig>;
  users: Map<string, UserConfig>;
  contexts: Map<string, ContextConfig>;
  currentContext: string | undefined;
  /** name → file the winning entry came from (for error messages). */
  contextSource: Map<string, string>;
}
