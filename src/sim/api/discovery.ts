// Discovery documents (/version, /api, /apis, resource lists) in the legacy (unaggregated) form;
// kubectl accepts it after asking for aggregated discovery first.
import { APPS_SUBRESOURCES, RESOURCES, SUBRESOURCES, groupVersion } from './resources.js';

export const SIM_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const apiVersions = (serverAddress: string): unknown => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
});

const groups = (): string[] => [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))];

const apiGroup = (name: string): unknown => {
  const v = RESOURCES.find((r) => r.group === name)!.version;
  const gv = { groupVersion: `${name}/${v}`, version: v };
  return { name, versions: [gv], preferredVersion: gv };
};

export const apiGroupList = (): unknown => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: groups().map(apiGroup),
});

export const apiGroupDoc = (name: string): object | undefined =>
  groups().includes(name) ? { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(name) as object) } : undefined;

export const resourceList = (group: string, version: string): object | undefined => {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: unknown[] = rs.map((r) => ({
    name: r.name,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
  }));
  if (group === 'apps')
    for (const s of APPS_SUBRESOURCES)
      resources.push({
        name: s.name,
        singularName: '',
        namespaced: true,
        group: s.group,
        version: s.version,
        kind: s.kind,
        verbs: s.verbs,
      });
  if (group === '')
    for (const s of SUBRESOURCES)
      resources.push({ name: s.name, singularName: '', namespaced: true, kind: s.kind, verbs: s.verbs });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources,
  };
};
