// kubectl's merge of several kubeconfig files ($KUBECONFIG list): the first file to define a
// cluster, user or context name wins, entries are never merged field by field, and the first file
// that sets current-context wins. (client-node's own merge throws on duplicates instead.)
import type { KubeconfigFile, MergedKubeconfig } from './schema.js';

export function mergeKubeconfigs(files: readonly KubeconfigFile[]): MergedKubeconfig {
  const merged: MergedKubeconfig = {
    files: files.map((f) => f.path),
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    currentContext: undefined,
    contextSource: new Map(),
  };
  for (const file of files) {
    for (const [name, value] of file.clusters)
      if (!merged.clusters.has(name)) merged.clusters.set(name, value);
    for (const [name, value] of file.users) if (!merged.users.has(name)) merged.users.set(name, value);
    for (const [name, value] of file.contexts) {
      if (merged.contexts.has(name)) continue;
      merged.contexts.set(name, value);
      merged.contextSource.set(name, file.path);
    }
    if (merged.currentContext === undefined && file.currentContext)
      merged.currentContext = file.currentContext;
  }
  return merged;
}
