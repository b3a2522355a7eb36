// Selectors over a snapshot: filter (status, namespace, context), case-insensitive search, sort and
// paging. Pure; the API's list routes and the TUI use them (TUI view state stays in the TUI).
import type { ForwardView, ServiceView } from '../contract/state.js';

export interface ListFilter {
  status?: string;
  namespace?: string;
  context?: string;
  search?: string;
}

export interface Page {
  limit?: number;
  offset?: number;
}

export type ForwardSort =
  'hostname' | 'namespace' | 'service' | 'status' | 'rateIn' | 'rateOut' | 'bytesIn' | 'bytesOut';
export type ServiceSort =
  'key' | 'namespace' | 'service' | 'status' | 'rateIn' | 'rateOut' | 'bytesIn' | 'bytesOut';

const has = (hay: string, needle: string): boolean => hay.toLowerCase().includes(needle);

export const filterServices = (services: readonly ServiceView[], f: ListFilter): ServiceView[] => {
  const status = f.status?.toLowerCase();
  const search = f.search?.toLowerCase();
  return services.filter(
    (s) =>
      (!status || status === 'all' || s.status === status) &&
      (!f.namespace || s.namespace === f.namespace) &&
      (!f.context || s.context === f.context) &&
      (!search ||
        has(s.serviceName, search) ||
        has(s.namespace, search) ||
        has(s.context, search) ||
        has(s.key, search)),
  );
};

export const filterForwards = (forwards: readonly ForwardView[], f: ListFilter): ForwardView[] => {
  const status = f.status?.toLowerCase();
  const search = f.search?.toLowerCase();
  return forwards.filter(
    (x) =>
      (!status || status === 'all' || x.status.toLowerCase() === status) &&
      (!f.namespace || x.namespace === f.namespace) &&
      (!f.context || x.context === f.context) &&
      (!search ||
        has(x.serviceName, search) ||
        has(x.podName, search) ||
        has(x.namespace, search) ||
        has(x.context, search) ||
        x.hostnames.some((h) => has(h, search))),
  );
};

const num = (a: number, b: number) => a - b;
const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Default: kubefwd's hostname ascending, tie-broken by local port. Rates/bytes sort descending. */
export const sortForwards = (
  forwards: readonly ForwardView[],
  by: ForwardSort = 'hostname',
): ForwardView[] => {
  const host = (f: ForwardView) => f.hostnames[0] ?? f.serviceName;
  const cmp: Record<ForwardSort, (a: ForwardView, b: ForwardView) => number> = {
    hostname: (a, b) => str(host(a), host(b)) || num(Number(a.localPort), Number(b.localPort)),
    namespace: (a, b) => str(a.namespace, b.namespace) || str(host(a), host(b)),
    service: (a, b) => str(a.serviceName, b.serviceName) || num(Number(a.localPort), Number(b.localPort)),
    status: (a, b) => str(a.status, b.status) || str(host(a), host(b)),
    rateIn: (a, b) => num(b.rateIn, a.rateIn) || str(host(a), host(b)),
    rateOut: (a, b) => num(b.rateOut, a.rateOut) || str(host(a), host(b)),
    bytesIn: (a, b) => num(b.bytesIn, a.bytesIn) || str(host(a), host(b)),
    bytesOut: (a, b) => num(b.bytesOut, a.bytesOut) || str(host(a), host(b)),
  };
  return [...forwards].sort(cmp[by]);
};

export const sortServices = (services: readonly ServiceView[], by: ServiceSort = 'key'): ServiceView[] => {
  const cmp: Record<ServiceSort, (a: ServiceView, b: ServiceView) => number> = {
    key: (a, b) => str(a.key, b.key),
    namespace: (a, b) => str(a.namespace, b.namespace) || str(a.key, b.key),
    service: (a, b) => str(a.serviceName, b.serviceName) || str(a.key, b.key),
    status: (a, b) => str(a.status, b.status) || str(a.key, b.key),
    rateIn: (a, b) => num(b.rateIn, a.rateIn) || str(a.key, b.key),
    rateOut: (a, b) => num(b.rateOut, a.rateOut) || str(a.key, b.key),
    bytesIn: (a, b) => num(b.totalBytesIn, a.totalBytesIn) || str(a.key, b.key),
    bytesOut: (a, b) => num(b.totalBytesOut, a.totalBytesOut) || str(a.key, b.key),
  };
  return [...services].sort(cmp[by]);
};

export const paginate = <T>(items: readonly T[], page: Page): T[] => {
  const offset = Math.max(0, page.offset ?? 0);
  const limit = Math.max(1, page.limit ?? 100);
  return items.slice(offset, offset + limit);
};
