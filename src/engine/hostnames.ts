// The hostnames kubefwd writes for one forward, in kubefwd's exact order: each
// name is followed by its "sanitised twin" (every character outside [a-zA-Z0-9-] → '-', trimmed)
// when that differs. Lower-cased, as kubefwd's hosts library stores them.

export interface HostnameInput {
  /** The forward's service name: the service, or `<pod>.<service>` for headless per-pod forwards. */
  name: string;
  namespace: string;
  context: string;
  /** Order in which the context was first used (0 = first). */
  clusterIndex: number;
  /** Order in which the namespace was first used within that context (0 = first). */
  namespaceIndex: number;
  /** -d / --domain; empty or undefined for none. */
  domain?: string | undefined;
}

/** Every character outside [a-zA-Z0-9-] becomes '-', leading/trailing '-' trimmed. */
export const sanitiseHostname = (host: string): string =>
  host.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^-+|-+$/g, '');

/** The names of kubefwd's table, before twins and de-duplication. */
export const baseHostnames = (input: HostnameInput): string[] => {
  const { name: s, namespace: n, context: c, clusterIndex, namespaceIndex } = input;
  const d = input.domain ?? '';
  const out: string[] = [];
  if (clusterIndex === 0 && namespaceIndex === 0) {
    out.push(s);
    if (d) out.push(`${s}.${d}`);
  }
  if (clusterIndex > 0 && namespaceIndex === 0) out.push(`${s}.${c}`);
  if (clusterIndex === 0) {
    out.push(`${s}.${n}`, `${s}.${n}.svc`, `${s}.${n}.svc.cluster.local`);
    if (d) out.push(`${s}.${n}.svc.cluster.${d}`);
  }
  out.push(`${s}.${n}.${c}`, `${s}.${n}.svc.${c}`, `${s}.${n}.svc.cluster.${c}`);
  return out;
};

/** The full ordered, de-duplicated, lower-cased hostname list of one forward. */
export const hostnamesFor = (input: HostnameInput): string[] => {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (h: string): void => {
    const lower = h.toLowerCase();
    if (lower === '' || seen.has(lower)) return;
    seen.add(lower);
    out.push(lower);
  };
  for (const host of baseHostnames(input)) {
    add(host);
    const twin = sanitiseHostname(host);
    if (twin !== host) add(twin);
  }
  return out;
};
