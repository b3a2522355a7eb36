// Authentication (bearer token or a client certificate signed by the sim CA) and a tiny
// authorizer: everything is allowed except what a test denied with denyPermission().
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';

export interface Denial {
  verb: string;
  resource: string;
  namespace?: string;
}

export const SIM_USER = 'sim-admin';

export function authenticated(req: http.IncomingMessage, token: string): boolean {
  const h = req.headers.authorization;
  if (h !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    if (!m) return false;
    const a = Buffer.from(m[1]!);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
  const sock = req.socket as TLSSocket;
  // requestCert with rejectUnauthorized=false: `authorized` says the client cert chains to our CA.
  return sock.authorized === true && sock.getPeerCertificate?.()?.subject !== undefined;
}

export class Authorizer {
  private readonly denials: Denial[] = [];
  /** SelfSubjectAccessReviews answered so far (tests count a client's preflight with it). */
  reviews = 0;

  deny(d: Denial): void {
    this.denials.push({ ...d });
  }

  clear(): void {
    this.denials.length = 0;
  }

  /** `resource` may carry a subresource ("pods/portforward"). */
  allowed(verb: string, resource: string, namespace: string | undefined): boolean {
    return !this.denials.some(
      (d) =>
        (d.verb === '*' || d.verb === verb) &&
        (d.resource === '*' || d.resource === resource) &&
        (d.namespace === undefined || d.namespace === namespace),
    );
  }

  forbiddenMessage(
    verb: string,
    resource: string,
    group: string,
    namespace: string | undefined,
    name?: string,
  ): string {
    const [res, sub] = resource.split('/');
    const what = sub ? `resource "${res}/${sub}"` : `resource "${res}"`;
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    return `${res}${name ? ` "${name}"` : ''} is forbidden: User "${SIM_USER}" cannot ${verb} ${what} in API group "${group}"${scope}`;
  }
}
