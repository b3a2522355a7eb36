// How to reach one cluster's API server: shared by the REST client, the informers and the
// port-forward transports, so all of them authenticate and verify TLS the same way.
import type { ConnectionOptions } from 'node:tls';
import type { BufferPool } from '../wire/buffer-pool.js';

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
  /** HTTP(S) proxy from kubeconfig `proxy-url`, else from HTTPS_PROXY/HTTP_PROXY (minus NO_PROXY). */
  readonly proxyUrl?: string;
  /** Where proxyUrl came from, for messages: "proxy-url" (default) or the environment variable. */
  readonly proxySource?: string;
  /** Where the port-forward upgrades keep the server's TLS session for the next one (optional). */
  readonly tlsSessions?: TlsSessionCache;
  /** Frame buffers the connection's WebSockets share (wire/websocket newFramePool; optional). */
  readonly framePool?: BufferPool;
}

/**
 * TLS session resumption for the port-forward upgrades: every pod session is its own TLS
 * connection, and a resumed handshake skips verifying the server's certificate chain again (about
 * a third of a handshake's CPU; 2,000 of them at start with 2,000 services, issue 18). Node's own
 * https.Agent resumes the same way. Sessions are kept per set of TLS options (their secureContext),
 * so other credentials never resume a session made with these.
 */
export interface TlsSessionCache {
  get(tls: ConnectionOptions): Buffer | undefined;
  set(tls: ConnectionOptions, session: Buffer): void;
}
