// The kubeconfig a simulated cluster writes: the sim CA as certificate-authority-data, a bearer
// token user, one context (current). A second form authenticates with the client certificate.
import { stringify } from 'yaml';
import { CA_CERT, CLIENT_CERT, CLIENT_KEY } from './tls.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function renderKubeconfig(o: {
  server: string;
  contextName: string;
  token?: string;
  clientCert?: boolean;
  namespace?: string;
}): string {
  const user = o.clientCert
    ? { 'client-certificate-data': b64(CLIENT_CERT), 'client-key-data': b64(CLIENT_KEY) }
    : { token: o.token ?? '' };
  const userName = `${o.contextName}-${o.clientCert ? 'cert' : 'admin'}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      { name: o.contextName, cluster: { server: o.server, 'certificate-authority-data': b64(CA_CERT) } },
    ],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: o.contextName,
        context: { cluster: o.contextName, user: userName, namespace: o.namespace ?? 'default' },
      },
    ],
    'current-context': o.contextName,
  });
}
