// Kubernetes name rules (RFC 1123), written once for every layer that checks a name it was given:
// namespaces and services are DNS labels (at most 63 characters), pods and most other objects DNS
// subdomains (dot-separated labels, at most 253). The CLI, the REST routes, the MCP tool inputs and
// the simulated API server's admission all use these, so one name is never valid in one and not in
// another.

export const DNS_LABEL_MAX = 63;
export const DNS_SUBDOMAIN_MAX = 253;

/** One DNS label: lower-case letters, digits and '-', starting and ending alphanumeric (length checked apart). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Dot-separated DNS labels (length checked apart). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const isDnsLabel = (name: string): boolean => name.length <= DNS_LABEL_MAX && DNS_LABEL.test(name);

export const isDnsSubdomain = (name: string): boolean =>
  name.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(name);

/** Namespace and Service names are labels; every other object name is a subdomain. */
export const isObjectName = (kind: string, name: string): boolean =>
  kind === 'Namespace' || kind === 'Service' ? isDnsLabel(name) : isDnsSubdomain(name);
