// A Kubernetes service kubefwd forwards: re-planned (reconcile.ts) whenever the service, its pods
// or its Endpoints change, and turned into ForwardTargets — the service's own name, plus one per
// ready pod for a headless service. Plans are applied one at a time (a burst of pod events
// coalesces into one more pass), so targets never see interleaved changes.
import { errorMessage, isKubefwdError } from '../contract/errors.js';
import type { KEndpoints, KPod, KService } from '../contract/kube.js';
import type { EngineEvent } from './events.js';
import { hostnamesFor } from './hostnames.js';
import type { HostsWriter } from './hosts-writer.js';
import type { IpAllocator } from './ip-allocation.js';
import { serviceKey } from './model.js';
import type { PortMappings } from '../domain/port-mappings.js';
import { withSubject, type Logger, type LoopbackGateway } from './gateways.js';
import { planService, type ServicePlan, type TargetPlan } from './reconcile.js';
import { ForwardTarget, type AddressMover, type TargetContext } from './forward-target.js';

export interface ServiceScope {
  context: string;
  namespace: string;
  clusterIndex: number;
  namespaceIndex: number;
  pods(): KPod[];
  endpoints(name: string): KEndpoints | undefined;
  /** kubefwd may not list/watch Endpoints here (RBAC): selector-less services cannot be resolved. */
  endpointsForbidden?(): boolean;
}

export interface ServiceEntryDeps {
  scope: ServiceScope;
  allocator: IpAllocator;
  hosts: HostsWriter;
  loopback: LoopbackGateway;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  now: () => number;
  domain: string | undefined;
  mappings: PortMappings;
  /** Builds the context a target needs; `requestReconcile` re-plans this entry. */
  targetContext: (requestReconcile: () => void) => TargetContext;
}

export class ServiceEntry {
  service: KService;
  readonly registryKey: string;
  private readonly deps: ServiceEntryDeps;
  /** The deps' logger, every line carrying this service as its subject (JSON logs, /logs). */
  private readonly log: Logger;
  private main: ForwardTarget | undefined;
  private readonly perPod = new Map<string, ForwardTarget>();
  private skippedReason: string | undefined;
  /** The UDP/SCTP ports last warned about, so a re-plan does not repeat the warning. */
  private skippedPortsTold = '';
  /** The unresolved named target ports last told (said once per change, as skipped ports). */
  private unresolvedTold = '';
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(service: KService, deps: ServiceEntryDeps) {
    this.service = service;
    this.deps = deps;
    this.registryKey = serviceKey(service.metadata.name, deps.scope.namespace, deps.scope.context);
    this.log = withSubject(deps.logger, () => ({
      serviceKey: this.registryKey,
      serviceName: this.name,
      namespace: deps.scope.namespace,
      context: deps.scope.context,
    }));
  }

  get name(): string {
    return this.service.metadata.name;
  }

  targets(): ForwardTarget[] {
    return [...(this.main ? [this.main] : []), ...this.perPod.values()];
  }

  /** Whether a pod (by name) matters to this service now: forwarded, or possibly backing it. */
  usesPod(podName: string): boolean {
    return this.targets().some((t) => t.currentPod === podName);
  }

  /** Re-plans; resolves when this and any pass requested meanwhile are applied. */
  reconcile(): Promise<void> {
    this.dirty = true;
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        // Events that come together (a watch resumed after a sleep replays a pod's deletion and
        // its replacement in one read) are planned together: the first pass starts after them,
        // so no pass sees the moment between them (a "no ready pod" that was never true).
        await Promise.resolve();
        while (this.dirty && !this.stopped) {
          this.dirty = false;
          await this.applyOnce();
        }
      } catch (err) {
        this.log.error(`${this.registryKey}: ${errorMessage(err)}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running) await this.running;
    await Promise.all(this.targets().map((t) => this.dropTarget(t)));
    this.main = undefined;
    this.perPod.clear();
  }

  /** Allocates the service's own address now (when it will be forwarded), before any pass runs. */
  prepare(): void {
    if (this.main || this.stopped) return;
    const plan = this.plan();
    if (plan.kind === 'forward') this.main = this.makeTarget(this.name, undefined, plan.headless);
  }

  plan(): ServicePlan {
    return planService({
      service: this.service,
      pods: this.deps.scope.pods(),
      endpoints: this.deps.scope.endpoints(this.name),
      endpointsForbidden: this.deps.scope.endpointsForbidden?.() === true,
      mappings: this.deps.mappings,
      currentPod: this.main?.currentPod,
    });
  }

  private async applyOnce(): Promise<void> {
    const plan = this.plan();
    const { scope } = this.deps;
    if (plan.kind === 'skip') {
      await Promise.all(this.targets().map((t) => this.dropTarget(t)));
      this.main = undefined;
      this.perPod.clear();
      if (this.skippedReason !== plan.reason) {
        this.skippedReason = plan.reason;
        this.log.warn(`Skipping service ${this.name}.${scope.namespace}: ${plan.reason}`);
        this.deps.emit({
          type: 'ServiceSkipped',
          at: this.deps.now(),
          registryKey: this.registryKey,
          reason: plan.reason,
        });
      }
      return;
    }
    this.skippedReason = undefined;
    // kubefwd warns about every UDP port it skips: a user of `kube-dns` on port 53 must learn that
    // only its TCP half answers. Once per change of those ports, not on every re-plan.
    const skippedPorts = plan.skippedPorts.join(', ');
    if (skippedPorts !== this.skippedPortsTold) {
      this.skippedPortsTold = skippedPorts;
      if (skippedPorts !== '')
        this.log.warn(`${this.name}.${scope.namespace}: not forwarding port ${skippedPorts}`);
    }
    const unresolved = plan.unresolvedPorts.join('; ');
    if (unresolved !== this.unresolvedTold) {
      this.unresolvedTold = unresolved;
      if (unresolved !== '') this.log.warn(`${this.name}.${scope.namespace}: ${unresolved}`);
    }
    const headless = plan.headless;
    // Every target of this pass gets its address now, before any await, so the order of
    // allocation is the order of registration (sorted services, then sorted pods) — stable.
    this.main ??= this.makeTarget(this.name, undefined, headless);
    const wanted = new Map(plan.perPod.map((t) => [t.name, t]));
    for (const [name, t] of wanted)
      if (!this.perPod.has(name)) {
        const target = this.makeTarget(name, t.podName, headless);
        if (target) this.perPod.set(name, target);
      }
    const gone = [...this.perPod].filter(([name]) => !wanted.has(name));
    for (const [name] of gone) this.perPod.delete(name);

    const main = this.main;
    const work: Promise<void>[] = gone.map(([, target]) => this.dropTarget(target));
    if (main)
      work.push(
        main.apply(
          plan.main?.ports ?? plan.ports,
          plan.main ? this.podRef(plan.main) : undefined,
          plan.waiting,
        ),
      );
    for (const [name, t] of wanted) {
      const target = this.perPod.get(name);
      if (target) work.push(target.apply(t.ports, this.podRef(t)));
    }
    await Promise.all(work);
  }

  private podRef(t: TargetPlan): { name: string; uid?: string | undefined } {
    const pod = this.deps.scope.pods().find((p) => p.metadata.name === t.podName);
    return { name: t.podName, uid: pod?.metadata.uid };
  }

  // One forward target's wiring: its callbacks close over the entry's state.
  private makeTarget(
    name: string,
    podName: string | undefined,
    headless: boolean,
  ): ForwardTarget | undefined {
    const { scope } = this.deps;
    const request = {
      context: scope.context,
      namespace: scope.namespace,
      name,
      podName,
      clusterIndex: scope.clusterIndex,
      namespaceIndex: scope.namespaceIndex,
    };
    let ip: string;
    let reserved: boolean;
    try {
      const alloc = this.deps.allocator.allocate(request);
      if (alloc.warning) this.log.warn(alloc.warning);
      ip = alloc.ip;
      reserved = alloc.reservation !== undefined;
    } catch (err) {
      const reason = errorMessage(err);
      this.log.error(`Cannot forward ${this.labelOf(name)}: ${reason}`);
      this.deps.emit({
        type: 'ServiceSkipped',
        at: this.deps.now(),
        registryKey: this.registryKey,
        reason: isKubefwdError(err) ? `${err.code}: ${reason}` : reason,
      });
      return undefined;
    }
    const hostnames = hostnamesFor({
      name,
      namespace: scope.namespace,
      context: scope.context,
      clusterIndex: scope.clusterIndex,
      namespaceIndex: scope.namespaceIndex,
      domain: this.deps.domain,
    });
    const key = serviceKey(name, scope.namespace, scope.context);
    // Listeners bind only after the alias exists (macOS); a failed alias shows as a listen error.
    const ensureAlias = (at: string): Promise<void> =>
      this.deps.loopback.ensure(at).catch((err: unknown) => {
        this.log.error(`cannot add loopback alias ${at}: ${errorMessage(err)}`);
      });
    const aliasReady = ensureAlias(ip);
    const namesReady = this.deps.hosts.set(key, { ip, hostnames });
    // An auto-allocated address another program or kubefwd turns out to hold is given up for the
    // next free one (its names follow); a reserved one (-r, -z) stays, in Error with the reason.
    // With no other address free the allocator throws and the forward stays where it is.
    const move: AddressMover | undefined = reserved
      ? undefined
      : (taken) => {
          const to = this.deps.allocator.relocate(request, taken);
          // The old address's loopback alias stays: whoever holds the address may need it.
          return { ip: to, alias: ensureAlias(to), names: this.deps.hosts.set(key, { ip: to, hostnames }) };
        };
    const target = new ForwardTarget(
      {
        key,
        registryKey: this.registryKey,
        name,
        namespace: scope.namespace,
        context: scope.context,
        label: this.labelOf(name),
        headless,
        ip,
        hostnames,
      },
      this.deps.targetContext(() => void this.reconcile()),
      {
        alias: aliasReady,
        names: namesReady,
        ...(move ? { move } : {}),
        ...(reserved
          ? {
              entry: {
                withdraw: () => this.deps.hosts.delete(key),
                restore: () => this.deps.hosts.set(key, { ip, hostnames }),
              },
            }
          : {}),
      },
    );
    return target;
  }

  /**
   * How log lines name a forward: `<name>.<namespace>`, and its context where the names are
   * context-qualified too (a context after the first), so two contexts' `redis.shop` differ.
   */
  private labelOf(name: string): string {
    const { scope } = this.deps;
    return `${name}.${scope.namespace}${scope.clusterIndex > 0 ? ` (context ${scope.context})` : ''}`;
  }

  private async dropTarget(target: ForwardTarget): Promise<void> {
    const { scope } = this.deps;
    this.deps.hosts.delete(target.id.key);
    await target.stop();
    this.deps.allocator.release({ context: scope.context, namespace: scope.namespace, name: target.id.name });
    await this.deps.loopback.release(target.id.ip).catch((err: unknown) => {
      this.log.debug(`cannot remove loopback alias ${target.id.ip}: ${errorMessage(err)}`);
    });
    this.log.info(`Stopped forwarding ${target.id.label} (${target.id.ip})`);
  }
}
