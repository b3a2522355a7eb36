// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): what makes
// `kubectl get` show real columns instead of NAME/AGE.
import type { KObj } from './store.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
  description?: string;
}

export const wantsTable = (accept: string | undefined): boolean =>
  accept !== undefined && /as=Table/.test(accept);

/** Kubernetes' HumanDuration (short form). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age = (o: KObj, now: number): string =>
  o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>';

type Printer = { columns: Column[]; cells: (o: KObj, now: number) => unknown[] };

const name: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
};
const ageCol: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp' };

interface PodStatusish {
  phase?: string;
  podIP?: string;
  containerStatuses?: { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string } } }[];
}

interface Templated {
  selector?: { matchLabels?: Record<string, string> };
  template?: { spec?: { containers?: { name?: string; image?: string }[] } };
}

/** The wide columns of a workload: its containers, their images, (optionally) its selector. */
const workloadWide = (o: KObj, withSelector: boolean): string[] => {
  const spec = (o.spec ?? {}) as Templated;
  const cs = spec.template?.spec?.containers ?? [];
  const sel = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return [
    cs.map((c) => c.name ?? '').join(','),
    cs.map((c) => c.image ?? '').join(','),
    ...(withSelector ? [sel || '<none>'] : []),
  ];
};

const wideWorkloadColumns = (withSelector: boolean): Column[] => [
  { name: 'Containers', type: 'string', priority: 1 },
  { name: 'Images', type: 'string', priority: 1 },
  ...(withSelector ? [{ name: 'Selector', type: 'string' as const, priority: 1 }] : []),
];

/** Addresses as kubectl prints them: the first three, and how many more; `none` when there are none. */
const firstThree = (items: readonly string[], none: string): string =>
  items.length === 0
    ? none
    : items.slice(0, 3).join(',') + (items.length > 3 ? ` + ${items.length - 3} more...` : '');

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      name,
      { name: 'Ready', type: 'string' },
      { name: 'Status', type: 'string' },
      { name: 'Restarts', type: 'string' },
      ageCol,
      { name: 'IP', type: 'string', priority: 1 },
      { name: 'Node', type: 'string', priority: 1 },
      { name: 'Nominated Node', type: 'string', priority: 1 },
      { name: 'Readiness Gates', type: 'string', priority: 1 },
    ],
    cells: (o, now) => {
      const st = (o.status ?? {}) as PodStatusish;
      const cs = st.containerStatuses ?? [];
      const total = ((o.spec as { containers?: unknown[] } | undefined)?.containers ?? []).length;
      const waiting = cs.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
      const status = o.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? st.phase ?? 'Unknown');
      return [
        o.metadata.name,
        `${cs.filter((c) => c.ready).length}/${total}`,
        status,
        String(cs.reduce((n, c) => n + (c.restartCount ?? 0), 0)),
        age(o, now),
        st.podIP ?? '<none>',
        (o.spec as { nodeName?: string } | undefined)?.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  Service: {
    columns: [
      name,
      { name: 'Type', type: 'string' },
      { name: 'Cluster-IP', type: 'string' },
      { name: 'External-IP', type: 'string' },
      { name: 'Port(s)', type: 'string' },
      ageCol,
      { name: 'Selector', type: 'string', priority: 1 },
    ],
    cells: (o, now) => {
      const s = (o.spec ?? {}) as {
        type?: string;
        clusterIP?: string;
        externalName?: string;
        ports?: { port: number; protocol?: string; nodePort?: number }[];
        selector?: Record<string, string>;
      };
      const ports = (s.ports ?? [])
        .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
        .join(',');
      return [
        o.metadata.name,
        s.type ?? 'ClusterIP',
        s.type === 'ExternalName' ? '<none>' : (s.clusterIP ?? '<none>'),
        s.type === 'ExternalName' ? (s.externalName ?? '<none>') : '<none>',
        ports || '<none>',
        age(o, now),
        s.selector
          ? Object.entries(s.selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')
          : '<none>',
      ];
    },
  },
  Namespace: {
    columns: [name, { name: 'Status', type: 'string' }, ageCol],
    cells: (o, now) => [
      o.metadata.name,
      (o.status as { phase?: string } | undefined)?.phase ?? 'Active',
      age(o, now),
    ],
  },
  Deployment: {
    columns: [
      name,
      { name: 'Ready', type: 'string' },
      { name: 'Up-to-date', type: 'integer' },
      { name: 'Available', type: 'integer' },
      ageCol,
      ...wideWorkloadColumns(true),
    ],
    cells: (o, now) => {
      const st = (o.status ?? {}) as {
        readyReplicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
      };
      const want = (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      return [
        o.metadata.name,
        `${st.readyReplicas ?? 0}/${want}`,
        st.updatedReplicas ?? 0,
        st.availableReplicas ?? 0,
        age(o, now),
        ...workloadWide(o, true),
      ];
    },
  },
  StatefulSet: {
    columns: [name, { name: 'Ready', type: 'string' }, ageCol, ...wideWorkloadColumns(false)],
    cells: (o, now) => [
      o.metadata.name,
      `${(o.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0}/${(o.spec as { replicas?: number } | undefined)?.replicas ?? 1}`,
      age(o, now),
      ...workloadWide(o, false),
    ],
  },
  ReplicaSet: {
    columns: [
      name,
      { name: 'Desired', type: 'integer' },
      { name: 'Current', type: 'integer' },
      { name: 'Ready', type: 'integer' },
      ageCol,
      ...wideWorkloadColumns(true),
    ],
    cells: (o, now) => {
      const st = (o.status ?? {}) as { replicas?: number; readyReplicas?: number };
      return [
        o.metadata.name,
        (o.spec as { replicas?: number } | undefined)?.replicas ?? 1,
        st.replicas ?? 0,
        st.readyReplicas ?? 0,
        age(o, now),
        ...workloadWide(o, true),
      ];
    },
  },
  Node: {
    columns: [
      name,
      { name: 'Status', type: 'string' },
      { name: 'Roles', type: 'string' },
      ageCol,
      { name: 'Version', type: 'string' },
      { name: 'Internal-IP', type: 'string', priority: 1 },
      { name: 'External-IP', type: 'string', priority: 1 },
      { name: 'OS-Image', type: 'string', priority: 1 },
      { name: 'Kernel-Version', type: 'string', priority: 1 },
      { name: 'Container-Runtime', type: 'string', priority: 1 },
    ],
    cells: (o, now) => {
      const st = (o.status ?? {}) as {
        conditions?: { type: string; status: string }[];
        addresses?: { type: string; address: string }[];
        nodeInfo?: {
          kubeletVersion?: string;
          osImage?: string;
          kernelVersion?: string;
          containerRuntimeVersion?: string;
        };
      };
      const ready = st.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
        .join(',');
      const address = (type: string): string =>
        st.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      return [
        o.metadata.name,
        ready ? 'Ready' : 'NotReady',
        roles || '<none>',
        age(o, now),
        st.nodeInfo?.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        st.nodeInfo?.osImage ?? '<unknown>',
        st.nodeInfo?.kernelVersion ?? '<unknown>',
        st.nodeInfo?.containerRuntimeVersion ?? '<unknown>',
      ];
    },
  },
  Endpoints: {
    columns: [name, { name: 'Endpoints', type: 'string' }, ageCol],
    cells: (o, now) => {
      const eps: string[] = [];
      for (const s of (o.subsets as
        { addresses?: { ip: string }[]; ports?: { port: number }[] }[] | undefined) ?? [])
        for (const a of s.addresses ?? []) for (const p of s.ports ?? []) eps.push(`${a.ip}:${p.port}`);
      return [o.metadata.name, firstThree(eps, '<none>'), age(o, now)];
    },
  },
  EndpointSlice: {
    columns: [
      name,
      { name: 'AddressType', type: 'string' },
      { name: 'Ports', type: 'string' },
      { name: 'Endpoints', type: 'string' },
      ageCol,
    ],
    cells: (o, now) => {
      const ports = ((o.ports as { port: number }[] | undefined) ?? []).map((p) => p.port);
      const ips = ((o.endpoints as { addresses: string[] }[] | undefined) ?? []).flatMap((e) => e.addresses);
      return [
        o.metadata.name,
        o.addressType,
        ports.length === 0 ? '<unset>' : ports.join(','),
        firstThree(ips, '<unset>'),
        age(o, now),
      ];
    },
  },
  Event: {
    columns: [
      { name: 'Last Seen', type: 'string' },
      { name: 'Type', type: 'string' },
      { name: 'Reason', type: 'string' },
      { name: 'Object', type: 'string' },
      { name: 'Message', type: 'string' },
    ],
    cells: (o, now) => {
      const inv = (o.involvedObject ?? {}) as { kind?: string; name?: string };
      const last = (o.lastTimestamp as string | undefined) ?? o.metadata.creationTimestamp;
      return [
        last ? humanDuration(now - Date.parse(last)) : '<unknown>',
        o.type,
        o.reason,
        `${(inv.kind ?? '').toLowerCase()}/${inv.name ?? ''}`,
        o.message,
      ];
    },
  },
};

const DEFAULT: Printer = { columns: [name, ageCol], cells: (o, now) => [o.metadata.name, age(o, now)] };

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(
  kind: string,
  objects: readonly KObj[],
  resourceVersion: string,
  include: IncludeObject,
  extraMeta: Record<string, unknown> = {},
): unknown {
  const p = PRINTERS[kind] ?? DEFAULT;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...extraMeta },
    columnDefinitions: p.columns.map((c) => ({ description: '', priority: 0, format: '', ...c })),
    rows: objects.map((o) => ({
      cells: p.cells(o, now),
      object:
        include === 'None'
          ? null
          : include === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
