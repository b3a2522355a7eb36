// The resource types the simulated API server serves, with the discovery facts kubectl needs
// (kind, short names, verbs) and the field selectors each supports.

export interface ResourceType {
  /** Plural resource name as in URLs ("pods"). */
  name: string;
  singular: string;
  kind: string;
  /** "" for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Field selectors beyond metadata.name / metadata.namespace. */
  fields?: string[];
  /** Served but not storable (reviews): only `create` answered by the server. */
  virtual?: boolean;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: readonly ResourceType[] = [
  {
    name: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fields: ['status.phase'],
  },
  {
    name: 'pods',
    singular: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    verbs: RW,
    fields: [
      'status.phase',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  },
  {
    name: 'services',
    singular: 'service',
    kind: 'Service',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: RW,
    fields: ['spec.clusterIP', 'spec.type'],
  },
  {
    name: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['ep'],
    verbs: RW,
  },
  {
    name: 'events',
    singular: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['ev'],
    verbs: RW,
    fields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  },
  {
    name: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['cm'],
    verbs: RW,
  },
  {
    name: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: RW,
    fields: ['type'],
  },
  {
    name: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['sa'],
    verbs: RW,
  },
  {
    name: 'nodes',
    singular: 'node',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    shortNames: ['no'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    name: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: RW,
  },
  {
    name: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    verbs: RW,
  },
  {
    name: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    verbs: RW,
  },
  {
    name: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    namespaced: true,
    verbs: RW,
  },
  {
    name: 'selfsubjectreviews',
    singular: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    group: 'authentication.k8s.io',
    version: 'v1',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  },
  {
    name: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    group: 'authorization.k8s.io',
    version: 'v1',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  },
];

/** The subresources listed in discovery (served by the API server itself). */
export const SUBRESOURCES: readonly { name: string; kind: string; verbs: string[] }[] = [
  { name: 'pods/log', kind: 'Pod', verbs: ['get'] },
  { name: 'pods/portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'pods/status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
];

/** Subresources of the apps group (the scale subresource, for `kubectl scale`). */
export const APPS_SUBRESOURCES: readonly {
  name: string;
  kind: string;
  verbs: string[];
  group: string;
  version: string;
}[] = ['deployments', 'statefulsets', 'replicasets'].map((r) => ({
  name: `${r}/scale`,
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
  group: 'autoscaling',
  version: 'v1',
}));

export const groupVersion = (r: Pick<ResourceType, 'group' | 'version'>): string =>
  r.group === '' ? r.version : `${r.group}/${r.version}`;

export const resourceByName = (group: string, version: string, name: string): ResourceType | undefined =>
  RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);

export const resourceByKind = (apiVersion: string, kind: string): ResourceType | undefined =>
  RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind) ??
  // Be lenient about apiVersion (e.g. extensions/v1beta1 manifests): the kind decides.
  RESOURCES.find((r) => r.kind === kind);

export const supportedFields = (r: ResourceType): string[] => [
  'metadata.name',
  ...(r.namespaced ? ['metadata.namespace'] : []),
  ...(r.fields ?? []),
];
