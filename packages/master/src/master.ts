import { hostname as osHostname } from "node:os";
import {
  AGORA_VERSION,
  type AgentId,
  type FrameworkId,
  type MasterInfo,
  newId,
  type Resource,
  type Subjects,
  subjects,
} from "@agora/protocol";
import { type Authorization, countedAuthorization } from "@agora/security";
import {
  AlwaysLeader,
  type Bus,
  type BusMessage,
  type BusSubscription,
  type LeaderElection,
  type LeaderInfo,
  type StateStore,
  type TimerHandle,
} from "@agora/transport";
import { handleAgentMessage } from "./agents/dispatch.js";
import { markAgentGone } from "./agents/gone.js";
import { checkLaunches, LAUNCH_CHECK_REFILL_MS } from "./agents/launch-check.js";
import { pingAgents } from "./agents/pinger.js";
import { expireUnreachableAgents } from "./agents/unreachable.js";
import { runAllocation } from "./allocation.js";
import { type Allocator, DrfAllocator } from "./allocator/drf-allocator.js";
import { Authentication } from "./authentication.js";
import { handleCall, overtakesQueuedCalls } from "./calls/dispatch.js";
import { teardown } from "./calls/teardown.js";
import type { MasterContext } from "./context.js";
import { MasterError } from "./errors.js";
import { checkFrameworks, connectionClosed, FRAMEWORK_CHECK_INTERVAL_MS } from "./framework-failover.js";
import { FrameworkLivenessTicks } from "./framework-liveness.js";
import { machinesDown, machinesUp, updateSchedule } from "./maintenance/operator.js";
import {
  type MachineId,
  type MaintenanceSchedule,
  type MaintenanceStatus,
  maintenanceStatus,
} from "./maintenance/schedule.js";
import { MasterMetrics } from "./metrics.js";
import { type MasterOptions, type ResolvedMasterOptions, resolveOptions } from "./options.js";
import { Outbox } from "./outbox.js";
import type { RegistryWatch } from "./registry/changes.js";
import { MasterState } from "./registry/master-state.js";
import { metricsSource } from "./registry/metrics-source.js";
import { recoverRegistry } from "./registry/recovery.js";
import { announceLeadership, expireRecoveringAgents, loadAdmitted } from "./registry/takeover.js";
import type { QuotaInfo } from "./roles/quota.js";
import { listQuotas, removeQuota, setQuota } from "./roles/quota-operations.js";
import { operatorReservation } from "./roles/reservations.js";
import { summarizeRoles } from "./roles/role-summary.js";
import { listWeights, updateWeights } from "./roles/weight-operations.js";
import type { WeightInfo } from "./roles/weights.js";
import type { MasterView } from "./view.js";

/** First and longest wait between takeover attempts (Mesos retries its registry fetch likewise, then aborts). */
const TAKEOVER_RETRY_MS = 500;
const TAKEOVER_RETRY_MAX_MS = 5_000;

/**
 * The Agora master: registers agents, subscribes frameworks, offers agents' resources to
 * frameworks (DRF), books tasks and relays their status updates, and watches agents with pings.
 * It talks only through the injected bus and store; time comes from the injected clock.
 *
 * @example
 * const master = new Master({ bus, store });
 * const app = buildMasterHttp(master);
 * await app.listen({ port: 5050 });
 * await master.start({ httpPort: 5050 });
 * // …
 * await master.stop();
 * await app.close();
 */
export class Master {
  /** The leader term stamped on every message: the election's epoch, 0 until elected. */
  epoch = 0;
  /** This master's id, also the prefix of the agent ids it mints. */
  readonly id: string = newId();
  readonly metrics: MasterMetrics;
  /** The ACLs' checks, shared by the bus handlers and the HTTP API; undefined without `--acls`. */
  readonly authorization: Authorization | undefined;
  /** Who may register and subscribe (`--authenticate-*`, `--credentials`); the scheduler API asks it too. */
  readonly authentication: Authentication;

  private readonly options: ResolvedMasterOptions;
  private readonly bus: Bus;
  private readonly state: MasterState;
  private readonly ctx: MasterContext;
  private readonly allocator: Allocator;
  private election: LeaderElection | undefined;
  private masterInfo: MasterInfo;
  private subscriptions: BusSubscription[] = [];
  private timers: TimerHandle[] = [];
  private allocationPending: TimerHandle | undefined;
  private launchCheckPending: TimerHandle | undefined;
  /** What the pending event-triggered cycle visits: these agents, or every one. */
  private allocationAgents: Set<AgentId> | "all" = new Set();
  private started = false;
  private running = false;
  private startedAt: number;
  private electedAt: number | undefined;
  private agentSeq = 0;

  constructor(private readonly masterOptions: MasterOptions) {
    this.options = resolveOptions(masterOptions, osHostname());
    this.bus = masterOptions.bus;
    this.allocator = masterOptions.allocator ?? new DrfAllocator();
    this.election = masterOptions.election;
    this.state = new MasterState(this.options);
    this.metrics = new MasterMetrics(metricsSource(this.state));
    this.authorization =
      masterOptions.authorizer &&
      countedAuthorization(masterOptions.authorizer, this.options.logger, this.metrics.registry);
    this.authentication = new Authentication(
      masterOptions.authentication ?? {},
      this.options.logger,
      this.metrics.registry,
    );
    this.startedAt = this.options.clock.now();
    this.masterInfo = { id: this.id, hostname: this.options.hostname, port: 0, version: AGORA_VERSION };
    const subs = subjects(this.options.cluster);
    const out = new Outbox(
      this.bus,
      subs,
      () => this.epoch,
      this.options.logger,
      (reason, to, type) => this.metrics.messageDropped(reason, to, type),
      (frameworkId) => this.state.frameworks.get(frameworkId)?.info,
      this.options.clock,
    );
    this.ctx = this.context(masterOptions.store, subs, out);
  }

  /**
   * Joins the leader election (a lone master leads at once). Once elected, the master loads the
   * registry (role settings, admitted agents and frameworks), subscribes to the master subjects,
   * asks known agents to reregister, and starts allocation, heartbeats and agent pings. A standby
   * only serves HTTP (redirecting to the leader).
   */
  async start({ httpPort }: { httpPort: number }): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.metrics.startLoopMonitor();
    this.masterInfo = { ...this.masterInfo, port: httpPort };
    this.startedAt = this.options.clock.now();
    this.election ??= new AlwaysLeader({
      name: `agora-master-${this.options.cluster}`,
      id: this.id,
      address: `http://${this.options.hostname}:${httpPort}`,
    });
    await this.election.start({
      onElected: (epoch) => this.lead(epoch),
      onDeposed: (reason) => this.deposed(reason),
    });
  }

  /** True while this master leads (acts on calls and agent messages). */
  get isLeader(): boolean {
    return this.running;
  }

  /** The leading master as this one knows it (itself while leading); undefined when none is known. */
  leader(): LeaderInfo | undefined {
    return this.election?.leader();
  }

  /** Stops acting and leaves the election (a leader resigns, so a standby takes over at once). */
  async stop(): Promise<void> {
    this.stopActing();
    this.metrics.stopLoopMonitor();
    await this.election?.close();
    if (this.started) this.options.logger.info({ masterId: this.id }, "master stopped");
    this.started = false;
  }

  /**
   * Takes over, retrying with backoff while the lease holds and for up to `registryFetchTimeoutMs`:
   * a takeover's registry reads fail while JetStream re-elects after a NATS node died, and resigning at
   * once would make every standby win the lease, fail and leave in turn. Past the deadline it resigns.
   */
  private async lead(epoch: number): Promise<void> {
    const { clock, logger, registryFetchTimeoutMs } = this.options;
    this.epoch = epoch;
    const deadline = clock.now() + registryFetchTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.takeOver(epoch);
        return;
      } catch (err) {
        this.stopActing();
        if (!this.election?.isLeader) return;
        const retryInMs = Math.min(
          TAKEOVER_RETRY_MS * 2 ** attempt,
          TAKEOVER_RETRY_MAX_MS,
          deadline - clock.now(),
        );
        if (retryInMs <= 0) {
          logger.error({ err, epoch, attempts: attempt + 1 }, "could not take over as leader; resigning");
          await this.election.close();
          this.masterOptions.onDeposed?.(`takeover failed: ${String(err)}`);
          return;
        }
        logger.warn(
          { err, epoch, attempt: attempt + 1, retryInMs },
          "could not take over as leader yet; retrying",
        );
        await new Promise<void>((resolve) => clock.setTimeout(resolve, retryInMs));
        if (!this.election?.isLeader || this.epoch !== epoch) return;
      }
    }
  }

  /** Loads the registry, subscribes to the master subjects and starts acting, unless the lease was lost meanwhile. */
  private async takeOver(epoch: number): Promise<void> {
    const { clock, logger } = this.options;
    await recoverRegistry(this.ctx);
    const admitted = await loadAdmitted(this.ctx);
    if (!this.election?.isLeader) return;
    this.running = true;
    this.electedAt = clock.now();
    const { masterCall, principalCalls, masterLivenessTick } = this.ctx.subjects;
    const ticks = new FrameworkLivenessTicks(
      this.bus,
      [masterCall, masterLivenessTick],
      clock,
      logger,
      (caughtUpTo) => checkFrameworks(this.ctx, caughtUpTo),
    );
    const calls = (subscription: string) => (msg: BusMessage) =>
      ticks.take(msg, subscription) ? undefined : handleCall(this.ctx, msg);
    this.subscriptions = [
      this.bus.subscribe(masterCall, calls(masterCall), { overtakes: overtakesQueuedCalls }),
      this.bus.subscribe(principalCalls, calls(principalCalls), { overtakes: overtakesQueuedCalls }),
      this.bus.subscribe(this.ctx.subjects.masterAgent, (msg) => handleAgentMessage(this.ctx, msg)),
    ];
    await this.bus.flush();
    announceLeadership(this.ctx);
    this.timers = [
      clock.setInterval(() => this.allocateNow(), this.options.allocationIntervalMs),
      clock.setInterval(() => this.sendHeartbeats(), this.options.heartbeatIntervalSeconds * 1000),
      clock.setInterval(() => pingAgents(this.ctx, () => this.running), this.options.agentPingTimeoutMs),
      clock.setInterval(() => ticks.send(), FRAMEWORK_CHECK_INTERVAL_MS),
      clock.setInterval(() => checkLaunches(this.ctx), this.options.agentPingTimeoutMs),
      clock.setTimeout(() => expireRecoveringAgents(this.ctx), this.options.agentReregisterTimeoutMs),
      // Checked every ping period: precise enough for a timeout of days, and cheap (unreachable agents only).
      clock.setInterval(() => void expireUnreachableAgents(this.ctx), this.options.agentPingTimeoutMs),
    ];
    logger.info(
      {
        masterId: this.id,
        epoch,
        cluster: this.options.cluster,
        port: this.masterInfo.port,
        awaitedAgents: admitted.agents,
        frameworks: admitted.frameworks,
      },
      "master started: leading",
    );
  }

  private deposed(reason: string): void {
    this.stopActing();
    this.electedAt = undefined;
    this.options.logger.fatal(
      { masterId: this.id, epoch: this.epoch, reason },
      "lost leadership: stopped acting",
    );
    this.masterOptions.onDeposed?.(reason);
  }

  /** Unsubscribes and stops every timer; in-flight work finishes without sending anything new. */
  private stopActing(): void {
    if (!this.running) return;
    this.running = false;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    for (const t of this.timers) this.options.clock.clear(t);
    this.timers = [];
    for (const entry of this.state.offers.values()) if (entry.timer) this.options.clock.clear(entry.timer);
    if (this.allocationPending) this.options.clock.clear(this.allocationPending);
    this.allocationPending = undefined;
    if (this.launchCheckPending) this.options.clock.clear(this.launchCheckPending);
    this.launchCheckPending = undefined;
    this.allocationAgents = new Set();
    this.ctx.out.flush();
  }

  /** Runs one allocation cycle now (the timer and prompt triggers call this too). */
  allocateNow(): void {
    if (!this.running) return;
    runAllocation(this.ctx, this.allocator);
  }

  /** Role weights set by the operator (roles not listed weigh 1). */
  weights(): WeightInfo[] {
    return listWeights(this.ctx);
  }

  /** Sets role weights, persisted before they apply; allocation runs soon after. */
  updateWeights(weights: readonly WeightInfo[]): Promise<void> {
    return updateWeights(this.ctx, weights);
  }

  /** Role quotas set by the operator. */
  quotas(): QuotaInfo[] {
    return listQuotas(this.ctx);
  }

  /** Sets or replaces a role's quota, persisted before it applies. */
  setQuota(quota: QuotaInfo): Promise<void> {
    return setQuota(this.ctx, quota);
  }

  /** Removes a role's quota (`NOT_FOUND` when it has none). */
  removeQuota(role: string): Promise<void> {
    return removeQuota(this.ctx, role);
  }

  /** The operator's dynamic reservation of an agent's unreserved, idle resources for a role. */
  reserve(agentId: string, resources: readonly Resource[]): Promise<void> {
    return operatorReservation(this.ctx, "reserve", agentId, resources);
  }

  /** The operator's release of a dynamic reservation no task uses (`RESERVATION_IN_USE` otherwise). */
  unreserve(agentId: string, resources: readonly Resource[]): Promise<void> {
    return operatorReservation(this.ctx, "unreserve", agentId, resources);
  }

  /** Mesos' MARK_AGENT_GONE: the agent's tasks become GONE_BY_OPERATOR and its id is refused from now on. */
  markAgentGone(agentId: string): Promise<void> {
    return markAgentGone(this.ctx, agentId as AgentId);
  }

  /**
   * The operator's teardown (Mesos' `POST /teardown`): the framework's tasks are killed and it moves
   * to the completed frameworks, connected or not. `UNKNOWN_FRAMEWORK` for an id this master does
   * not know or has already torn down.
   */
  teardownFramework(frameworkId: string): void {
    const framework = this.state.frameworks.get(frameworkId as FrameworkId);
    if (!framework) {
      const why = this.state.isCompletedFramework(frameworkId as FrameworkId)
        ? "was already torn down"
        : "is not known to this master";
      throw new MasterError("UNKNOWN_FRAMEWORK", `Framework ${frameworkId} ${why}`, { field: "frameworkId" });
    }
    teardown(this.ctx, framework);
  }

  /** The maintenance schedule (Mesos' shape: `{windows: [{machine_ids, unavailability}]}`). */
  maintenanceSchedule(): MaintenanceSchedule {
    return { windows: this.state.maintenance.windows };
  }

  /** Replaces the maintenance schedule, persisted before it applies (`INVALID_MAINTENANCE` on a rule broken). */
  updateMaintenanceSchedule(schedule: MaintenanceSchedule): Promise<void> {
    return updateSchedule(this.ctx, schedule);
  }

  /** Scheduled machines' modes: DRAINING or DOWN (Mesos' `/maintenance/status`). */
  maintenanceStatus(): MaintenanceStatus {
    return maintenanceStatus(this.state.maintenance);
  }

  /** Brings scheduled, DRAINING machines down: their agents are removed and refused until they are up. */
  machinesDown(machines: readonly MachineId[]): Promise<void> {
    return machinesDown(this.ctx, machines);
  }

  /** Brings DOWN machines up: out of maintenance and the schedule. */
  machinesUp(machines: readonly MachineId[]): Promise<void> {
    return machinesUp(this.ctx, machines);
  }

  /**
   * How an edge reaches this master the way a framework does, over the bus: the HTTP edge of Mesos'
   * v1 scheduler API subscribes to a framework's events subject and sends calls like the SDK does,
   * and keeps the framework alive with `heartbeat` calls at least every `frameworkTimeoutMs / 3`.
   */
  frameworkLink(): { bus: Bus; subjects: Subjects; frameworkTimeoutMs: number } {
    return {
      bus: this.bus,
      subjects: this.ctx.subjects,
      frameworkTimeoutMs: this.options.frameworkTimeoutMs,
    };
  }

  /**
   * The framework's connection to this master closed (a Mesos HTTP scheduler's stream): it is
   * disconnected now and its failover timeout starts, as Mesos does. Nothing happens unless this
   * master leads and the framework is connected.
   */
  frameworkConnectionClosed(frameworkId: string): void {
    if (!this.running) return;
    const framework = this.state.frameworks.get(frameworkId as FrameworkId);
    if (framework) connectionClosed(this.ctx, framework);
  }

  /** The registry's changes from now on (which entities; read them from `snapshot()`), until closed. */
  watchRegistry(): RegistryWatch {
    return this.state.changes.watch();
  }

  /** A read-only view of the registry for HTTP and metrics. */
  snapshot(): MasterView {
    const { state, options } = this;
    return {
      id: this.id,
      epoch: this.epoch,
      cluster: options.cluster,
      hostname: options.hostname,
      masterInfo: this.masterInfo,
      now: options.clock.now(),
      startedAt: this.startedAt,
      electedAt: this.electedAt,
      agents: state.agents,
      unreachableAgents: state.unreachableAgents,
      frameworks: state.frameworks,
      completedFrameworks: state.completedFrameworks.values(),
      roles: () => summarizeRoles(state),
      offers: state.offers,
      terminalCounts: state.terminalCounts,
      counters: {
        invalidMessages: this.metrics.invalidMessagesTotal,
        statusUpdatesRelayed: this.metrics.statusUpdatesRelayed,
        lastAllocationRunMs: this.metrics.lastAllocationRunMs,
      },
      options: {
        allocationIntervalMs: options.allocationIntervalMs,
        offerTimeoutMs: options.offerTimeoutMs,
        agentPingTimeoutMs: options.agentPingTimeoutMs,
        maxAgentPingTimeouts: options.maxAgentPingTimeouts,
        heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
      },
    };
  }

  private requestAllocation(agents?: Iterable<AgentId>): void {
    if (!this.running) return;
    if (agents === undefined) this.allocationAgents = "all";
    else if (this.allocationAgents !== "all") for (const id of agents) this.allocationAgents.add(id);
    this.allocationPending ??= this.options.clock.defer(() => {
      this.allocationPending = undefined;
      const only = this.allocationAgents;
      this.allocationAgents = new Set();
      if (this.running) runAllocation(this.ctx, this.allocator, only === "all" ? undefined : only);
    });
  }

  private requestLaunchCheck(): void {
    if (!this.running) return;
    this.launchCheckPending ??= this.options.clock.setTimeout(() => {
      this.launchCheckPending = undefined;
      if (this.running) checkLaunches(this.ctx);
    }, LAUNCH_CHECK_REFILL_MS);
  }

  private sendHeartbeats(): void {
    for (const f of this.state.frameworks.values()) {
      if (f.connected) this.ctx.out.toFramework(f.id, { type: "heartbeat" });
    }
  }

  private context(store: StateStore, subs: ReturnType<typeof subjects>, out: Outbox): MasterContext {
    const master = this;
    return {
      state: this.state,
      out,
      bus: this.bus,
      subjects: subs,
      store,
      metrics: this.metrics,
      options: this.options,
      authorization: this.authorization,
      authentication: this.authentication,
      get masterInfo() {
        return master.masterInfo;
      },
      epoch: () => this.epoch,
      now: () => this.options.clock.now(),
      requestAllocation: (agents) => this.requestAllocation(agents),
      requestLaunchCheck: () => this.requestLaunchCheck(),
      nextAgentId: () => `${this.id}-S${this.agentSeq++}` as AgentId,
    };
  }
}
