// Synthetic engine records and events, a fake Controller and a fake ClusterGateway for the state and
// API tests (no sockets). The fake cluster serves a small "shop" namespace.
import type { KContext, KEndpoints, KEvent, KNamespace, KPod, KService } from '../../src/contract/kube.js';
import { KubefwdError } from '../../src/contract/errors.js';
import { apiStatusError } from '../../src/kube/rest/errors.js';
import type { Controller } from '../../src/engine/controller.js';
import type { EngineEvent, EngineEventListener } from '../../src/engine/events.js';
import type { ForwardRecord, NamespaceRecord, ServiceRecord } from '../../src/engine/model.js';
import type { ClusterGateway, Clock } from '../../src/engine/gateways.js';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');

export const manualClock = (): Clock & { advance(ms: number): void; t: number } => {
  const c = {
    t: T0,
    now: () => c.t,
    setTimeout: () => ({ cancel() {} }),
    advance(ms: number) {
      c.t += ms;
    },
  };
  return c;
};

export const svcRecord = (
  name: string,
  ns = 'shop',
  ctx = 'sim',
  ip = '127.1.27.1',
  port = 8080,
): ServiceRecord => ({
  key: `${name}.${ns}.${ctx}`,
  registryKey: `${name}.${ns}.${ctx}`,
  serviceName: name,
  namespace: ns,
  context: ctx,
  headless: false,
  localIP: ip,
  hostnames: [name, `${name}.${ns}`, `${name}.${ns}.svc.cluster.local`],
  ports: [{ name: 'http', port, localPort: port, targetPort: String(port), protocol: 'TCP' }],
});

export const fwdRecord = (
  svc: ServiceRecord,
  pod: string,
  status: ForwardRecord['status'] = 'Active',
  extra: Partial<ForwardRecord> = {},
): ForwardRecord => ({
  key: `${svc.key}.${pod}.${svc.ports[0]!.localPort}`,
  serviceKey: svc.key,
  registryKey: svc.registryKey,
  serviceName: svc.serviceName,
  namespace: svc.namespace,
  context: svc.context,
  headless: false,
  podName: pod,
  localIP: svc.localIP,
  localPort: String(svc.ports[0]!.localPort),
  podPort: svc.ports[0]!.targetPort,
  hostnames: svc.hostnames,
  status,
  startedAt: new Date(T0).toISOString(),
  reconnects: 0,
  ...extra,
});

export const nsRecord = (ns = 'shop', ctx = 'sim'): NamespaceRecord => ({
  key: `${ns}.${ctx}`,
  namespace: ns,
  context: ctx,
  running: true,
  startedAt: new Date(T0).toISOString(),
});

/** A tiny event bus standing in for engine.subscribe. */
export const eventBus = () => {
  const listeners = new Set<EngineEventListener>();
  return {
    subscribe(l: EngineEventListener) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    emit(ev: EngineEvent) {
      for (const l of listeners) l(ev);
    },
    get size() {
      return listeners.size;
    },
  };
};

// ------------------------------------------------------------------ fake cluster

const pod = (name: string, app: string, ready = true, extra: Partial<KPod['status']> = {}): KPod => ({
  metadata: {
    name,
    namespace: 'shop',
    labels: { app },
    creationTimestamp: new Date(T0 - 3600_000).toISOString(),
  },
  spec: {
    containers: [
      {
        name: 'main',
        image: `${app}:1`,
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        resources: { requests: { cpu: '100m' } },
      },
    ],
    nodeName: 'node-1',
    volumes: [{ name: 'data' }],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    hostIP: '192.168.1.2',
    startTime: new Date(T0 - 3600_000).toISOString(),
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      { name: 'main', ready, restartCount: 2, state: { running: { startedAt: new Date(T0).toISOString() } } },
    ],
    qosClass: 'Burstable',
    ...extra,
  },
});

export const fakeCluster = (context = 'sim'): ClusterGateway & { logCalls: unknown[] } => {
  // The error the real client makes of the API server's 404 (its raw text and registry code).
  const notFound = (verb: string, resource: string, namespace: string, name: string) =>
    apiStatusError(
      404,
      JSON.stringify({
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: `${resource} "${name}" not found`,
      }),
      { verb, resource, namespace, name },
      context,
    );
  const services: KService[] = [
    {
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        selector: { app: 'api' },
        ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
      },
    },
    {
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.11',
        selector: { app: 'db' },
        ports: [{ port: 5432, targetPort: 'pg', protocol: 'TCP' }],
      },
    },
  ];
  const pods = [
    pod('api-1', 'api'),
    pod('db-0', 'db', false, {
      containerStatuses: [
        { name: 'main', ready: false, restartCount: 0, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    }),
  ];
  const events: KEvent[] = [
    {
      metadata: { name: 'e1', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'api-1' },
      reason: 'Started',
      message: 'Started container main',
      type: 'Normal',
      count: 1,
      firstTimestamp: new Date(T0 - 1000).toISOString(),
      lastTimestamp: new Date(T0 - 1000).toISOString(),
      source: { component: 'kubelet' },
    },
    {
      metadata: { name: 'e2', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'db-0' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      count: 5,
      firstTimestamp: new Date(T0 - 5000).toISOString(),
      lastTimestamp: new Date(T0).toISOString(),
      source: { component: 'kubelet' },
    },
  ];
  const nsMissing = (ns: string) => {
    if (ns !== 'shop' && ns !== 'default')
      throw new KubefwdError('NAMESPACE_NOT_FOUND', `namespace "${ns}" not found in context ${context}`);
  };
  const logCalls: unknown[] = [];
  const notImplemented = () => {
    throw new Error('not used by the API');
  };
  return {
    context,
    defaultNamespace: 'default',
    logCalls,
    watchServices: notImplemented,
    watchPods: notImplemented,
    watchEndpoints: notImplemented,
    openSession: notImplemented,
    async getService(ns, name) {
      nsMissing(ns);
      const s = services.find((x) => x.metadata.name === name && ns === 'shop');
      if (!s) throw new KubefwdError('SERVICE_NOT_FOUND', `service "${name}" not found in namespace ${ns}`);
      return s;
    },
    async listServices(ns) {
      nsMissing(ns);
      return ns === 'shop' ? services : [];
    },
    async listNamespaces(): Promise<KNamespace[]> {
      return [
        { metadata: { name: 'default' }, status: { phase: 'Active' } },
        { metadata: { name: 'shop' }, status: { phase: 'Active' } },
      ];
    },
    async listPods(ns, sel) {
      nsMissing(ns);
      // As the API server refuses a selector it cannot parse (a 400).
      if (sel?.labelSelector?.includes('!!'))
        throw apiStatusError(
          400,
          JSON.stringify({
            kind: 'Status',
            code: 400,
            reason: 'BadRequest',
            message: `unable to parse requirement: found '!', expected: identifier`,
          }),
          { verb: 'list', resource: 'pods', namespace: ns },
          context,
        );
      const all = ns === 'shop' ? pods : [];
      const m = /^app=(.+)$/.exec(sel?.labelSelector ?? '');
      return m ? all.filter((p) => p.metadata.labels?.app === m[1]) : all;
    },
    async getPod(ns, name) {
      nsMissing(ns);
      const p = pods.find((x) => x.metadata.name === name);
      if (!p) throw notFound('get', 'pods', ns, name);
      return p;
    },
    async getEndpoints(ns, name): Promise<KEndpoints> {
      nsMissing(ns);
      if (name !== 'api') throw notFound('get', 'endpoints', ns, name);
      return {
        metadata: { name: 'api', namespace: 'shop' },
        subsets: [
          {
            addresses: [{ ip: '10.0.0.5', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'api-1' } }],
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
        ],
      };
    },
    async listEvents(ns, sel) {
      // As the API server: no events, and no error, in a namespace that does not exist.
      if (ns !== 'shop') return [];
      const f = sel?.fieldSelector ?? '';
      // As the API server: field values match exactly ("Pod", not "pod").
      const matches = (field: 'kind' | 'name', value: string) =>
        !f.includes(`involvedObject.${field}=`) || f.split(',').includes(`involvedObject.${field}=${value}`);
      return events.filter(
        (e) => matches('name', e.involvedObject.name ?? '') && matches('kind', e.involvedObject.kind ?? ''),
      );
    },
    async podLogs(ns, name, options) {
      nsMissing(ns);
      logCalls.push({ ns, name, options });
      if (!pods.some((p) => p.metadata.name === name))
        throw new KubefwdError('POD_NOT_FOUND', `pod "${name}" not found`);
      // As the API server answers for a container that never restarted (a 400).
      if (options.previous)
        throw new KubefwdError(
          'INVALID_INPUT',
          `previous terminated container "${options.container ?? 'app'}" in pod "${name}" not found`,
        );
      const lines = Array.from(
        { length: 5 },
        (_, i) => `${options.timestamps ? '2026-11-25T10:00:0' + i + 'Z ' : ''}line ${i + 1}`,
      );
      return lines.slice(-(options.tailLines ?? 5)).join('\n') + '\n';
    },
    async followPodLogs(ns, name, options, onLine) {
      // The tail, then the log ends (as when the container stops).
      for (const line of (await this.podLogs(ns, name, options)).split('\n').filter(Boolean)) onLine(line);
    },
    async checkAccess() {
      return [];
    },
    close() {},
  };
};

export interface FakeController extends Controller {
  calls: { method: string; args: unknown[] }[];
}

/** A Controller recording its calls; the state is driven separately through the event bus. */
export const fakeController = (bus: ReturnType<typeof eventBus>, clock: Clock): FakeController => {
  const calls: { method: string; args: unknown[] }[] = [];
  const namespaces = new Map<string, NamespaceRecord>();
  const services = new Map<string, ServiceRecord>();
  const cluster = fakeCluster();
  const contexts: KContext[] = [
    { name: 'sim', cluster: 'sim-cluster', user: 'sim-user', namespace: 'shop' },
    { name: 'other', cluster: 'other-cluster' },
  ];
  // Track what the engine (the bus) says exists, as the real engine would know it.
  bus.subscribe((ev) => {
    if (ev.type === 'ServiceAdded') services.set(ev.service.key, ev.service);
    if (ev.type === 'ServiceRemoved') services.delete(ev.serviceKey);
    if (ev.type === 'NamespaceAdded') namespaces.set(ev.namespace.key, ev.namespace);
  });
  const ctrl: FakeController = {
    calls,
    async addNamespace(req) {
      calls.push({ method: 'addNamespace', args: [req] });
      const ctx = req.context ?? 'sim';
      if (ctx !== 'sim')
        throw new KubefwdError('CONTEXT_NOT_FOUND', `context "${ctx}" not found in the kubeconfig`);
      if (req.namespace === 'missing')
        throw new KubefwdError('NAMESPACE_NOT_FOUND', `namespace "missing" not found in context ${ctx}`);
      const key = `${req.namespace}.${ctx}`;
      if (namespaces.has(key))
        throw new KubefwdError(
          'ALREADY_EXISTS',
          `already watching namespace ${req.namespace} in context ${ctx}`,
        );
      const rec: NamespaceRecord = {
        ...nsRecord(req.namespace, ctx),
        ...(req.labelSelector ? { labelSelector: req.labelSelector } : {}),
      };
      bus.emit({ type: 'NamespaceAdded', at: clock.now(), namespace: rec });
      return rec;
    },
    async removeNamespace(namespace, context) {
      calls.push({ method: 'removeNamespace', args: [namespace, context] });
      const ctx = context ?? 'sim';
      const key = `${namespace}.${ctx}`;
      if (!namespaces.delete(key))
        throw new KubefwdError(
          'NAMESPACE_NOT_FOUND',
          `no watcher found for namespace ${namespace} in context ${ctx}`,
        );
      bus.emit({ type: 'NamespaceRemoved', at: clock.now(), key, namespace, context: ctx });
    },
    async addService(req) {
      calls.push({ method: 'addService', args: [req] });
      const ctx = req.context ?? 'sim';
      if (req.serviceName === 'nope')
        throw new KubefwdError('SERVICE_NOT_FOUND', `service "nope" not found in namespace ${req.namespace}`);
      const rec = svcRecord(req.serviceName, req.namespace, ctx, '127.1.27.9');
      if (services.has(rec.key))
        throw new KubefwdError('ALREADY_EXISTS', `service ${rec.key} is already being forwarded`);
      bus.emit({ type: 'ServiceAdded', at: clock.now(), service: rec });
      return rec;
    },
    async removeService(key) {
      calls.push({ method: 'removeService', args: [key] });
      const s = services.get(key);
      if (!s) throw new KubefwdError('SERVICE_NOT_FOUND', `service not found: ${key}`);
      bus.emit({
        type: 'ServiceRemoved',
        at: clock.now(),
        serviceKey: key,
        registryKey: s.registryKey,
        serviceName: s.serviceName,
        namespace: s.namespace,
        context: s.context,
      });
    },
    async reconnectService(key) {
      calls.push({ method: 'reconnectService', args: [key] });
      if (!services.has(key)) throw new KubefwdError('SERVICE_NOT_FOUND', `service not found: ${key}`);
    },
    async reconnectErrored(o) {
      calls.push({ method: 'reconnectErrored', args: [o] });
      return o?.force ? [...services.keys()] : [];
    },
    async syncService(key, force) {
      calls.push({ method: 'syncService', args: [key, force] });
      if (!services.has(key)) throw new KubefwdError('SERVICE_NOT_FOUND', `service not found: ${key}`);
    },
    contexts: () => ({ contexts, current: 'sim' }),
    cluster(context) {
      if (context !== undefined && context !== 'sim')
        throw new KubefwdError('CONTEXT_NOT_FOUND', `context "${context}" not found in the kubeconfig`);
      return cluster;
    },
    namespaces: () => [...namespaces.values()],
    services: () => [...services.values()],
  };
  return ctrl;
};

/** Registers a service in the fake controller's view by emitting its events directly. */
export const seed = (bus: ReturnType<typeof eventBus>, clock: Clock) => {
  const api = svcRecord('api', 'shop', 'sim', '127.1.27.1', 8080);
  const db = svcRecord('db', 'shop', 'sim', '127.1.27.2', 5432);
  const web = svcRecord('web', 'shop', 'sim', '127.1.27.3', 80);
  bus.emit({ type: 'NamespaceAdded', at: clock.now(), namespace: nsRecord() });
  for (const s of [api, db, web]) bus.emit({ type: 'ServiceAdded', at: clock.now(), service: s });
  const apiF = fwdRecord(api, 'api-1', 'Active');
  const dbF = fwdRecord(db, 'db-0', 'Connecting');
  const webF = fwdRecord(web, '', 'Waiting', {
    reason: 'no ready pod backs the service',
    nextRetryAt: new Date(T0 + 5000).toISOString(),
  });
  bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: apiF });
  bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: dbF });
  bus.emit({ type: 'ForwardAdded', at: clock.now(), forward: webF });
  const dbErr: ForwardRecord = {
    ...dbF,
    status: 'Error',
    error: 'dial tcp 10.0.0.6:5432: connect: connection refused',
    errorCode: 'CONNECTION_REFUSED',
    reason: 'the pod refused the connection',
    nextRetryAt: new Date(T0 + 2000).toISOString(),
  };
  bus.emit({ type: 'ForwardUpdated', at: clock.now(), forward: dbErr, previousStatus: 'Connecting' });
  return { api, db, web, apiF, dbF: dbErr, webF };
};
