import { randomUUID } from "node:crypto";
import { Scheduler } from "@agora/framework-sdk";
import { type AgentId, isTerminalState, type TaskId, type TaskStatus } from "@agora/protocol";
import { type Bus, type Clock, type StateStore, systemClock, type TimerHandle } from "@agora/transport";
import { type Logger, pino } from "pino";
import { planDeployment } from "../deployment/planner.js";
import { revertPlan } from "../deployment/rollback.js";
import { isMarathonError, MarathonError } from "../errors.js";
import type { MarathonEvent } from "../events.js";
import { LaunchQueue } from "../launch/launch-queue.js";
import type { AppDefinition } from "../model/app-definition.js";
import { affectedApps, type DeploymentPlan } from "../model/deployment.js";
import { appsOf, emptyRoot, type Group } from "../model/group.js";
import { putApp } from "../model/group-ops.js";
import { appIdOfTask, type Instance } from "../model/instance.js";
import type {
  MarathonInfo,
  MarathonService,
  QueuedLaunch,
  RunningDeployment,
  TaskFailure,
} from "../service.js";
import { DeploymentRunner } from "./deployment-runner.js";
import { type EventBody, EventHub } from "./event-hub.js";
import { InstanceIndex } from "./instance-index.js";
import { applyStatus, conditionOf, isActive } from "./instance-status.js";
import { OfferCycle } from "./offer-cycle.js";
import { ReadinessChecks, type ReadinessProbe } from "./readiness.js";
import { MAX_APP_VERSIONS, MAX_ROOT_VERSIONS, MarathonRepository } from "./repository.js";
import { scaleCheck } from "./scale-check.js";

export interface MarathonRuntimeOptions {
  bus: Bus;
  /** Where apps, versions, deployments and instances live (file store in dev mode, JetStream KV in a cluster). */
  store: StateStore;
  /** Subject namespace of the Agora cluster. Default "agora". */
  cluster?: string;
  logger?: Logger;
  clock?: Clock;
  /** Marathon's `--mesos_role`: the role it subscribes in. Default `*`. */
  role?: string;
  /** Default "marathon". */
  frameworkName?: string;
  /** Seconds the master keeps Marathon's tasks while it is away (Marathon's default: one week). */
  failoverTimeoutSeconds?: number;
  /** How long declined offers stay away (Marathon's `--decline_offer_duration`, 120 s). */
  declineOfferSeconds?: number;
  /** This Marathon's HTTP port and host, for `/v2/info` and the framework's web UI URL. */
  httpPort?: number;
  hostname?: string;
  /** Marathon's `--max_running_deployments`: more deployments at once are refused (403). Default 100. */
  maxRunningDeployments?: number;
  /** Who leads, from the leader election; default: this one, always. */
  leadership?: () => { elected: boolean; leader: string | undefined };
  /** Flags to show under `marathon_config` in `/v2/info`. */
  config?: Record<string, unknown>;
  /** DELETE /v2/leader: step down (close the candidacy); absent: abdication is not supported. */
  onAbdicate?: () => Promise<void>;
  newId?: () => string;
  /** How readiness checks reach instances (default: HTTP with `fetch`). */
  readinessProbe?: ReadinessProbe;
}

const ONE_WEEK_SECONDS = 7 * 24 * 3600;
const MAX_RUNNING_DEPLOYMENTS = 100;
/** A kill not answered by a terminal update within this long is sent again (Marathon's kill retry). */
const KILL_RETRY_MS = 10_000;

/**
 * Marathon's runtime: a framework on the SDK `Scheduler` that keeps every app of the root group at
 * its instance count, runs deployments step by step, matches offers to the launch queue, and keeps
 * its state in the `StateStore` so a restarted (or newly elected) Marathon resumes with its
 * framework id, apps, tasks and unfinished deployments. REST talks to it through `MarathonService`.
 *
 * @example
 * ```ts
 * const runtime = new MarathonRuntime({ bus, store, httpPort: 8080 });
 * await runtime.start();
 * await runtime.deploy(putApp(runtime.root(), app, new Date().toISOString()), { force: false });
 * ```
 */
export class MarathonRuntime implements MarathonService {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly repo: MarathonRepository;
  private readonly events: EventHub;
  private readonly launchQueue: LaunchQueue;
  private readonly runner: DeploymentRunner;
  private readonly readiness: ReadinessChecks;
  private readonly offerCycle: OfferCycle;
  private readonly role: string;
  private readonly newId: () => string;
  private scheduler: Scheduler | undefined;
  private frameworkId: string | undefined;
  private current: Group = emptyRoot(new Date(0).toISOString());
  private readonly versions = new Map<string, Map<string, AppDefinition>>();
  private readonly roots = new Map<string, Group>();
  private readonly live = new InstanceIndex();
  private appsCache: { root: Group; apps: Map<string, AppDefinition> } | undefined;
  private readonly failures = new Map<string, TaskFailure>();
  /** When each unreachable instance went out of reach (ms), for its `unreachableStrategy`. */
  private readonly unreachableSince = new Map<string, number>();
  private writes: Promise<unknown> = Promise.resolve();
  private tickPending = false;
  /** When the scale check must look again although nothing happened (unreachable deadlines). */
  private nextScaleCheckAt: number | undefined;
  /** When the last kill of each instance was sent (ms). */
  private readonly killSentAt = new Map<string, number>();
  private killRetry: TimerHandle | undefined;
  private started = false;
  /** Set once this Marathon was elected; writes arriving while it loads and subscribes wait for it. */
  private starting: Promise<void> | undefined;
  private stopped = false;
  private httpPort: number;

  constructor(private readonly opts: MarathonRuntimeOptions) {
    this.logger = (opts.logger ?? pino({ level: "silent" })).child({ component: "marathon" });
    this.clock = opts.clock ?? systemClock;
    this.repo = new MarathonRepository(opts.store, this.logger);
    this.events = new EventHub(this.logger);
    this.role = opts.role ?? "*";
    this.launchQueue = new LaunchQueue({ now: () => this.clock.now(), role: this.role });
    this.newId = opts.newId ?? randomUUID;
    this.httpPort = opts.httpPort ?? 8080;
    this.readiness = new ReadinessChecks({
      clock: this.clock,
      logger: this.logger,
      onReady: () => this.scheduleTick(),
      ...(opts.readinessProbe ? { probe: opts.readinessProbe } : {}),
    });
    this.offerCycle = new OfferCycle({
      scheduler: () => this.scheduler,
      queue: this.launchQueue,
      role: this.role,
      declineOfferSeconds: opts.declineOfferSeconds ?? 120,
      clock: this.clock,
      logger: this.logger,
      placed: (appId) => this.live.ofApp(appId).filter(isActive),
      admit: (instances) => {
        for (const i of instances) this.live.set(i);
        return Promise.all(instances.map((i) => this.repo.saveInstance(i))).then(() => {});
      },
      launched: (instances) => {
        for (const i of instances) this.emitInstanceChanged(i);
      },
      launchFailed: (instances) => {
        for (const i of instances) this.forget(i.taskId);
      },
      changed: () => this.scheduleTick(),
    });
    this.runner = new DeploymentRunner({
      instancesOf: (appId) => this.live.ofApp(appId).filter((i) => !isTerminalState(i.state)),
      queued: (appId) => this.launchQueue.count(appId),
      readyTaskIds: (app, instances) => {
        this.readiness.watch(
          app,
          instances.filter((i) => i.version === app.version),
        );
        return this.readiness.readyOf(app.id);
      },
      readinessResults: (appId) => this.readiness.resultsOf(appId),
      kill: (taskIds) => this.kill(taskIds),
      enqueue: (app, n) => this.launchQueue.add(app, n),
      dequeue: (appId, n) => this.launchQueue.remove(appId, n),
      restartBegins: (appId) => this.launchQueue.resetDelay(appId),
      appStopped: (appId) => this.appStopped(appId),
      emit: (e) => this.emit(e),
      save: (d) => void this.repo.saveDeployment(d),
      remove: (id) => void this.repo.deleteDeployment(id),
    });
  }

  /**
   * Loads the stored state, subscribes as the framework (failing over to the stored framework id),
   * reconciles the known tasks and resumes unfinished deployments. Call when this Marathon leads.
   */
  start(): Promise<void> {
    this.starting ??= this.lead();
    return this.starting;
  }

  private async lead(): Promise<void> {
    const stored = await this.repo.load();
    this.current = stored.root;
    for (const [appId, byVersion] of stored.appVersions) this.versions.set(appId, byVersion);
    for (const [version, root] of stored.rootVersions) this.roots.set(version, root);
    for (const i of stored.instances) this.live.set(i);
    for (const [appId, f] of stored.failures) this.failures.set(appId, f);
    for (const d of stored.deployments) this.runner.add(d.plan, d.stepIndex, true);
    this.frameworkId = stored.frameworkId;

    const scheduler = new Scheduler({
      bus: this.opts.bus,
      ...(this.opts.cluster ? { cluster: this.opts.cluster } : {}),
      logger: this.logger,
      clock: this.clock,
      framework: {
        name: this.opts.frameworkName ?? "marathon",
        roles: [this.role],
        checkpoint: true,
        failoverTimeout: this.opts.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
        ...(this.frameworkId ? { id: this.frameworkId } : {}),
        ...(this.opts.hostname
          ? { hostname: this.opts.hostname, webuiUrl: `http://${this.opts.hostname}:${this.httpPort}` }
          : {}),
      },
    });
    this.scheduler = scheduler;
    scheduler.on("offers", (offers) => this.offerCycle.offers(offers));
    scheduler.on("update", (status) => this.handleStatus(status));
    scheduler.on("disconnected", ({ silentForMs }) =>
      this.emit({
        eventType: "scheduler_disconnected_event",
        message: `the master was silent for ${silentForMs} ms`,
      }),
    );
    scheduler.on("reconnected", (info) => {
      this.emit({
        eventType: "scheduler_reregistered_event",
        frameworkId: info.frameworkId,
        master: info.masterInfo.hostname ?? "",
      });
      this.offerCycle.resync();
      this.scheduleTick();
    });
    const reregistering = this.frameworkId !== undefined;
    const id = await scheduler.subscribe();
    this.frameworkId = id;
    this.started = true;
    if (id !== stored.frameworkId) await this.repo.saveFrameworkId(id);
    this.emit({
      eventType: reregistering ? "scheduler_reregistered_event" : "scheduler_registered_event",
      frameworkId: id,
      master: "",
    });
    // The SDK reconciles implicitly after subscribing; asking for every known task explicitly too
    // makes the master answer for tasks it no longer knows (TASK_LOST/UNKNOWN), so they get replaced.
    const known = [...this.live.values()].map((i) => ({
      taskId: i.taskId as TaskId,
      agentId: i.agentId as AgentId,
    }));
    if (known.length > 0)
      await scheduler.reconcile(known).catch((err: unknown) => this.logger.warn({ err }, "reconcile failed"));
    this.logger.info(
      {
        frameworkId: id,
        apps: this.apps().size,
        tasks: this.live.size,
        deployments: this.runner.list().length,
      },
      "marathon leads",
    );
    this.killRetry = this.clock.setInterval(() => this.retryKills(), KILL_RETRY_MS);
    this.scheduleTick();
  }

  /** The port the REST API really listens on (known after `listen`), for `/v2/info` and `/v2/leader`. */
  advertise(httpPort: number): void {
    this.httpPort = httpPort;
  }

  async abdicate(): Promise<void> {
    if (!this.opts.onAbdicate) throw new MarathonError("INVALID_REQUEST", "this Marathon cannot abdicate");
    await this.opts.onAbdicate();
  }

  /** Stops the framework client (its tasks keep running for the failover timeout) and flushes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.killRetry) this.clock.clear(this.killRetry);
    this.readiness.stop();
    await this.scheduler?.close();
    await this.offerCycle.stop();
    await this.writes.catch(() => {});
    await this.repo.flush();
  }

  // ---- MarathonService: reads ----

  root(): Group {
    return this.current;
  }

  appVersions(appId: string): string[] {
    return [...(this.versions.get(appId)?.keys() ?? [])].sort().reverse();
  }

  appVersion(appId: string, version: string): AppDefinition | undefined {
    return this.versions.get(appId)?.get(version);
  }

  rootVersions(): string[] {
    return [...this.roots.keys()].sort().reverse();
  }

  rootVersion(version: string): Group | undefined {
    return this.roots.get(version);
  }

  instances(appId?: string): Instance[] {
    return appId === undefined ? [...this.live.values()] : this.live.ofApp(appId);
  }

  deployments(): RunningDeployment[] {
    return this.runner.list();
  }

  queue(): QueuedLaunch[] {
    return this.launchQueue.entries();
  }

  lastTaskFailure(appId: string): TaskFailure | undefined {
    return this.failures.get(appId);
  }

  onEvent(listener: (event: MarathonEvent) => void): () => void {
    return this.events.on(listener);
  }

  info(): MarathonInfo {
    const lead = this.opts.leadership?.() ?? {
      elected: true,
      leader: `${this.opts.hostname ?? "localhost"}:${this.httpPort}`,
    };
    return {
      name: "marathon",
      version: "1.10.0-agora",
      frameworkId: this.frameworkId,
      leader: lead.leader,
      elected: lead.elected,
      config: {
        mesos_role: this.role,
        failover_timeout: this.opts.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
        decline_offer_duration: (this.opts.declineOfferSeconds ?? 120) * 1000,
        max_running_deployments: this.opts.maxRunningDeployments ?? MAX_RUNNING_DEPLOYMENTS,
        checkpoint: true,
        ...this.opts.config,
      },
      httpPort: this.httpPort,
    };
  }

  // ---- MarathonService: writes ----

  deploy(target: Group, options: { force: boolean }): Promise<DeploymentPlan> {
    return this.serialized(() =>
      this.deployNow(target, options).catch((err: unknown) => {
        if (isMarathonError(err) && err.code !== "NOT_LEADER")
          this.emit({
            eventType: "group_change_failed",
            groupId: target.id,
            version: target.version,
            reason: err.message,
          });
        throw err;
      }),
    );
  }

  async killInstances(
    taskIds: string[],
    options: { scale: boolean; wipe: boolean; force: boolean },
  ): Promise<{ killed: Instance[]; deployment?: DeploymentPlan }> {
    const killed = taskIds.map((id) => this.live.get(id)).filter((i) => i !== undefined);
    if (!options.scale) {
      this.kill(killed.map((i) => i.taskId));
      if (options.wipe) for (const i of killed) this.forget(i.taskId);
      this.scheduleTick();
      return { killed };
    }
    const deployment = await this.serialized(() => {
      const version = this.now();
      let target = this.current;
      const byApp = new Map<string, string[]>();
      for (const i of killed) byApp.set(i.appId, [...(byApp.get(i.appId) ?? []), i.taskId]);
      for (const [appId, ids] of byApp) {
        const app = appsOf(target).get(appId);
        if (app)
          target = putApp(target, { ...app, instances: Math.max(0, app.instances - ids.length) }, version);
      }
      return this.deployNow({ ...target, version }, { force: options.force }, (plan) => {
        // The tasks named are the ones to go, not whichever the kill selection would pick.
        for (const step of plan.steps)
          for (const action of step.actions)
            if (action.action === "ScaleApplication" && byApp.has(action.app))
              action.sentencedToDeath = byApp.get(action.app);
      });
    });
    return { killed, deployment };
  }

  async cancelDeployment(id: string, options: { force: boolean }): Promise<DeploymentPlan | undefined> {
    const plan = this.runner.get(id);
    if (!plan) return undefined;
    if (options.force) {
      this.runner.cancel(id, "The deployment was cancelled");
      this.scheduleTick();
      return undefined;
    }
    return this.serialized(() => {
      const target = revertPlan(plan, this.current, this.now());
      return this.deployNow(target, { force: true });
    });
  }

  resetDelay(appId: string): boolean {
    const known = this.launchQueue.count(appId) > 0 || this.apps().has(appId);
    this.launchQueue.resetDelay(appId);
    this.scheduleTick();
    return known;
  }

  // ---- deployments ----

  private async deployNow(
    target: Group,
    options: { force: boolean },
    adjust?: (plan: DeploymentPlan) => void,
  ): Promise<DeploymentPlan> {
    if (!this.starting) throw new MarathonError("NOT_LEADER", "this Marathon does not lead");
    await this.starting;
    const plan = planDeployment(this.current, target, { id: this.newId() });
    adjust?.(plan);
    const conflicts = this.runner.conflicting(affectedApps(plan));
    if (conflicts.length > 0 && !options.force)
      throw new MarathonError(
        "APP_LOCKED",
        "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
        { deployments: conflicts.map((p) => ({ id: p.id })) },
      );
    const max = this.opts.maxRunningDeployments ?? MAX_RUNNING_DEPLOYMENTS;
    // A forced write cancels the deployments it conflicts with: those make room for it.
    if (this.runner.size - conflicts.length >= max)
      throw new MarathonError(
        "TOO_MANY_DEPLOYMENTS",
        `Max number (${max}) of running deployments is achieved. Wait for existing deployments to complete or cancel one using force=true parameter. You can increase max deployment number by using --max_running_deployments parameter but be advised that this can have negative effects on the performance.`,
      );
    const added = [...appsOf(target).values()].filter((a) => !this.versions.get(a.id)?.has(a.version ?? ""));
    try {
      await this.repo.saveRoot(target, added, { plan, stepIndex: 0 });
    } catch (cause) {
      throw new MarathonError("STORE_FAILED", "the state store did not take the new root group", { cause });
    }
    for (const c of conflicts) this.runner.cancel(c.id, `cancelled by the forced deployment ${plan.id}`);
    this.current = target;
    for (const a of added) this.rememberVersion(a);
    this.rememberRoot(target);
    this.emit({ eventType: "group_change_success", groupId: target.id, version: target.version });
    this.runner.add(plan);
    this.scheduleTick();
    return plan;
  }

  private rememberVersion(app: AppDefinition): void {
    const byVersion = this.versions.get(app.id) ?? new Map<string, AppDefinition>();
    byVersion.set(app.version ?? "", app);
    this.versions.set(app.id, byVersion);
    const old = [...byVersion.keys()].sort().slice(0, -MAX_APP_VERSIONS);
    for (const v of old) byVersion.delete(v);
    if (old.length > 0) void this.repo.deleteAppVersions(app.id, old);
  }

  private rememberRoot(root: Group): void {
    this.roots.set(root.version, root);
    const old = [...this.roots.keys()].sort().slice(0, -MAX_ROOT_VERSIONS);
    for (const v of old) this.roots.delete(v);
    if (old.length > 0) void this.repo.deleteRootVersions(old);
  }

  private appStopped(appId: string): void {
    this.launchQueue.remove(appId);
    if (this.failures.delete(appId)) void this.repo.deleteFailure(appId);
    this.emit({ eventType: "app_terminated_event", appId });
  }

  /** Deploy requests one at a time: each plans against the root the previous one left. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => {});
    return run;
  }

  // ---- the control loop ----

  /** Runs `tick` once after the current burst of changes. */
  private scheduleTick(): void {
    if (this.tickPending || this.stopped) return;
    this.tickPending = true;
    setImmediate(() => {
      this.tickPending = false;
      if (!this.stopped && this.started) this.tick();
    });
  }

  private tick(): void {
    if (this.runner.tick()) this.scheduleTick();
    this.readiness.retainOnly(this.runner.currentApps());
    this.scaleCheck();
    void this.offerCycle.update(this.nextScaleCheckAt);
  }

  /** Keeps apps no deployment works on at their count and applies their unreachable strategies. */
  private scaleCheck(): void {
    const result = scaleCheck({
      apps: this.apps(),
      instancesOf: (appId) => this.live.ofApp(appId),
      queued: (appId) => this.launchQueue.count(appId),
      queuedApps: this.launchQueue.appIds(),
      locked: (appId) => this.runner.locks(appId),
      unreachableSince: this.unreachableSince,
      now: this.clock.now(),
    });
    for (const d of result.dequeue) this.launchQueue.remove(d.appId, d.count);
    for (const e of result.enqueue) this.launchQueue.add(e.app, e.count);
    this.kill(result.kill);
    for (const taskId of result.expunge) {
      this.kill([taskId]);
      this.forget(taskId);
    }
    this.nextScaleCheckAt = result.nextCheckAt;
  }

  // ---- status updates ----

  private handleStatus(status: TaskStatus): void {
    const instance = this.live.get(status.taskId);
    if (!instance) {
      if (isTerminalState(status.state))
        this.emit({
          eventType: "unknown_instance_terminated_event",
          instanceId: status.taskId,
          runSpecId: appIdOfTask(status.taskId) ?? "",
          condition: conditionOf(status.state),
        });
      else {
        // A task Marathon does not know (launched by a lost incarnation that never stored it): Marathon kills those.
        this.logger.warn({ taskId: status.taskId }, "killing an unknown task");
        void this.scheduler
          ?.kill(status.taskId, status.agentId)
          .catch((err: unknown) => this.logger.warn({ err }, "kill failed"));
      }
      return;
    }
    const outcome = applyStatus(instance, status);
    const next = outcome.instance;
    this.emit({
      eventType: "status_update_event",
      slaveId: next.agentId,
      taskId: next.taskId,
      taskStatus: status.state,
      message: status.message ?? "",
      appId: next.appId,
      host: next.host,
      ipAddresses: [],
      ports: next.ports,
      version: next.version,
    });
    if (outcome.stateChanged) this.emitInstanceChanged(next);
    if (outcome.healthChanged) {
      const health = {
        appId: next.appId,
        instanceId: next.taskId,
        taskId: next.taskId,
        version: next.version,
        alive: next.healthy === true,
      };
      this.emit({ eventType: "health_status_changed_event", ...health });
      this.emit({ eventType: "instance_health_changed_event", ...health });
      if (!health.alive)
        this.emit({
          eventType: "failed_health_check_event",
          appId: next.appId,
          taskId: next.taskId,
          instanceId: next.taskId,
        });
    }
    if (status.state === "TASK_UNREACHABLE") {
      if (!this.unreachableSince.has(next.taskId)) this.unreachableSince.set(next.taskId, this.clock.now());
    } else this.unreachableSince.delete(next.taskId);

    if (outcome.terminal) {
      this.live.delete(next.taskId);
      this.killSentAt.delete(next.taskId);
      void this.repo.deleteInstance(next.taskId);
      if (outcome.killedUnhealthy)
        this.emit({
          eventType: "unhealthy_instance_kill_event",
          appId: next.appId,
          taskId: next.taskId,
          instanceId: next.taskId,
          reason: status.message ?? "health check failed",
          host: next.host,
          slaveId: next.agentId,
          version: next.version,
        });
      const app = this.apps().get(next.appId);
      if (outcome.failed && app) this.recordFailure(app, next, status);
    } else {
      this.live.set(next);
      if (outcome.stateChanged || outcome.healthChanged) void this.repo.saveInstance(next);
    }
    this.scheduleTick();
  }

  private recordFailure(app: AppDefinition, instance: Instance, status: TaskStatus): void {
    this.launchQueue.recordFailure(app);
    if (status.state === "TASK_FINISHED") return;
    const failure: TaskFailure = {
      appId: app.id,
      host: instance.host,
      message: status.message ?? "",
      state: status.state,
      taskId: instance.taskId,
      timestamp: new Date(status.timestamp * 1000).toISOString(),
      version: instance.version,
      slaveId: instance.agentId,
    };
    this.failures.set(app.id, failure);
    void this.repo.saveFailure(failure);
  }

  // ---- helpers ----

  private kill(taskIds: string[]): void {
    for (const taskId of taskIds) {
      const instance = this.live.get(taskId);
      if (!instance) continue;
      const app = this.apps().get(instance.appId);
      if (!instance.killRequested) {
        const next = { ...instance, killRequested: true };
        this.live.set(next);
        void this.repo.saveInstance(next);
      }
      const grace = app?.taskKillGracePeriodSeconds;
      this.killSentAt.set(taskId, this.clock.now());
      void this.scheduler
        ?.kill(
          taskId as TaskId,
          instance.agentId as AgentId,
          grace === undefined ? undefined : { gracePeriodSeconds: grace },
        )
        .catch((err: unknown) => this.logger.warn({ err, taskId }, "kill failed"));
    }
  }

  /** Kills sent long ago without an end in sight (a lost command, an agent away) are sent again. */
  private retryKills(): void {
    const overdue = [...this.live.values()].filter(
      (i) => i.killRequested && this.clock.now() - (this.killSentAt.get(i.taskId) ?? 0) >= KILL_RETRY_MS,
    );
    if (overdue.length > 0) this.kill(overdue.map((i) => i.taskId));
  }

  /** Drops an instance from memory and the store (wipe, expunge, or a launch that never happened). */
  private forget(taskId: string): void {
    this.live.delete(taskId);
    this.killSentAt.delete(taskId);
    this.unreachableSince.delete(taskId);
    void this.repo.deleteInstance(taskId);
  }

  /** The current root's apps by id, computed once per root. */
  private apps(): Map<string, AppDefinition> {
    if (this.appsCache?.root !== this.current)
      this.appsCache = { root: this.current, apps: appsOf(this.current) };
    return this.appsCache.apps;
  }

  private emitInstanceChanged(i: Instance): void {
    this.emit({
      eventType: "instance_changed_event",
      instanceId: i.taskId,
      condition: conditionOf(i.state),
      runSpecId: i.appId,
      agentId: i.agentId,
      host: i.host,
      runSpecVersion: i.version,
    });
  }

  private emit(body: EventBody): void {
    this.events.publish(body, this.clock.now());
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
