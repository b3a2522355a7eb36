// One namespace of one context: service, pod and Endpoints informers feeding ServiceEntries.
// In "all" mode (addNamespace) every service passing the selectors and exclusions is forwarded; in
// "some" mode (addService without the namespace) only the services added by name. Services are
// registered in sorted name order at the initial sync so addresses are the same run after run.
import { KubefwdError, errorMessage } from '../contract/errors.js';
import type { KEndpoints, KPod, KService } from '../contract/kube.js';
import type { EngineEvent } from './events.js';
import { withSubject, type ClusterGateway, type Informer, type Logger, type Selectors } from './gateways.js';
import { endpointPodNames, hasSelector, isPodReady, selectorMatches } from './reconcile.js';
import { ServiceEntry, type ServiceEntryDeps, type ServiceScope } from './service-entry.js';

export interface NamespaceWatchDeps {
  cluster: ClusterGateway;
  namespace: string;
  clusterIndex: number;
  namespaceIndex: number;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  now: () => number;
  /** Whether a service may be forwarded in "all" mode (exclusions). */
  allowed: (name: string) => boolean;
  /** A list/watch started or stopped failing (watchError() changed). */
  watchHealthChanged: () => void;
  entryDeps: (scope: ServiceScope) => Omit<ServiceEntryDeps, 'scope'>;
}

const byName = <T extends { metadata: { name: string } }>(a: T, b: T): number =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

export class NamespaceWatch {
  readonly deps: NamespaceWatchDeps;
  /** The deps' logger, every line carrying this namespace as its subject (JSON logs, /logs). */
  private readonly log: Logger;
  mode: 'all' | 'some';
  selectors: Selectors;
  readonly names = new Set<string>();
  readonly entries = new Map<string, ServiceEntry>();
  readonly startedAt: string;
  private services: Informer<KService> | undefined;
  private pods: Informer<KPod> | undefined;
  private endpoints: Informer<KEndpoints> | undefined;
  /**
   * Endpoints are read only for services without a selector, so a role that may not list them
   * (RBAC) limits kubefwd to the others instead of stopping it: said once, not a watch failure.
   */
  private endpointsForbidden = false;
  /** Resolves once the Endpoints are listed, or known to be forbidden (the first sync waits for it). */
  private endpointsSettled: Promise<void> = Promise.resolve();
  private synced = false;
  private stopped = false;
  /** Informers whose list/watch fails now: what failed, the last error, since when. */
  private readonly failing = new Map<string, { message: string; since: number }>();
  private serviceGeneration = 0;
  readonly scope: ServiceScope;
  private readonly entryDeps: Omit<ServiceEntryDeps, 'scope'>;
  /** Resolves after the first full sync of all three informers and the initial registration. */
  ready: Promise<void> = Promise.resolve();

  constructor(deps: NamespaceWatchDeps, mode: 'all' | 'some', selectors: Selectors) {
    this.deps = deps;
    this.log = withSubject(deps.logger, () => ({ namespace: deps.namespace, context: deps.cluster.context }));
    this.mode = mode;
    this.selectors = selectors;
    this.startedAt = new Date(deps.now()).toISOString();
    this.scope = {
      context: deps.cluster.context,
      namespace: deps.namespace,
      clusterIndex: deps.clusterIndex,
      namespaceIndex: deps.namespaceIndex,
      pods: () => this.pods?.list() ?? [],
      endpoints: (name) => this.endpoints?.list().find((e) => e.metadata.name === name),
      endpointsForbidden: () => this.endpointsForbidden,
    };
    this.entryDeps = deps.entryDeps(this.scope);
  }

  get label(): string {
    return `${this.deps.namespace}.${this.deps.cluster.context}`;
  }

  start(): void {
    const { cluster, namespace } = this.deps;
    this.pods = cluster.watchPods(namespace, {
      onAdd: (pod) => this.onPod(pod, undefined, 'added'),
      onUpdate: (pod, old) => this.onPod(pod, old, undefined),
      onDelete: (pod) => this.onPod(pod, undefined, 'deleted'),
      onSynced: () => this.watchWorks('pods'),
      onWatching: () => this.watchWorks('pods'),
      onError: (err, retryInMs) => this.onWatchError('pods', err.message, retryInMs),
    });
    let settle = (): void => undefined;
    this.endpointsSettled = new Promise<void>((resolve) => (settle = resolve));
    const endpointsWork = (): void => {
      settle();
      this.watchWorks('endpoints');
      if (!this.endpointsForbidden) return;
      this.endpointsForbidden = false;
      this.log.info(
        `${this.label}: kubefwd may read Endpoints now; services without a selector are forwarded`,
      );
      this.replanSelectorless();
    };
    this.endpoints = cluster.watchEndpoints(namespace, {
      onAdd: (ep) => this.onEndpoints(ep),
      onUpdate: (ep) => this.onEndpoints(ep),
      onDelete: (ep) => this.onEndpoints(ep),
      onSynced: endpointsWork,
      onWatching: endpointsWork,
      onError: (err, retryInMs) => {
        if (err.code !== 'PERMISSION_DENIED') return this.onWatchError('endpoints', err.message, retryInMs);
        settle();
        if (this.endpointsForbidden) return;
        this.endpointsForbidden = true;
        this.log.warn(
          `${this.label}: services without a selector are not forwarded: kubefwd may not list and watch Endpoints here (${err.message}). Grant "list" and "watch" on endpoints to forward them; the others are not affected`,
        );
        this.replanSelectorless();
      },
    });
    this.startServices();
  }

  /** (Re)starts the service informer, e.g. when "some" mode becomes "all" with selectors. */
  startServices(): void {
    this.services?.stop();
    const gen = ++this.serviceGeneration;
    const { cluster, namespace } = this.deps;
    const selectors = this.mode === 'all' ? this.selectors : {};
    const informer = cluster.watchServices(namespace, selectors, {
      onAdd: (svc) => gen === this.serviceGeneration && this.onService(svc),
      onUpdate: (svc) => gen === this.serviceGeneration && this.onService(svc),
      onDelete: (svc) => gen === this.serviceGeneration && this.onServiceDeleted(svc.metadata.name),
      onSynced: () => {
        if (gen === this.serviceGeneration) this.watchWorks('services');
        if (gen === this.serviceGeneration && this.synced)
          this.resync().catch((err: unknown) => this.fail('resync', err));
      },
      onError: (err, retryInMs) => this.onWatchError('services', err.message, retryInMs),
      onWatching: () => gen === this.serviceGeneration && this.watchWorks('services'),
    });
    this.services = informer;
    const pods = this.pods;
    this.ready = Promise.all([informer.synced, pods?.synced, this.endpointsSettled]).then(
      () => {
        if (gen !== this.serviceGeneration || this.stopped) return;
        this.synced = true;
        return this.resync();
      },
      () => undefined,
    );
  }

  /** Brings entries in line with the informer caches (initial sync, relist, periodic safety net). */
  resync(): Promise<void> {
    if (this.stopped || !this.services) return Promise.resolve();
    const listed = [...this.services.list()].sort(byName);
    const present = new Set(listed.map((s) => s.metadata.name));
    const work: Promise<void>[] = [];
    for (const [name, entry] of [...this.entries])
      if (!present.has(name) || !this.wants(name)) work.push(this.dropEntry(name, entry));
    const wanted = listed.filter((svc) => this.wants(svc.metadata.name));
    // Addresses: every new service's own name first (sorted), then headless per-pod names — the
    // same layout on every run against an unchanged cluster.
    for (const svc of wanted)
      if (!this.entries.has(svc.metadata.name)) {
        const entry = new ServiceEntry(svc, { ...this.entryDeps, scope: this.scope });
        this.entries.set(svc.metadata.name, entry);
        entry.prepare();
      }
    for (const svc of wanted) work.push(this.upsert(svc, true));
    return Promise.all(work).then(() => undefined);
  }

  /** The services and pods the informers hold, once synced (undefined before). */
  listed(): { services: KService[]; pods: KPod[] } | undefined {
    if (!this.synced || !this.services) return undefined;
    return { services: this.services.list(), pods: this.pods?.list() ?? [] };
  }

  wants(name: string): boolean {
    if (this.names.has(name)) return true;
    return this.mode === 'all' && this.deps.allowed(name);
  }

  /** Registers a service fetched by the controller (addService), before the informer has it. */
  async addByName(svc: KService): Promise<ServiceEntry> {
    this.names.add(svc.metadata.name);
    const cached = this.services?.list().find((s) => s.metadata.name === svc.metadata.name);
    await this.upsert(cached ?? svc);
    const entry = this.entries.get(svc.metadata.name);
    // A removal of the same service ran in between (two clients at once): the later call wins.
    if (!entry)
      throw new KubefwdError(
        'CONFLICT',
        `service ${svc.metadata.name} in ${this.label} was removed while it was being added`,
        {
          field: 'serviceName',
          hint: 'Another request removed it meanwhile; add it again if it should stay.',
        },
      );
    return entry;
  }

  async removeByName(name: string): Promise<void> {
    this.names.delete(name);
    const entry = this.entries.get(name);
    if (entry) await this.dropEntry(name, entry);
  }

  /** Watches again now, from where each informer was (their connections may be dead); returns how many. */
  restartWatches(): number {
    if (this.stopped) return 0;
    const informers = [this.services, this.pods, this.endpoints].filter((i) => i !== undefined);
    for (const i of informers) i.restartWatch();
    return informers.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.services?.stop();
    this.pods?.stop();
    this.endpoints?.stop();
    await Promise.all([...this.entries].map(([name, entry]) => this.dropEntry(name, entry)));
  }

  // ------------------------------------------------------------------ informer callbacks

  private upsert(svc: KService, force = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const name = svc.metadata.name;
    let entry = this.entries.get(name);
    if (force && entry) {
      entry.service = svc;
      return entry.reconcile();
    }
    if (!entry) {
      entry = new ServiceEntry(svc, { ...this.entryDeps, scope: this.scope });
      this.entries.set(name, entry);
    } else {
      const before = JSON.stringify({
        sel: entry.service.spec.selector,
        ports: entry.service.spec.ports,
        t: entry.service.spec.type,
        ip: entry.service.spec.clusterIP,
      });
      const after = JSON.stringify({
        sel: svc.spec.selector,
        ports: svc.spec.ports,
        t: svc.spec.type,
        ip: svc.spec.clusterIP,
      });
      entry.service = svc;
      if (before === after) return Promise.resolve();
      this.log.info(`Service ${entry.registryKey} updated (selector, ports or type changed); re-planning`);
    }
    return entry.reconcile();
  }

  private dropEntry(name: string, entry: ServiceEntry): Promise<void> {
    if (this.entries.get(name) === entry) this.entries.delete(name);
    return entry.stop();
  }

  private onService(svc: KService): void {
    if (!this.synced || !this.wants(svc.metadata.name)) return;
    void this.upsert(svc);
  }

  private onServiceDeleted(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.log.info(`Service ${entry.registryKey} deleted in the cluster`);
    this.names.delete(name);
    this.dropEntry(name, entry).catch((err: unknown) => this.fail(`removing ${name}`, err));
  }

  private onPod(pod: KPod, old: KPod | undefined, change: 'added' | 'deleted' | undefined): void {
    if (!this.synced) return;
    let kind: 'added' | 'deleted' | 'ready' | 'not-ready' | undefined = change;
    if (kind === undefined) {
      const was = old ? isPodReady(old) : false;
      const is = isPodReady(pod);
      if (was !== is) kind = is ? 'ready' : 'not-ready';
    }
    const affected: ServiceEntry[] = [];
    for (const entry of this.entries.values()) {
      const sel = entry.service.spec.selector;
      const matches =
        entry.usesPod(pod.metadata.name) ||
        (sel && Object.keys(sel).length > 0
          ? selectorMatches(sel, pod.metadata.labels) ||
            (old !== undefined && selectorMatches(sel, old.metadata.labels))
          : // A service without a selector is backed by the pods its Endpoints name, and only
            // those: a pod of the namespace is not its business (it was credited with every one).
            endpointPodNames(this.scope.endpoints(entry.name)).includes(pod.metadata.name));
      if (matches) affected.push(entry);
    }
    if (kind !== undefined && affected.length > 0)
      this.deps.emit({
        type: 'PodChanged',
        at: this.deps.now(),
        context: this.deps.cluster.context,
        namespace: this.deps.namespace,
        podName: pod.metadata.name,
        change: kind,
        serviceKeys: affected.flatMap((e) => e.targets().map((t) => t.id.key)),
      });
    if (kind === 'deleted' || kind === 'not-ready')
      this.log.debug(`Pod ${pod.metadata.name} ${kind}; re-planning ${affected.length} service(s)`);
    for (const entry of affected) void entry.reconcile();
  }

  private onEndpoints(ep: KEndpoints): void {
    if (!this.synced) return;
    const entry = this.entries.get(ep.metadata.name);
    if (entry && !hasSelector(entry.service)) void entry.reconcile();
  }

  private replanSelectorless(): void {
    if (!this.synced) return;
    for (const entry of this.entries.values()) if (!hasSelector(entry.service)) void entry.reconcile();
  }

  private onWatchError(what: string, message: string, retryInMs: number): void {
    this.log.warn(
      `watch of ${what} in ${this.label} failed: ${message}; retrying in ${Math.round(retryInMs / 1000)}s`,
    );
    const was = this.failing.get(what);
    this.failing.set(what, {
      message: `watch of ${what} failed: ${message}`,
      since: was?.since ?? this.deps.now(),
    });
    if (was?.message !== this.failing.get(what)?.message) this.deps.watchHealthChanged();
  }

  private watchWorks(what: string): void {
    if (this.failing.delete(what)) this.deps.watchHealthChanged();
  }

  /** The failure of the namespace's lists/watches, while one fails (a list that works again clears it). */
  watchError(): { message: string; since: number } | undefined {
    return this.failing.values().next().value;
  }

  private fail(what: string, err: unknown): void {
    this.log.error(`${this.label}: ${what} failed: ${errorMessage(err)}`);
  }

  /** Errors inside informer callbacks must never escape into the informer. */
  static safe(logger: Logger, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      logger.error(errorMessage(err));
    }
  }
}
