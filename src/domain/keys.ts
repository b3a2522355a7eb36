// The keys of services, forwards and namespaces. Their text is kubefwd's wire format (REST paths,
// MCP arguments, SSE events), dots and all:
//
//   service    name.namespace.context          (headless per-pod entry: pod.name.namespace.context)
//   forward    <service key>.<pod>.<localPort>  (pod "-" while none is chosen)
//   namespace  namespace.context
//
// Service and namespace names are DNS labels and never contain a dot; pod names of headless
// services are labels too (they become host names). A context name may contain dots
// ("my.cluster.example"), so a key is read from both ends toward the context in the middle and never
// split on every dot. Build keys with the format functions and read them with parse: the brands
// keep a forward key from being passed where a service key is meant.

export type ServiceKey = string & { readonly __key: 'ServiceKey' };
export type ForwardKey = string & { readonly __key: 'ForwardKey' };
export type NamespaceKey = string & { readonly __key: 'NamespaceKey' };

export interface ServiceKeyParts {
  /** The Kubernetes Service's name. */
  service: string;
  namespace: string;
  context: string;
  /** Headless per-pod entries only. */
  pod?: string;
}

export interface ForwardKeyParts extends ServiceKeyParts {
  /** The forward's pod ("-" while none is chosen). */
  forwardPod: string;
  localPort: number;
}

export const formatServiceKey = (p: ServiceKeyParts): ServiceKey =>
  `${p.pod !== undefined ? `${p.pod}.` : ''}${p.service}.${p.namespace}.${p.context}` as ServiceKey;

export const formatForwardKey = (service: ServiceKey, pod: string, localPort: number | string): ForwardKey =>
  `${service}.${pod}.${localPort}` as ForwardKey;

export const formatNamespaceKey = (namespace: string, context: string): NamespaceKey =>
  `${namespace}.${context}` as NamespaceKey;

/** `headless` says the key names a per-pod entry (one more label in front). */
export const parseServiceKey = (key: string, headless = false): ServiceKeyParts | undefined => {
  const labels = headless ? 3 : 2;
  const parts = key.split('.', labels);
  if (parts.length < labels || parts.some((p) => p === '')) return undefined;
  const context = key.slice(parts.join('.').length + 1);
  if (context === '') return undefined;
  const [a, b, c] = parts as [string, string, string?];
  return headless ? { pod: a, service: b, namespace: c!, context } : { service: a, namespace: b, context };
};

/**
 * The forward's service name in a service key whose namespace and context are known (an event
 * carries them): `name`, or `pod.name` for a headless per-pod entry. Undefined when the key does
 * not end in them.
 */
export const serviceNameOf = (key: string, namespace: string, context: string): string | undefined => {
  const suffix = `.${namespace}.${context}`;
  return key.length > suffix.length && key.endsWith(suffix) ? key.slice(0, -suffix.length) : undefined;
};

/** True when `key` has the shape of a service key (`name.namespace.context`, context non-empty). */
export const isServiceKey = (key: string): key is ServiceKey => parseServiceKey(key) !== undefined;

export const parseForwardKey = (key: string, headless = false): ForwardKeyParts | undefined => {
  const port = key.lastIndexOf('.');
  const pod = port < 0 ? -1 : key.lastIndexOf('.', port - 1);
  if (pod < 0) return undefined;
  const localPort = Number(key.slice(port + 1));
  const forwardPod = key.slice(pod + 1, port);
  const service = parseServiceKey(key.slice(0, pod), headless);
  if (!service || forwardPod === '' || !/^\d+$/.test(key.slice(port + 1))) return undefined;
  return { ...service, forwardPod, localPort };
};

/** `namespace.context`, split at the first dot; no context (or an empty one) → `currentContext`. */
export const parseNamespaceKey = (
  key: string,
  currentContext = '',
): { namespace: string; context: string } | undefined => {
  const dot = key.indexOf('.');
  const namespace = dot === -1 ? key : key.slice(0, dot);
  const context = dot === -1 ? '' : key.slice(dot + 1);
  if (namespace === '') return undefined;
  return { namespace, context: context === '' ? currentContext : context };
};
