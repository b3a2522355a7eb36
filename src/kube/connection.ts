// How to reach one cluster's API server: shared by the REST client, the informers and the
// port-forward transports, so all of them authenticate and verify TLS the same way.
import type { ConnectionOptions } from 'node:tls';

export type AuthHeaders = Record<string, string | string[]>;

export interface ClusterConnection {
  /** The kubeconfig context this connection belongs to. */
  readonly contextName: string;
  /** API server base URL, e.g. "https://127.0.0.1:6443" (may carry a path prefix). */
  readonly server: string;
  /** CA, client certificate/key, rejectUnauthorized (insecure-skip-tls-verify), servername (tls-server-name). */
  tlsOptions(): Promise<ConnectionOptions>;
  /**
   * Authorization and impersonation headers; refreshed when credentials expire (exec plugins, OIDC).
   * A list value is sent as that many header lines (one Impersonate-Group per group).
   */
  authHeaders(): Promise<AuthHeaders>;
  /** HTTP(S) proxy from kubeconfig `proxy-url`, if any. */
  readonly proxyUrl?: string;
}
