// Kubernetes matches an event's involvedObject.kind exactly ("Pod", not "pod"), and people and
// assistants type kinds in any case and as kubectl's short names: one spelling for the API server.

const KINDS = [
  'Pod',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'Node',
  'Namespace',
  'Ingress',
  'HorizontalPodAutoscaler',
  'ServiceAccount',
  'PodDisruptionBudget',
];

const BY_LOWER = new Map(KINDS.map((k) => [k.toLowerCase(), k]));
// kubectl's short names and plurals.
const ALIASES: Record<string, string> = {
  po: 'Pod',
  pods: 'Pod',
  svc: 'Service',
  services: 'Service',
  ep: 'Endpoints',
  deploy: 'Deployment',
  deployments: 'Deployment',
  rs: 'ReplicaSet',
  sts: 'StatefulSet',
  ds: 'DaemonSet',
  cj: 'CronJob',
  cm: 'ConfigMap',
  pvc: 'PersistentVolumeClaim',
  pv: 'PersistentVolume',
  no: 'Node',
  ns: 'Namespace',
  ing: 'Ingress',
  hpa: 'HorizontalPodAutoscaler',
  sa: 'ServiceAccount',
  pdb: 'PodDisruptionBudget',
};

/** The kind as the API server names it; a kind it does not know keeps its spelling, first letter upper-cased. */
export const canonicalKind = (kind: string): string => {
  const lower = kind.toLowerCase();
  return BY_LOWER.get(lower) ?? ALIASES[lower] ?? kind.charAt(0).toUpperCase() + kind.slice(1);
};
