// One forward name with its own IP and hostnames (a service, or `<pod>.<svc>` of a headless one):
// a listener per port on the exact IP that stays up across pod changes and reconnects; a session to
// the current pod; the status every port's forward shows. Local connections that arrive while the
// session is (re-)established wait (bounded) instead of being refused.
import { KubefwdError, errorMessage, isKubefwdError, type ErrorCode } from '../contract/errors.js';
import type { ForwardStatus } from '../contract/state.js';
import { createBackoff, type Backoff } from './backoff.js';
import type { ReconnectTrigger } from './events.js';
import { listenFailureLine, portTakenEverywhere } from './listen-failure.js';
import type { ForwardRecord, ServiceRecord } from './model.js';
import { withSubject, type LocalListener, type Logger, type PodSession } from './gateways.js';
import type { WaitInfo } from './reconcile.js';
import type { SessionLease } from './session-pool.js';
import { AddressClaimHolder } from './forward-target/address-claim.js';
import { LocalConnections } from './forward-target/local-connections.js';
import type {
  AddressMover,
  HostsEntryControl,
  TargetContext,
  TargetIdentity,
} from './forward-target/context.js';
import { forwardRecordOf, serviceRecordOf, type PlannedPort } from './forward-target/records.js';
import { SessionWaiters } from './forward-target/waiters.js';

/** Dial failures that pass by themselves: re-dialled with backoff even without -a. */
const seconds = (ms: number): number => Math.round(ms / 1000);

const TRANSIENT: ReadonlySet<string> = new Set(['STREAM_ERROR', 'API_UNREACHABLE', 'API_BUSY', 'TIMEOUT']);

export type { AddressMover, TargetContext, TargetIdentity } from './forward-target/context.js';

interface PortState {
  plan: PlannedPort;
  listener?: LocalListener;
  listenError?: KubefwdError;
  /** A listen in flight and its address: a second one at once would fail on the first's bind. */
  opening?: { ip: string; done: Promise<void> };
  /** The record last emitted (undefined before ForwardAdded). */
  record?: ForwardRecord;
  startedAt: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const asKubefwdError = (err: unknown, fallback: ErrorCode = 'STREAM_ERROR'): KubefwdError =>
  isKubefwdError(err) ? err : new KubefwdError(fallback, errorMessage(err), { cause: err });

export class ForwardTarget {
  readonly id: TargetIdentity;
  private readonly ctx: TargetContext;
  /** The context's logger, every line carrying this forward as its subject (JSON logs, /logs). */
  private readonly log: Logger;
  private readonly ports = new Map<number, PortState>();
  private pod: string | undefined;
  private podUid: string | undefined;
  private lease: SessionLease | undefined;
  private status: ForwardStatus = 'Pending';
  private reason: string | undefined;
  private error: string | undefined;
  private errorCode: string | undefined;
  private nextRetryAt: string | undefined;
  private reconnects = 0;
  private generation = 0;
  private readonly backoff: Backoff;
  private retryTimer: { cancel(): void } | undefined;
  private waitTimer: { cancel(): void } | undefined;
  private waitingSince: number | undefined;
  private waitingPod: string | undefined;
  private readonly waiters: SessionWaiters;
  /** This forward's open local connections (a manual reconnect ends them, and only them). */
  private readonly connections: LocalConnections;
  private stopped = false;
  private serviceEmitted = false;
  private dialing = false;
  /**
   * The failure a retry follows (cleared once Active): a re-dial keeps showing it, or a forward
   * retrying against a server that does not answer looked like one still starting (Connecting, no
   * error) for as long as the outage lasted, and nothing reported it.
   */
  private lastFailure:
    { podName: string; status: ForwardStatus; reason: string; error: string; errorCode: string } | undefined;
  private everActive = false;
  private activeSince = 0;
  /** When the retry-interval re-check of a pod-less forward fires. */
  private recheckAt = 0;
  /** Since when the service has had no pod at all (not even one starting); undefined while it has one. */
  private podlessSince: number | undefined;

  private aliasReady: Promise<void>;
  private namesReady: Promise<void>;
  private readonly move: AddressMover | undefined;
  private readonly entry: HostsEntryControl | undefined;
  /** The hosts entry is out (the reserved address is held by someone else). */
  private withdrawn = false;
  /** Moves since the address last worked: told once the new one binds (addresses in a row may be taken). */
  private moving: { from: string; why: string; count: number } | undefined;
  private announced = false;
  /** Said that it waits for its first pod (once). */
  private toldWaiting = false;
  /** The latest rebind after a move; apply() waits for the chain, so its caller gets the final address. */
  private rebinding: Promise<void> | undefined;
  /** This process's claim on the address (ListenerGateway.claim), per address. */
  private readonly claim: AddressClaimHolder;

  /**
   * `alias`: the loopback alias exists (listeners bind after it). `names`: the hostnames are in the
   * hosts file (the first Active waits for it, so Active means reachable by name). `move`: gives an
   * auto-allocated address up for another (undefined for a reserved one, which stays put).
   */
  constructor(
    id: TargetIdentity,
    ctx: TargetContext,
    ready: {
      alias?: Promise<void>;
      names?: Promise<void>;
      move?: AddressMover;
      entry?: HostsEntryControl;
    } = {},
  ) {
    this.id = id;
    this.ctx = ctx;
    this.log = withSubject(ctx.logger, () => ({
      serviceKey: this.id.key,
      serviceName: this.id.name,
      namespace: this.id.namespace,
      context: this.id.context,
      podName: this.pod,
      localIP: this.id.ip,
    }));
    this.aliasReady = ready.alias ?? Promise.resolve();
    this.namesReady = ready.names ?? Promise.resolve();
    this.move = ready.move;
    this.entry = ready.entry;
    this.backoff = createBackoff(ctx.backoff);
    this.waiters = new SessionWaiters(ctx.clock);
    this.claim = new AddressClaimHolder(ctx.listener);
    this.connections = new LocalConnections({
      id,
      clock: ctx.clock,
      logger: this.log,
      traffic: ctx.traffic,
      label: () => this.label(),
      planOf: (localPort) => this.ports.get(localPort)?.plan,
      pod: () => this.pod,
      activeSession: () => this.activeSession(),
    });
  }

  get currentPod(): string | undefined {
    return this.pod;
  }

  get currentStatus(): ForwardStatus {
    return this.status;
  }

  serviceRecord(): ServiceRecord {
    return serviceRecordOf(
      this.id,
      [...this.ports.values()].map(({ plan }) => plan),
    );
  }

  forwardRecords(): ForwardRecord[] {
    return [...this.ports.values()].map((p) => this.recordFor(p));
  }

  /**
   * Applies a plan: the ports (with pod ports resolved when a pod is chosen), the pod (undefined →
   * waiting, with why), and the pod's uid.
   */
  async apply(
    ports: readonly PlannedPort[],
    pod: { name: string; uid?: string | undefined } | undefined,
    wait?: WaitInfo,
  ): Promise<void> {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    const podChanged = (pod?.name ?? undefined) !== this.pod;
    if (podChanged && this.pod !== undefined) {
      // The forward moves: its records keyed by the old pod go, new ones come.
      for (const p of this.ports.values()) this.removeRecord(p);
      this.dropSession();
    }
    const { portsChanged, opening } = await this.applyPorts(ports, now);
    if (!this.serviceEmitted) {
      this.serviceEmitted = true;
      this.ctx.emit({ type: 'ServiceAdded', at: now, service: this.serviceRecord() });
    } else if (portsChanged)
      this.ctx.emit({ type: 'ServiceUpdated', at: now, service: this.serviceRecord() });
    await Promise.all(opening);
    await this.bindsSettled();
    if (this.stopped) return;
    // Its names and address, said once the address is final (a taken one moves it on first).
    if (!this.announced) {
      this.announced = true;
      this.log.info(
        `${this.label()} → ${this.id.ip}:${[...this.ports.keys()].join(',')} → ${this.id.hostnames.join(' ')}`,
      );
    }

    this.applyPod(pod, podChanged, wait);
    this.emitRecords();
  }

  /**
   * Closes the ports no longer wanted, updates the kept ones and starts listening on the new ones
   * (and retries a kept one that could not listen). The listens run on; the caller awaits `opening`.
   */
  private async applyPorts(
    ports: readonly PlannedPort[],
    now: number,
  ): Promise<{ portsChanged: boolean; opening: Promise<void>[] }> {
    const wanted = new Map(ports.map((p) => [p.localPort, p]));
    let portsChanged = false;
    for (const [localPort, state] of [...this.ports]) {
      if (!wanted.has(localPort)) {
        this.ports.delete(localPort);
        this.removeRecord(state);
        await state.listener?.close();
        portsChanged = true;
      }
    }
    const opening: Promise<void>[] = [];
    for (const [localPort, plan] of wanted) {
      const state = this.ports.get(localPort);
      if (state) {
        if (
          state.plan.port !== plan.port ||
          state.plan.targetPort !== plan.targetPort ||
          state.plan.name !== plan.name
        )
          portsChanged = true;
        state.plan = plan;
        if (!state.listener && state.listenError) opening.push(this.listen(state));
      } else {
        const fresh: PortState = { plan, startedAt: iso(now) };
        this.ports.set(localPort, fresh);
        portsChanged = true;
        opening.push(this.listen(fresh));
      }
    }
    return { portsChanged, opening };
  }

  /** Follows the plan's pod: connect to a new one, wait without one, re-dial a recreated one. */
  private applyPod(
    pod: { name: string; uid?: string | undefined } | undefined,
    podChanged: boolean,
    wait: WaitInfo | undefined,
  ): void {
    if (podChanged) {
      const previous = this.pod;
      this.pod = pod?.name;
      this.podUid = pod?.uid;
      if (pod) {
        this.podlessSince = undefined;
        this.clearWait();
        if (previous !== undefined)
          this.log.info(`${this.label()}: moving from pod ${previous} to pod ${pod.name}`);
        void this.connect(previous === undefined ? 'auto' : 'pod-change', true);
      } else {
        this.enterWaiting(wait);
      }
    } else if (!pod) this.enterWaiting(wait);
    else if (pod.uid !== undefined && this.podUid !== undefined && pod.uid !== this.podUid) {
      // Same name, new pod (a StatefulSet replica recreated): its session belongs to the old one.
      this.podUid = pod.uid;
      this.log.info(`${this.label()}: pod ${pod.name} was recreated; reconnecting`);
      this.ctx.pool.invalidate(this.id.context, this.id.namespace, pod.name);
      this.dropSession();
      void this.connect('pod-change', false);
    } else this.podUid = pod.uid;
  }

  /**
   * Ends this forward's connections and dials a fresh session now (manual reconnect / sync), backoff
   * reset. A session shared with other forwards on the same pod is retired, not closed: their
   * connections carry on untouched.
   */
  reconnect(trigger: ReconnectTrigger): void {
    if (this.stopped) return;
    this.backoff.reset();
    // Retry listeners that failed (the port may be free now).
    for (const state of this.ports.values())
      if (!state.listener) void this.listen(state).then(() => this.emitRecords());
    if (this.pod === undefined) {
      this.ctx.requestReconcile();
      return;
    }
    this.dropSession({ retire: true });
    this.connections.endAll();
    void this.connect(trigger, true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation++;
    this.cancelTimers();
    this.rejectWaiters(new KubefwdError('SERVICE_NOT_FOUND', `${this.label()} is no longer forwarded`));
    this.dropSession();
    const at = this.ctx.clock.now();
    for (const state of this.ports.values()) this.removeRecord(state);
    await Promise.all([...this.ports.values()].map((s) => s.listener?.close() ?? Promise.resolve()));
    this.ports.clear();
    await this.claim.release();
    if (this.serviceEmitted)
      this.ctx.emit({
        type: 'ServiceRemoved',
        at,
        serviceKey: this.id.key,
        registryKey: this.id.registryKey,
        serviceName: this.id.name,
        namespace: this.id.namespace,
        context: this.id.context,
      });
  }

  // ------------------------------------------------------------------ internals

  private label(): string {
    return this.id.label;
  }

  /**
   * Listens on the forward's address, once at a time: a manual reconnect retries a failed port and
   * re-plans the service, which retries it too, and the second bind found the first's and moved the
   * forward away from an address that had just become free.
   */
  private listen(state: PortState): Promise<void> {
    const ip = this.id.ip;
    if (state.opening?.ip === ip) return state.opening.done;
    const opening = {
      ip,
      done: this.claimAndBind(state, ip).finally(() => {
        if (state.opening === opening) delete state.opening;
      }),
    };
    state.opening = opening;
    return opening.done;
  }

  private async claimAndBind(state: PortState, ip: string): Promise<void> {
    let failure: KubefwdError | undefined;
    try {
      await this.aliasReady;
      const claim = await this.claim.claimFor(ip);
      if (ip !== this.id.ip || this.stopped) return;
      if (claim.held) {
        await this.bind(state, ip);
        return;
      }
      const why = `is used by another ${claim.holder}`;
      if (this.moveFrom(ip, why, 'address')) return;
      failure = new KubefwdError(
        'PORT_IN_USE',
        this.move
          ? `${ip} ${why} and no other address is free for it; stop that kubefwd`
          : `reserved address ${ip} ${why}; stop that kubefwd or reserve another address`,
        { field: ip },
      );
    } catch (err) {
      if (ip !== this.id.ip) return;
      failure = await this.bindFailed(ip, state.plan, asKubefwdError(err, 'INTERNAL'));
      if (failure === undefined || ip !== this.id.ip || this.stopped) return;
    }
    this.cannotListen(state, ip, failure);
  }

  /** Listens on `ip` for the port, now that the address is this forward's. */
  private async bind(state: PortState, ip: string): Promise<void> {
    const port = state.plan.localPort;
    const listener = await this.ctx.listener.listen(ip, port, (socket) =>
      this.connections.accept(socket, port),
    );
    if (ip !== this.id.ip || this.stopped || !this.ports.has(port)) {
      await listener.close();
      return;
    }
    state.listener = listener;
    delete state.listenError;
    this.toldMove(ip);
    if (this.withdrawn) {
      this.withdrawn = false;
      this.log.info(`${this.label()}: ${ip} is free again; its names are back in the hosts file`);
      await this.entry?.restore();
    }
  }

  /**
   * What a failed bind of the port on `ip` leaves the port with, or undefined when the forward moved
   * on to another address (the port binds there). A port that another program holds on every
   * address stays: each address of the block would fail the same way, and walking them all gave
   * this service the block's last address and left none for the next services.
   */
  private async bindFailed(
    ip: string,
    plan: PlannedPort,
    e: KubefwdError,
  ): Promise<KubefwdError | undefined> {
    if (e.code !== 'PORT_IN_USE') return e;
    const port = plan.localPort;
    if (await this.ctx.listener.takenOnAllAddresses?.(port)) return portTakenEverywhere(plan);
    if (this.stopped) return undefined;
    // The message starts with the address ("127.1.27.6:6379 is already in use…"), which the
    // warning names already: "127.1.27.6 port 6379 is already in use…; moved to …".
    if (this.moveFrom(ip, `port ${port} ${e.message.replace(`${ip}:${port} `, '')}`, 'port'))
      return undefined;
    return e;
  }

  /** The port stays in Error with `e`, said once (the periodic resync retries the bind). */
  private cannotListen(state: PortState, ip: string, e: KubefwdError): void {
    this.toldMove(ip);
    // A reserved address someone else holds: its names must not lead clients to them.
    if (e.code === 'PORT_IN_USE' && this.entry && !this.withdrawn) {
      this.withdrawn = true;
      this.entry.withdraw();
      this.log.warn(
        `${this.label()}: its names stay out of the hosts file while ${ip} is held by someone else`,
      );
    }
    // Said once: the periodic resync retries the bind, and the same failure again is no news.
    const repeated = state.listenError?.message === e.message;
    state.listenError = e;
    if (!repeated) this.log.error(listenFailureLine(this.label(), ip, state.plan, e));
  }

  /**
   * Moves an auto-allocated address that turned out to be taken (`taken`: as a whole, or at a port)
   * on to a free one: listeners on the old address close, every port binds on the new one, the
   * hosts entry follows. False when the address must stay (reserved, or no other one free), so the
   * caller shows the error.
   */
  private moveFrom(ip: string, why: string, taken: 'address' | 'port'): boolean {
    if (ip !== this.id.ip) return true;
    if (!this.move) return false;
    let next: ReturnType<AddressMover>;
    try {
      next = this.move(taken);
    } catch (err) {
      // In the order it happened: the moves so far, then why they end here (the caller's Error
      // line follows).
      this.toldMove(ip);
      this.log.error(`Cannot move ${this.label()} to another address: ${errorMessage(err)}`);
      return false;
    }
    this.log.debug(`${this.label()}: ${ip} ${why}; moving to ${next.ip}`);
    if (this.moving) this.moving.count++;
    else this.moving = { from: ip, why, count: 1 };
    this.id.ip = next.ip;
    this.aliasReady = next.alias;
    this.namesReady = next.names;
    this.rebinding = this.rebind();
    return true;
  }

  /** Resolves once a taken address has moved as far as it will (each rebind may move it again). */
  private async bindsSettled(): Promise<void> {
    for (let r = this.rebinding; r; r = this.rebinding) {
      await r;
      if (this.rebinding === r) this.rebinding = undefined;
    }
  }

  /** Says where the moves since the address last worked ended (`ip`), once. */
  private toldMove(ip: string): void {
    if (!this.moving) return;
    const { from, why, count } = this.moving;
    this.moving = undefined;
    this.log.warn(
      `${this.label()}: ${from} ${why}; moved to ${ip}${count === 2 ? ' (1 more address on the way was taken too)' : count > 2 ? ` (${count - 1} more addresses on the way were taken too)` : ''}`,
    );
  }

  private async rebind(): Promise<void> {
    const ip = this.id.ip;
    await this.claim.release();
    const states = [...this.ports.values()];
    await Promise.all(
      states.map(async (state) => {
        const old = state.listener;
        delete state.listener;
        delete state.listenError;
        await old?.close();
      }),
    );
    if (this.stopped || ip !== this.id.ip) return;
    if (this.serviceEmitted)
      this.ctx.emit({ type: 'ServiceUpdated', at: this.ctx.clock.now(), service: this.serviceRecord() });
    await Promise.all(states.map((state) => this.listen(state)));
    this.emitRecords();
  }

  private dropSession(opts?: { retire?: boolean }): void {
    this.generation++;
    this.lease?.release(opts);
    this.lease = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
  }

  private cancelTimers(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.clearWait();
  }

  private clearWait(): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    this.waitingSince = undefined;
    this.waitingPod = undefined;
  }

  private enterWaiting(wait: WaitInfo | undefined): void {
    const now = this.ctx.clock.now();
    if (wait?.podName === undefined) this.podlessSince ??= now;
    else this.podlessSince = undefined;
    const reason = wait?.reason ?? 'no ready pod';
    if (wait?.podName !== undefined && this.ctx.timeoutMs > 0) this.waitForPod(wait.podName, reason, now);
    else this.waitForAnyPod(reason, now, wait?.code);
    this.rejectWaitersIfHopeless();
  }

  /** A pod is on its way: Waiting for it up to -t, then Error (still watching it). */
  private waitForPod(podName: string, reason: string, now: number): void {
    if (this.waitingPod !== podName || this.waitingSince === undefined) {
      this.clearWait();
      this.waitingSince = now;
      this.waitingPod = podName;
    }
    const waited = now - this.waitingSince;
    if (waited >= this.ctx.timeoutMs) {
      const reason = `pod ${podName} did not become ready within ${seconds(this.ctx.timeoutMs)}s (-t); still watching it`;
      // Said when it happens: it showed in the log only once a waiting connection gave up.
      if (this.status !== 'Error') this.log.warn(`${this.label()}: ${reason}`);
      this.setState('Error', {
        reason,
        error: `timed out waiting for pod ${podName} to become ready`,
        errorCode: 'TIMEOUT',
      });
      return;
    }
    // Armed for what is left of the wait, and armed again when it fired a little before the
    // clock says the wait is over (timers may run a millisecond early against Date.now()):
    // without that the forward stayed Waiting for good.
    this.waitTimer ??= this.ctx.clock.setTimeout(() => {
      this.waitTimer = undefined;
      this.ctx.requestReconcile();
    }, this.ctx.timeoutMs - waited);
    const deadline = this.waitingSince + this.ctx.timeoutMs;
    this.setState('Waiting', {
      reason: `${reason}; waiting up to ${seconds(this.ctx.timeoutMs)}s`,
      errorCode: 'NO_PODS',
      nextRetryAt: iso(deadline),
    });
  }

  /** No pod (or no -t): Waiting, re-planned every retry interval. */
  private waitForAnyPod(reason: string, now: number, code: ErrorCode = 'NO_PODS'): void {
    this.clearWait();
    if (this.ctx.retryIntervalMs > 0 && !this.retryTimer) {
      this.recheckAt = now + this.ctx.retryIntervalMs;
      this.retryTimer = this.ctx.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.ctx.requestReconcile();
      }, this.ctx.retryIntervalMs);
    }
    this.setState('Waiting', {
      reason,
      errorCode: code,
      ...(this.retryTimer ? { nextRetryAt: iso(this.recheckAt) } : {}),
    });
  }

  private setState(
    status: ForwardStatus,
    extra: { reason?: string; error?: string; errorCode?: string; nextRetryAt?: string } = {},
  ): void {
    // A forward that served and now has no pod: said once, as its connections will now wait.
    if (status === 'Waiting' && this.status === 'Active')
      this.log.warn(`${this.label()}: ${extra.reason ?? 'no ready pod'}; new connections wait for a pod`);
    // One that has not served yet (its pod is still starting): said once too, or the start is
    // silent about it until -t runs out.
    else if (status === 'Waiting' && !this.everActive && !this.toldWaiting) {
      this.toldWaiting = true;
      this.log.info(`${this.label()}: ${extra.reason ?? 'no ready pod yet'}; connections wait for it`);
    }
    this.status = status;
    this.reason = extra.reason;
    this.error = extra.error;
    this.errorCode = extra.errorCode;
    this.nextRetryAt = extra.nextRetryAt;
  }

  /** Dials (never rejects: an unexpected failure is logged and shown as the forward's error). */
  private async connect(trigger: ReconnectTrigger, fresh: boolean): Promise<void> {
    try {
      await this.dial(trigger, fresh);
    } catch (err) {
      this.log.error(`${this.label()}: unexpected error while connecting: ${errorMessage(err)}`);
    }
  }

  private async dial(trigger: ReconnectTrigger, fresh: boolean): Promise<void> {
    if (this.stopped || this.pod === undefined) return;
    const gen = ++this.generation;
    const podName = this.pod;
    this.dialing = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    const attempt = this.backoff.attempt + 1;
    const started = this.ctx.clock.now();
    const failure = this.lastFailure?.podName === podName ? this.lastFailure : undefined;
    if (failure)
      this.setState(failure.status, {
        reason: `${failure.reason}; trying again now (attempt ${attempt})`,
        error: failure.error,
        errorCode: failure.errorCode,
      });
    else this.setState('Connecting', { reason: `connecting to pod ${podName}` });
    this.emitRecords();
    try {
      if (!this.lease)
        this.lease = this.ctx.pool.acquire(this.ctx.cluster, this.id.namespace, podName, this.podUid);
      const { session } = this.lease;
      await session.ready();
      if (!this.everActive) await this.namesReady;
      if (gen !== this.generation || this.stopped) return;
      this.becameActive(session, gen, podName, { trigger, attempt, started, fresh });
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      this.dialing = false;
      const e = asKubefwdError(err);
      this.lease?.release();
      this.lease = undefined;
      this.emitReconnect({ trigger, attempt, started }, e);
      // A session that closed or failed under the dial (another holder's pod change, a cut) is not
      // something the user must act on: it is re-dialled with backoff even without -a, as a lost
      // session is. Without that the forward sat in Error with no retry until new traffic came.
      // An API server that does not answer (restarting, a VPN coming back) is retried the same
      // way, still shown as Error, and new connections are held meanwhile instead of refused. One
      // that answered 429 asked to be left alone a while: that is a wait, not a failure.
      const retryAs = e.code === 'STREAM_ERROR' || e.code === 'API_BUSY' ? 'Waiting' : 'Error';
      const delay = this.failed(
        e,
        `cannot connect to pod ${podName}`,
        TRANSIENT.has(e.code) ? retryAs : undefined,
      );
      this.log.warn(
        `${this.label()}: cannot connect to pod ${podName}: ${e.message}${delay === undefined ? '' : `; retrying in ${seconds(delay)}s`}`,
      );
    }
  }

  /** The dial's session is up: Active, waiting connections carried, its end watched. */
  private becameActive(
    session: PodSession,
    gen: number,
    podName: string,
    dial: { trigger: ReconnectTrigger; attempt: number; started: number; fresh: boolean },
  ): void {
    this.dialing = false;
    this.lastFailure = undefined;
    const wasActive = this.everActive;
    this.everActive = true;
    this.backoff.reset();
    this.activeSince = this.ctx.clock.now();
    this.setState('Active');
    if (!dial.fresh || wasActive) this.reconnects++;
    this.emitRecords();
    if (wasActive || dial.trigger !== 'auto') this.emitReconnect(dial);
    // Only the ports that listen: one that failed was already reported as the forward's Error, and
    // a success line naming it (or a forward with none) would contradict that line.
    const listening = [...this.ports].filter(([, s]) => s.listener).map(([port]) => port);
    if (listening.length > 0)
      this.log.info(
        `${this.label()} → ${this.id.ip}:${listening.join(',')} → pod ${podName} (${session.transport})`,
      );
    this.waiters.resolveAll(session);
    void session.closed.then(
      (err) => this.onSessionClosed(gen, err),
      () => this.onSessionClosed(gen, undefined),
    );
  }

  /** The Reconnect event of one dial: a success, or the failure `error`. */
  private emitReconnect(
    dial: { trigger: ReconnectTrigger; attempt: number; started: number },
    error?: KubefwdError,
  ): void {
    const at = this.ctx.clock.now();
    this.ctx.emit({
      type: 'Reconnect',
      at,
      serviceKey: this.id.key,
      trigger: dial.trigger,
      attempt: dial.attempt,
      success: error === undefined,
      durationMs: at - dial.started,
      ...(error !== undefined ? { error: error.message } : {}),
    });
  }

  /**
   * A dial failed or the session died: Error (with the next retry when auto-reconnecting). With
   * `alwaysRetryAs` the retry comes without -a too, in that state. Returns the wait before the
   * retry, if one comes.
   */
  private failed(e: KubefwdError, what: string, alwaysRetryAs?: 'Waiting' | 'Error'): number | undefined {
    if (this.ctx.autoReconnect || alwaysRetryAs) {
      const status = alwaysRetryAs ?? 'Error';
      const delay = this.backoff.next(e.retryAfterMs);
      const at = this.ctx.clock.now() + delay;
      // No countdown in the reason: it would be stale when read; nextRetryAt says when, and every
      // view (TUI, dashboard, MCP) tells the time left from it.
      const reason = `${what}: ${e.message}`;
      if (this.pod !== undefined)
        this.lastFailure = { podName: this.pod, status, reason, error: e.message, errorCode: e.code };
      this.setState(status, { reason, error: e.message, errorCode: e.code, nextRetryAt: iso(at) });
      const gen = this.generation;
      this.retryTimer = this.ctx.clock.setTimeout(() => {
        this.retryTimer = undefined;
        if (gen === this.generation) void this.connect('auto', false);
      }, delay);
      this.emitRecords();
      return delay;
    }
    this.setState('Error', {
      reason: `${what}: ${e.message}; retried on the next connection or pod change (use -a to retry automatically)`,
      error: e.message,
      errorCode: e.code,
    });
    this.rejectWaiters(e);
    this.emitRecords();
    return undefined;
  }

  private onSessionClosed(gen: number, err: KubefwdError | undefined): void {
    if (gen !== this.generation || this.stopped) return;
    this.lease?.release();
    this.lease = undefined;
    const e = err ?? new KubefwdError('STREAM_ERROR', 'port-forward connection closed');
    this.log.warn(`${this.label()}: lost connection to pod ${this.pod ?? '?'}: ${e.message}`);
    // A lost session is always re-dialled (the listener stays). After a session that lived a while
    // the first re-dial is immediate; a session that keeps dying right away backs off.
    if (this.ctx.clock.now() - this.activeSince >= 1000) {
      // The re-dial (dial) shows this loss until it succeeds or fails for its own reason.
      if (this.pod !== undefined)
        this.lastFailure = {
          podName: this.pod,
          status: 'Connecting',
          reason: `lost connection to pod ${this.pod}: ${e.message}`,
          error: e.message,
          errorCode: e.code,
        };
      void this.connect('auto', false);
      return;
    }
    this.failed(e, `lost connection to pod ${this.pod ?? '?'}`, 'Waiting');
  }

  /** The session once Active, waiting (bounded) while it is being established. */
  private activeSession(): Promise<PodSession> {
    if (this.status === 'Active' && this.lease) return Promise.resolve(this.lease.session);
    if (this.pod !== undefined && !this.dialing && !this.retryTimer && this.status === 'Error')
      // Not auto-reconnecting: a new connection is the cue to try again.
      void this.connect('auto', false);
    if (this.pod === undefined && this.status === 'Error')
      return Promise.reject(
        new KubefwdError(
          (this.errorCode as ErrorCode | undefined) ?? 'NO_PODS',
          this.reason ?? 'no ready pod',
        ),
      );
    // Holding a connection is worth it while a pod is on its way (a rollout, a restart: pod-less
    // for moments). A service without any pod for longer than the hold itself (scaled to zero,
    // a selector matching nothing) gets its connections closed at once instead of after the hold.
    const podless = this.podlessSince === undefined ? 0 : this.ctx.clock.now() - this.podlessSince;
    if (this.pod === undefined && podless >= this.ctx.connectWaitMs)
      return Promise.reject(
        new KubefwdError(
          'NO_PODS',
          `${this.reason ?? 'no pod'} for ${seconds(podless)}s; not holding the connection`,
        ),
      );
    return this.waiters.wait(
      this.ctx.connectWaitMs,
      () =>
        new KubefwdError(
          'TIMEOUT',
          `${this.label()}: no connection to a pod within ${seconds(this.ctx.connectWaitMs)}s (${this.reason ?? this.status})`,
        ),
    );
  }

  private rejectWaiters(e: KubefwdError): void {
    this.waiters.rejectAll(e);
  }

  private rejectWaitersIfHopeless(): void {
    if (this.status === 'Error')
      this.rejectWaiters(
        new KubefwdError(
          (this.errorCode as ErrorCode | undefined) ?? 'NO_PODS',
          this.reason ?? 'no ready pod',
        ),
      );
  }

  private recordFor(state: PortState): ForwardRecord {
    return forwardRecordOf(this.id, state, {
      pod: this.pod,
      status: this.status,
      reason: this.reason,
      error: this.error,
      errorCode: this.errorCode,
      nextRetryAt: this.nextRetryAt,
      reconnects: this.reconnects,
    });
  }

  private emitRecords(): void {
    if (this.stopped) return;
    const at = this.ctx.clock.now();
    for (const state of this.ports.values()) {
      const next = this.recordFor(state);
      const prev = state.record;
      if (prev && prev.key !== next.key) this.removeRecord(state);
      if (!state.record) {
        state.record = next;
        this.ctx.emit({ type: 'ForwardAdded', at, forward: next });
      } else if (JSON.stringify(state.record) !== JSON.stringify(next)) {
        const previousStatus = state.record.status;
        state.record = next;
        this.ctx.emit({ type: 'ForwardUpdated', at, forward: next, previousStatus });
      }
    }
  }

  private removeRecord(state: PortState): void {
    if (!state.record) return;
    this.ctx.emit({
      type: 'ForwardRemoved',
      at: this.ctx.clock.now(),
      key: state.record.key,
      serviceKey: this.id.key,
      serviceName: state.record.serviceName,
      namespace: state.record.namespace,
      context: state.record.context,
      podName: state.record.podName,
    });
    this.ctx.traffic.forwardRemoved(state.record.key);
    delete state.record;
  }
}
