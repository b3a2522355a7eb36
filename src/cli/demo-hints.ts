// The demo's "try this" lines, made from the forwards that are up: each names a client Debian ships
// (curl, psql from postgresql-client, redis-cli from redis-tools) and a command the simulated pod
// answers. With --hosts-path the names are not in the system's resolver, so the lines use the IPs.
import type { ForwardView } from '../contract/state.js';
import { shellQuote } from '../domain/shell-quote.js';

/** The sample scenario's services a newcomer tries first, and how. */
const TRIES: Record<string, (host: string, port: string) => string> = {
  'api-gateway': (h, p) => `curl http://${h}:${p}/`,
  postgres: (h, p) => `psql -h ${h} -p ${p} -U postgres -c 'select * from products'`,
  redis: (h, p) => `redis-cli -h ${h} -p ${p} ping`,
};
export const DEMO_HINT_SERVICES: readonly string[] = Object.keys(TRIES);

/** One command per hinted service that has an Active forward, in the order of TRIES. */
export const demoHints = (forwards: readonly ForwardView[], byIP: boolean): string[] =>
  DEMO_HINT_SERVICES.flatMap((name) => {
    const f = forwards.find((x) => x.serviceName === name && x.status === 'Active');
    if (f === undefined) return [];
    const host = byIP ? f.localIP : (f.hostnames[0] ?? f.localIP);
    return [TRIES[name]!(host, f.localPort)];
  });

/**
 * The block printed once the hinted forwards are up; with the simulated cluster's kubeconfig, also
 * how to replace a pod (kubectl) and watch the forward follow it.
 */
export const demoHintText = (hints: readonly string[], byIP: boolean, kubeconfig?: string): string =>
  hints.length === 0
    ? ''
    : `\nTry${byIP ? ' (by IP: the names are only in the --hosts-path file)' : ''}:\n${hints.map((h) => `  ${h}\n`).join('')}\n` +
      (kubeconfig === undefined
        ? ''
        : `Replace a pod and watch the forward follow it (the same address keeps answering):\n  kubectl --kubeconfig ${shellQuote(kubeconfig)} -n shop delete pod -l app=api-gateway\n\n`);
