// Generated workloads for the load test and the engine bench: N services spread over M namespaces,
// each a plain Pod with a byte-exact echo backend and a ClusterIP Service in front of it.

export const LOAD_PORT = 7000;

/** One Pod (echo backend) and its Service per entry, spread round-robin over the namespaces. */
export const loadManifests = (services: number, namespaces: number): string => {
  const docs: string[] = [];
  for (let n = 0; n < namespaces; n++)
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: { name: ns${n} }`);
  for (let i = 0; i < services; i++) {
    const ns = `ns${i % namespaces}`;
    const name = `svc-${i}`;
    docs.push(`apiVersion: v1
kind: Pod
metadata:
  name: ${name}-pod
  namespace: ${ns}
  labels: { app: ${name} }
  annotations: { kubefwd.sim/backend: echo }
spec:
  containers:
    - name: echo
      image: echo:1
      ports: [{ name: echo, containerPort: ${LOAD_PORT} }]`);
    docs.push(`apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { app: ${name} }
  ports: [{ name: echo, port: ${LOAD_PORT}, targetPort: ${LOAD_PORT}, protocol: TCP }]`);
  }
  return docs.join('\n---\n');
};

/** `ns0,ns1,…` for -n. */
export const loadNamespaces = (namespaces: number): string[] =>
  Array.from({ length: namespaces }, (_, n) => `ns${n}`);
