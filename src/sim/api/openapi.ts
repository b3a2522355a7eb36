// A minimal OpenAPI v3 surface: enough for kubectl to see that the server validates fields itself
// (`fieldValidation` on each resource's POST/PUT/PATCH operations), so `kubectl create -f` and
// `kubectl apply -f` send ordinary manifests without downloading full schemas.
import { RESOURCES, groupVersion } from './resources.js';

const gvPath = (group: string, version: string): string =>
  group === '' ? `api/${version}` : `apis/${group}/${version}`;

const HASH = 'sim0000000000000001';

export function openApiRoot(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of RESOURCES) {
    const p = gvPath(r.group, r.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${HASH}` };
  }
  return { paths };
}

const params = ['fieldValidation', 'fieldManager', 'dryRun', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

export function openApiGroupVersion(path: string): object | undefined {
  const rs = RESOURCES.filter((r) => gvPath(r.group, r.version) === path);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of rs) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const base = `/${gvPath(r.group, r.version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.name}`;
    const op = (action: string): unknown => ({
      operationId: `${action}${r.kind}`,
      parameters: params,
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    paths[base] = { post: op('post') };
    paths[`${base}/{name}`] = { put: op('put'), patch: op('patch') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (simulated)', version: 'v1.32.4-sim' },
    paths,
    components: { schemas: {} },
    'x-sim-group-version': rs[0] ? groupVersion(rs[0]) : '',
  };
}
