// Loopback IP allocation: 127.[b2+ctx].[b3+ns].[b4+k] as kubefwd, but keyed by
// context/namespace/forward-name — never by pod — so a pod restart never changes an address.
//
// "Same IP next run": the namespace and context indexes follow the order of first use (the order
// of -x and -n on the command line), and the engine registers a namespace's services in sorted
// name order at its initial sync, so an unchanged cluster with the same command line gets the same
// addresses. A service that appears later takes the lowest free address of its block; a service
// removed and re-added within one run gets its previous address back when it is still free.
// Reservations (-r, -z) win; 127.2.27.1 (the API's address) is never handed out.
import { KubefwdError } from '../contract/errors.js';
import { formatIPv4, parseIPv4 } from '../domain/ipv4.js';
import { DEFAULT_BASE_IP, type Reservation } from '../domain/reservations.js';

export interface AllocationRequest {
  context: string;
  namespace: string;
  /** The forward's service name: the service, or `<pod>.<service>` for headless per-pod forwards. */
  name: string;
  /** Only for headless per-pod forwards: the pod's name (it joins the reservation candidates). */
  podName?: string | undefined;
  clusterIndex: number;
  namespaceIndex: number;
}

export interface Allocation {
  ip: string;
  /** The reservation that gave this address, if any. */
  reservation?: string;
  /** Something worth a warning (e.g. a reserved address already taken). */
  warning?: string;
}

export interface IpAllocator {
  allocate(req: AllocationRequest): Allocation;
  release(req: Pick<AllocationRequest, 'context' | 'namespace' | 'name'>): void;
  /**
   * Moves `req` off the address it holds, which turned out to be taken there. `address`: all of it
   * is (another kubefwd's claim), so it is never handed out again in this run. `port`: only one of
   * the forward's ports is (another program at that address:port), so the address goes back to the
   * pool for other forwards and only this key does not get it again while it holds an address.
   * Returns the new address; throws IP_EXHAUSTED, keeping the current one, when no other is free.
   */
  relocate(req: AllocationRequest, taken: 'address' | 'port'): string;
  /** The address currently held by a key, if any. */
  lookup(req: Pick<AllocationRequest, 'context' | 'namespace' | 'name'>): string | undefined;
  allocated(): Map<string, string>;
}

export interface IpAllocatorOptions {
  baseIP?: string;
  reservations?: readonly Reservation[];
  /** Addresses never handed out; default the API's 127.2.27.1. */
  forbidden?: readonly string[];
}

export const API_RESERVED_IP = '127.2.27.1';

export const allocationKey = (r: Pick<AllocationRequest, 'context' | 'namespace' | 'name'>): string =>
  `${r.context}/${r.namespace}/${r.name}`;

// kubefwd's candidate-name table, written out form by form.
/** kubefwd's reservation candidate names; pod forms only when a pod name is given. */
export const reservationCandidates = (r: AllocationRequest): string[] => {
  const { name: svc, namespace: ns, context: ctx, podName: pod } = r;
  const c = r.clusterIndex;
  const n = r.namespaceIndex;
  let list: string[];
  if (c === 0 && n === 0)
    list = [
      'pod',
      'svc',
      'svc.svc',
      'pod.svc',
      'pod.ctx',
      'svc.ctx',
      'pod.ns',
      'pod.ns.svc',
      'pod.ns.svc.cluster.local',
      'svc.ns',
      'svc.ns.svc',
      'svc.ns.svc.cluster.local',
      'pod.svc.ns',
      'pod.svc.ns.svc',
      'pod.svc.ns.svc.cluster.local',
      'pod.svc.ctx',
      'pod.ns.ctx',
      'pod.ns.svc.ctx',
      'pod.ns.svc.cluster.ctx',
      'svc.ns.ctx',
      'svc.ns.svc.ctx',
      'svc.ns.svc.cluster.ctx',
      'pod.svc.ns.ctx',
      'pod.svc.ns.svc.ctx',
      'pod.svc.ns.svc.cluster.ctx',
    ];
  else if (c > 0 && n === 0)
    list = [
      'pod.ctx',
      'pod.svc.ctx',
      'svc.ctx',
      'svc.ns.ctx',
      'svc.ns.svc.ctx',
      'svc.ns.svc.cluster.ctx',
      'pod.ns.ctx',
      'pod.ns.svc.ctx',
      'pod.ns.svc.cluster.ctx',
      'pod.svc.ns.ctx',
      'pod.svc.ns.svc.ctx',
      'pod.svc.ns.svc.cluster.ctx',
    ];
  else if (c === 0)
    list = [
      'pod.ns',
      'pod.ns.svc',
      'svc.ns',
      'svc.ns.svc',
      'svc.ns.svc.cluster.local',
      'pod.svc.ns',
      'pod.svc.ns.svc',
      'pod.svc.ns.svc.cluster.local',
      'pod.ns.ctx',
      'pod.ns.svc.ctx',
      'pod.ns.svc.cluster.ctx',
      'svc.ns.ctx',
      'svc.ns.svc.ctx',
      'svc.ns.svc.cluster.ctx',
      'pod.svc.ns.ctx',
      'pod.svc.ns.svc.ctx',
      'pod.svc.ns.svc.cluster.ctx',
    ];
  else
    list = [
      'pod.ns.ctx',
      'pod.ns.svc.ctx',
      'pod.ns.svc.cluster.ctx',
      'svc.ns.ctx',
      'svc.ns.svc.ctx',
      'svc.ns.svc.cluster.ctx',
      'pod.svc.ns.ctx',
      'pod.svc.ns.svc.ctx',
      'pod.svc.ns.svc.cluster.ctx',
    ];
  const out: string[] = [];
  for (const pattern of list) {
    const parts = pattern.split('.');
    // 'svc.svc' is kubefwd's literal ".svc" suffix form; elsewhere 'svc' in 2nd+ position after ns is literal too.
    if (parts.includes('pod') && pod === undefined) continue;
    const words: string[] = [];
    let seenNs = false;
    parts.forEach((p, i) => {
      if (p === 'pod') words.push(pod ?? '');
      else if (p === 'ns') {
        seenNs = true;
        words.push(ns);
      } else if (p === 'ctx') words.push(ctx);
      else if (p === 'svc') words.push(seenNs || (i > 0 && parts[i - 1] === 'svc') ? 'svc' : svc);
      else words.push(p);
    });
    out.push(words.join('.'));
  }
  return [...new Set(out)];
};

export const createIpAllocator = (options: IpAllocatorOptions = {}): IpAllocator => {
  const baseText = options.baseIP ?? DEFAULT_BASE_IP;
  const base = parseIPv4(baseText);
  if (!base || base[0] !== 127)
    throw new KubefwdError('INVALID_INPUT', `base IP ${baseText} is not in the range 127.0.0.0/8`, {
      field: '--fwd-conf',
    });
  const reservations = [...(options.reservations ?? [])];
  const reservedIPs = new Set(reservations.map((r) => r.ip));
  const forbidden = new Set(options.forbidden ?? [API_RESERVED_IP]);
  const byKey = new Map<string, string>();
  const byIP = new Map<string, string>();
  /** Addresses of released keys, preferred when the same key comes back in this run. */
  const remembered = new Map<string, string>();
  /** Addresses another kubefwd holds (relocate(…, 'address')): for no key. */
  const avoided = new Set<string>();
  /** Per key, the addresses it left because one of its ports was taken there (relocate(…, 'port')). */
  const leftBy = new Map<string, Set<string>>();

  /**
   * Per address block (cluster, namespace): no k below it is free, so a scan starts there instead
   * of at 0 (a block of n services cost n²/2 probes, each a formatted address: 2,000 services over
   * 20 namespaces made 100,000 strings, issue 18). Only unassign() frees an address: it lowers it.
   */
  const scanFrom = new Map<string, number>();
  const blockOf = (req: Pick<AllocationRequest, 'clusterIndex' | 'namespaceIndex'>): string =>
    `${req.clusterIndex}/${req.namespaceIndex}`;

  const take = (key: string, ip: string): string => {
    byKey.set(key, ip);
    byIP.set(ip, key);
    remembered.set(key, ip);
    return ip;
  };

  const blockAddress = (req: AllocationRequest, k: number): string | undefined => {
    const o2 = base[1] + req.clusterIndex;
    const o3 = base[2] + req.namespaceIndex;
    const o4 = base[3] + k;
    if (o2 > 255 || o3 > 255 || o4 > 255) return undefined;
    return formatIPv4([127, o2, o3, o4]);
  };

  const exhausted = (req: AllocationRequest): KubefwdError =>
    new KubefwdError(
      'IP_EXHAUSTED',
      `no free IP left for ${req.name}.${req.namespace} (context ${req.context}): cluster, namespace or service count exceeds 255 from base ${baseText}`,
    );

  /** Free for any key: not held, reserved, forbidden or another kubefwd's. */
  const free = (ip: string): boolean =>
    !byIP.has(ip) && !reservedIPs.has(ip) && !forbidden.has(ip) && !avoided.has(ip);

  /** The lowest address of `req`'s block free for it (`usable`), at or above the block's scan start. */
  const scan = (req: AllocationRequest, usable: (ip: string) => boolean = free): string => {
    const block = blockOf(req);
    let lowestOpen: number | undefined;
    for (let k = scanFrom.get(block) ?? 0; ; k++) {
      const ip = blockAddress(req, k);
      if (ip === undefined) throw exhausted(req);
      // An address free for others but not for this key stays below the next scan's start.
      if (lowestOpen === undefined && free(ip)) lowestOpen = k;
      if (usable(ip)) {
        scanFrom.set(block, lowestOpen ?? k);
        return ip;
      }
    }
  };

  /** `key` lets go of its address: free again, and its block's scan starts low enough to see it. */
  const unassign = (key: string): void => {
    const ip = byKey.get(key);
    if (ip === undefined) return;
    byKey.delete(key);
    byIP.delete(ip);
    // The address may be any block's (a remembered or reserved one): lower that block's scan start.
    const o = parseIPv4(ip);
    if (o === undefined) return;
    const k = o[3] - base[3];
    const block = `${o[1] - base[1]}/${o[2] - base[2]}`;
    const from = scanFrom.get(block);
    if (from !== undefined && k >= 0 && k < from) scanFrom.set(block, k);
  };

  return {
    allocate(req) {
      const key = allocationKey(req);
      const held = byKey.get(key);
      if (held !== undefined) return { ip: held };
      let warning: string | undefined;
      const candidates = reservations.length > 0 ? new Set(reservationCandidates(req)) : undefined;
      const reservation = reservations.find((r) => candidates?.has(r.name));
      if (reservation) {
        const owner = byIP.get(reservation.ip);
        if (owner === undefined) return { ip: take(key, reservation.ip), reservation: reservation.name };
        warning = `reserved IP ${reservation.ip} (${reservation.name}) for ${req.name}.${req.namespace} is already used by ${owner}; allocating the next free address`;
      }
      const prior = remembered.get(key);
      const ip = prior !== undefined && free(prior) ? prior : scan(req);
      return { ip: take(key, ip), ...(warning ? { warning } : {}) };
    },
    release(req) {
      const key = allocationKey(req);
      // A forward that comes back may find its old address usable again (the clash may be over).
      leftBy.delete(key);
      unassign(key);
    },
    relocate(req, taken) {
      const key = allocationKey(req);
      const from = byKey.get(key);
      const left = leftBy.get(key) ?? new Set<string>();
      // Found before anything changes: with none free the forward keeps the address it has.
      const to = scan(req, (ip) => free(ip) && !left.has(ip) && ip !== from);
      if (from !== undefined) {
        unassign(key);
        if (taken === 'address') avoided.add(from);
        else leftBy.set(key, left.add(from));
      }
      return take(key, to);
    },
    lookup: (req) => byKey.get(allocationKey(req)),
    allocated: () => new Map(byKey),
  };
};
