// A kubeconfig for tests: one cluster at `server` (TLS not verified), one token user, and one
// context per name (the first is current).
export const testKubeconfig = (
  server: string,
  contexts: readonly string[] = ['sim'],
): string => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: abc
contexts:
${contexts.map((c) => `- name: ${c}\n  context:\n    cluster: c\n    user: u\n`).join('')}current-context: ${contexts[0] ?? ''}
`;

/** A kubeconfig (JSON) for a simulated cluster: its server and CA, one context "ctx" with `user`. */
export const simUserKubeconfig = (server: string, caCert: string, user: Record<string, unknown>): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') },
      },
    ],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
