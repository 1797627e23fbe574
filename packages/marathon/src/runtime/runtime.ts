import { randomUUID } from "node:crypto";
import type { Scheduler } from "@agora/framework-sdk";
import { type AgentId, isTerminalState, type TaskId, type TaskStatus } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { type Logger, pino } from "pino";
import { MarathonError } from "../errors.js";
import type { MarathonEvent } from "../events.js";
import { LaunchQueue } from "../launch/launch-queue.js";
import type { AppDefinition } from "../model/app-definition.js";
import type { DeploymentPlan } from "../model/deployment.js";
import type { Group } from "../model/group.js";
import type { Instance } from "../model/instance.js";
import type {
  MarathonInfo,
  MarathonService,
  QueuedLaunch,
  RunningDeployment,
  TaskFailure,
} from "../service.js";
import { DeploymentAdmission, MAX_RUNNING_DEPLOYMENTS } from "./deployment-admission.js";
import { DeploymentRunner, type DeploymentWork } from "./deployment-runner.js";
import { commitDeploymentWork } from "./deployment-work.js";
import { type EventBody, EventHub } from "./event-hub.js";
import { isActive } from "./instance-status.js";
import { InstanceTracker, KILL_RETRY_MS } from "./instance-tracker.js";
import { OfferCycle } from "./offer-cycle.js";
import { ReadinessChecks } from "./readiness.js";
import { MarathonRepository } from "./repository.js";
import {
  DECLINE_OFFER_SECONDS,
  frameworkScheduler,
  type MarathonRuntimeOptions,
  marathonInfo,
} from "./runtime-options.js";
import { scaleCheck } from "./scale-check.js";
import { instanceChangedEvent, statusEvents, unknownInstanceTerminated } from "./status-events.js";
import { VersionHistory } from "./version-history.js";

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
  private scheduler: Scheduler | undefined;
  private frameworkId: string | undefined;
  private readonly history: VersionHistory;
  private readonly tracker: InstanceTracker;
  private readonly admission: DeploymentAdmission;
  private tickPending = false;
  /** When the scale check must look again although nothing happened (unreachable deadlines). */
  private nextScaleCheckAt: number | undefined;
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
    this.httpPort = opts.httpPort ?? 8080;
    this.history = new VersionHistory(this.repo);
    this.tracker = new InstanceTracker({
      repo: this.repo,
      clock: this.clock,
      logger: this.logger,
      scheduler: () => this.scheduler,
      app: (appId) => this.history.apps().get(appId),
    });
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
      declineOfferSeconds: opts.declineOfferSeconds ?? DECLINE_OFFER_SECONDS,
      clock: this.clock,
      logger: this.logger,
      placed: (appId) => this.tracker.live.ofApp(appId).filter(isActive),
      admit: (instances) => this.tracker.admit(instances),
      launched: (instances) => {
        for (const i of instances) this.emit(instanceChangedEvent(i));
      },
      launchFailed: (instances) => {
        for (const i of instances) this.tracker.forget(i.taskId);
      },
      changed: () => this.scheduleTick(),
    });
    this.runner = new DeploymentRunner({
      instancesOf: (appId) => this.tracker.live.ofApp(appId).filter((i) => !isTerminalState(i.state)),
      queued: (appId) => this.launchQueue.count(appId),
      readyTaskIds: (app, instances) => {
        this.readiness.watch(
          app,
          instances.filter((i) => i.version === app.version),
        );
        return this.readiness.readyOf(app.id);
      },
      readinessResults: (appId) => this.readiness.resultsOf(appId),
    });
    this.admission = new DeploymentAdmission({
      history: this.history,
      repo: this.repo,
      runner: this.runner,
      maxRunning: opts.maxRunningDeployments ?? MAX_RUNNING_DEPLOYMENTS,
      newId: opts.newId ?? randomUUID,
      now: () => new Date(this.clock.now()).toISOString(),
      leading: () => this.starting,
      emit: (e) => this.emit(e),
      commit: (work) => this.commit(work),
      changed: () => this.scheduleTick(),
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
    this.history.load(stored.root, stored.appVersions, stored.rootVersions);
    this.tracker.load(stored.instances, stored.failures);
    for (const d of stored.deployments) this.commit(this.runner.add(d.plan, d.stepIndex, true));
    this.frameworkId = stored.frameworkId;

    const scheduler = frameworkScheduler(this.opts, this.frameworkId, this.httpPort, this.logger, this.clock);
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
    const known = [...this.tracker.live.values()].map((i) => ({
      taskId: i.taskId as TaskId,
      agentId: i.agentId as AgentId,
    }));
    if (known.length > 0)
      await scheduler.reconcile(known).catch((err: unknown) => this.logger.warn({ err }, "reconcile failed"));
    this.logger.info(
      {
        frameworkId: id,
        apps: this.history.apps().size,
        tasks: this.tracker.live.size,
        deployments: this.runner.list().length,
      },
      "marathon leads",
    );
    this.killRetry = this.clock.setInterval(() => this.tracker.retryKills(), KILL_RETRY_MS);
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
    await this.admission.idle();
    await this.repo.flush();
  }

  // ---- MarathonService: reads ----

  root(): Group {
    return this.history.root();
  }

  appVersions(appId: string): string[] {
    return this.history.appVersions(appId);
  }

  appVersion(appId: string, version: string): AppDefinition | undefined {
    return this.history.appVersion(appId, version);
  }

  rootVersions(): string[] {
    return this.history.rootVersions();
  }

  rootVersion(version: string): Group | undefined {
    return this.history.rootVersion(version);
  }

  instances(appId?: string): Instance[] {
    return appId === undefined ? [...this.tracker.live.values()] : this.tracker.live.ofApp(appId);
  }

  deployments(): RunningDeployment[] {
    return this.runner.list();
  }

  queue(): QueuedLaunch[] {
    return this.launchQueue.entries();
  }

  lastTaskFailure(appId: string): TaskFailure | undefined {
    return this.tracker.lastFailure(appId);
  }

  onEvent(listener: (event: MarathonEvent) => void): () => void {
    return this.events.on(listener);
  }

  info(): MarathonInfo {
    return marathonInfo(this.opts, this.frameworkId, this.httpPort);
  }

  // ---- MarathonService: writes ----

  deploy(target: Group, options: { force: boolean }): Promise<DeploymentPlan> {
    return this.admission.deploy(target, options);
  }

  async killInstances(
    taskIds: string[],
    options: { scale: boolean; wipe: boolean; force: boolean },
  ): Promise<{ killed: Instance[]; deployment?: DeploymentPlan }> {
    const killed = taskIds.map((id) => this.tracker.live.get(id)).filter((i) => i !== undefined);
    if (!options.scale) {
      this.tracker.kill(killed.map((i) => i.taskId));
      if (options.wipe) for (const i of killed) this.tracker.forget(i.taskId);
      this.scheduleTick();
      return { killed };
    }
    const deployment = await this.admission.scaleDown(killed, options.force);
    return { killed, deployment };
  }

  async cancelDeployment(id: string, options: { force: boolean }): Promise<DeploymentPlan | undefined> {
    const plan = this.runner.get(id);
    if (!plan) return undefined;
    if (options.force) {
      this.commit(this.runner.cancel(id, "The deployment was cancelled"));
      this.scheduleTick();
      return undefined;
    }
    return this.admission.revert(plan);
  }

  resetDelay(appId: string): boolean {
    const known = this.launchQueue.count(appId) > 0 || this.history.apps().has(appId);
    this.launchQueue.resetDelay(appId);
    this.scheduleTick();
    return known;
  }

  /** Does what the deployment runner decided, in its order. */
  private commit(work: readonly DeploymentWork[]): void {
    commitDeploymentWork(work, {
      tracker: this.tracker,
      queue: this.launchQueue,
      repo: this.repo,
      emit: (e) => this.emit(e),
    });
  }

  // ---- the control loop ----

  /** Runs `tick` once after the current burst of changes. */
  private scheduleTick(): void {
    if (this.tickPending || this.stopped) return;
    this.tickPending = true;
    this.clock.defer(() => {
      this.tickPending = false;
      if (!this.stopped && this.started) this.tick();
    });
  }

  private tick(): void {
    const { work, acted } = this.runner.tick();
    this.commit(work);
    if (acted) this.scheduleTick();
    this.readiness.retainOnly(this.runner.currentApps());
    this.scaleCheck();
    void this.offerCycle.update(this.nextScaleCheckAt);
  }

  /** Keeps apps no deployment works on at their count and applies their unreachable strategies. */
  private scaleCheck(): void {
    const result = scaleCheck({
      apps: this.history.apps(),
      instancesOf: (appId) => this.tracker.live.ofApp(appId),
      queued: (appId) => this.launchQueue.count(appId),
      queuedApps: this.launchQueue.appIds(),
      locked: (appId) => this.runner.locks(appId),
      unreachableSince: this.tracker.unreachableSince,
      now: this.clock.now(),
    });
    for (const d of result.dequeue) this.launchQueue.remove(d.appId, d.count);
    for (const e of result.enqueue) this.launchQueue.add(e.app, e.count);
    this.tracker.kill(result.kill);
    for (const taskId of result.expunge) {
      this.tracker.kill([taskId]);
      this.tracker.forget(taskId);
    }
    this.nextScaleCheckAt = result.nextCheckAt;
  }

  // ---- status updates ----

  private handleStatus(status: TaskStatus): void {
    const outcome = this.tracker.apply(status);
    if (!outcome) {
      if (isTerminalState(status.state)) this.emit(unknownInstanceTerminated(status));
      else {
        // A task Marathon does not know (launched by a lost incarnation that never stored it): Marathon kills those.
        this.logger.warn({ taskId: status.taskId }, "killing an unknown task");
        void this.scheduler
          ?.kill(status.taskId, status.agentId)
          .catch((err: unknown) => this.logger.warn({ err }, "kill failed"));
      }
      return;
    }
    for (const event of statusEvents(status, outcome)) this.emit(event);
    const app = this.history.apps().get(outcome.instance.appId);
    if (outcome.terminal && outcome.failed && app) {
      this.launchQueue.recordFailure(app);
      if (status.state !== "TASK_FINISHED") this.tracker.recordFailure(outcome.instance, status);
    }
    this.scheduleTick();
  }

  private emit(body: EventBody): void {
    this.events.publish(body, this.clock.now());
  }
}
