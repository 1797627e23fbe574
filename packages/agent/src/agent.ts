import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  AGORA_VERSION,
  type AgentCommandOf,
  type AgentId,
  type AgentInfo,
  type AgentMessage,
  type Attribute,
  DEFAULT_CLUSTER,
  type ExecutorId,
  encode,
  type FrameworkId,
  type FrameworkInfo,
  isTerminalState,
  type Resource,
  type StatusUpdate,
  type Subjects,
  subjects,
  type TaskId,
  type TaskInfo,
} from "@agora/protocol";
import { type Bus, type Clock, systemClock } from "@agora/transport";
import { type Logger, pino } from "pino";
import type { CgroupMode } from "./cgroups/cgroups.js";
import { AgentCheckpoint, processStartTime, type RunCheckpoint } from "./checkpoint.js";
import { AgentError, isAgentError } from "./errors.js";
import type { Executor, ExecutorHandle, ExecutorReportedStatus, TaskExit, TaskUsage } from "./executor.js";
import { CustomExecutors, type CustomExecutorsOptions } from "./executors/custom-executor.js";
import { ShellExecutor } from "./executors/shell-executor.js";
import { Fetcher } from "./fetcher.js";
import { FileUpdateJournal } from "./file-update-journal.js";
import { HealthMonitor } from "./health/health-monitor.js";
import type { HealthVerdict } from "./health/health-policy.js";
import { hostCommandRunner, probeFor } from "./health/probes.js";
import { type ForwardedCommand, MasterLink, type MasterLinkCounters } from "./master-link.js";
import { Sandboxes } from "./sandbox.js";
import {
  DEFAULT_STATUS_UPDATE_RETRY,
  type NewStatus,
  type RetryPolicy,
  StatusUpdateManager,
} from "./status-update-manager.js";
import { type FrameworkEntry, TaskBook, type TaskEntry } from "./task-book.js";
import { taskEnvironment } from "./task-env.js";
import { terminalOutcome } from "./task-exit.js";

/** Mesos' command executor kills with SIGTERM and waits this long before SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 3000;

/**
 * On a shutdown that kills every task, no task waits longer than this for its SIGKILL, whatever its
 * kill policy says (Mesos' `executor_shutdown_grace_period`, 5 s): a supervisor (systemd, the test
 * harness) kills an agent that takes too long, and the SIGKILL timers die with it.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

/** The executor name a task run by its framework's own executor is booked under. */
export const CUSTOM_EXECUTOR = "custom";

/** After the last SIGKILL, how long a shutdown waits for the tasks' ends to be seen (a recovered one is polled). */
const SHUTDOWN_EXIT_WAIT_MS = 3000;

export interface AgentOptions {
  bus: Bus;
  /** Cluster name, the subjects' namespace (default `agora`). */
  cluster?: string;
  /** Sandboxes live in `<workDir>/sandboxes/`. */
  workDir: string;
  /** Reported to the master and given to tasks as HOST (default `os.hostname()`). */
  hostname?: string;
  /** The agent's total resources (see `detectResources`). */
  resources: Resource[];
  attributes?: Attribute[];
  /** Executors by name: `shell`, `docker`. Their names are the agent's capabilities. Default `{ shell }`. */
  executors?: Record<string, Executor>;
  logger?: Logger;
  clock?: Clock;
  /** Status update resend backoff (Mesos: 10 s doubling to 10 min). */
  statusUpdateRetry?: RetryPolicy;
  /**
   * Checkpoint the agent's id and its running tasks under `<workDir>/meta/` and, on start, recover
   * them: a restarted agent reregisters with the same id and keeps the tasks its executors find
   * again (default false).
   */
  checkpoint?: boolean;
  /** Bound on every task's kill grace period when `stop({ killTasks: true })` (default 5 s). */
  shutdownGracePeriodMs?: number;
  /**
   * Brings each task's `command.uris` into its sandbox before launch (default: a `Fetcher` with its
   * default bounds, caching under `<workDir>/fetch-cache/`).
   */
  fetcher?: Fetcher;
  /**
   * Frameworks' own executors (Mesos' executor HTTP API): the host executors are told to reach the
   * agent at (MESOS_AGENT_ENDPOINT, default 127.0.0.1, with the agent's HTTP port), and Mesos'
   * registration timeout (1 min), shutdown grace period (5 s) and heartbeat interval (30 min).
   */
  executorApi?: { endpointHost?: string } & Pick<
    CustomExecutorsOptions,
    "registrationTimeoutMs" | "shutdownGracePeriodMs" | "heartbeatMs"
  >;
}

/** What the agent counted; for logs, tests and metrics. */
export interface AgentCounters extends MasterLinkCounters {
  /** Acknowledgements naming no update in flight (duplicates, or for a task unknown here). */
  ignoredAcks: number;
  /** Status updates produced. */
  statusUpdates: number;
  /** Framework messages received; no executor takes messages yet, so they are dropped (best effort). */
  frameworkMessages: number;
}

/** A task as the agent's HTTP API shows it. */
export type TaskView = Readonly<
  Pick<TaskEntry, "frameworkId" | "task" | "executor" | "sandbox" | "state" | "statuses">
>;

/** A framework as the agent's HTTP API shows it. */
export interface FrameworkView {
  readonly info: FrameworkInfo;
  readonly tasks: readonly TaskView[];
  readonly completedTasks: readonly TaskView[];
}

/** The read-only view of an agent the HTTP API renders. */
export interface AgentView {
  readonly id: AgentId | undefined;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly capabilities: readonly string[];
  /** The directory every sandbox lives under. */
  readonly sandboxRoot: string;
  /** How shell tasks are confined: cgroup v1 or v2, or `none` (limits advisory, usage from /proc). */
  readonly cgroupMode: CgroupMode;
  /** Frameworks' own executors, served by the agent's `/api/v1/executor` (absent in views built for tests). */
  readonly customExecutors?: CustomExecutors;
  /** Each running task with what it used so far (undefined when it could not be measured). */
  taskUsage(): Promise<Array<{ task: TaskView; usage: TaskUsage | undefined }>>;
  frameworks(): FrameworkView[];
  completedFrameworks(): FrameworkView[];
}

type ActiveFramework = FrameworkInfo & { id: FrameworkId };

/** A task booked for launch with the executor that will run it. */
interface Admitted {
  readonly entry: TaskEntry;
  readonly executor: Executor;
}

/**
 * An Agora agent: registers with the master, runs the tasks it is sent through its executors in
 * per-task sandboxes, and reports their status updates until each is acknowledged.
 *
 * @example
 * const agent = new Agent({ bus, workDir: "/var/lib/agora", resources: await detectResources({ workDir }) });
 * const app = buildAgentHttp(agent);
 * await app.listen({ port: 5051 });
 * await agent.start({ httpPort: 5051 });
 */
export class Agent implements AgentView {
  readonly hostname: string;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly capabilities: readonly string[];
  private readonly bus: Bus;
  private readonly subjects: Subjects;
  private readonly executors: Readonly<Record<string, Executor>>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sandboxes: Sandboxes;
  private readonly book = new TaskBook();
  private readonly updates: StatusUpdateManager;
  private readonly link: MasterLink;
  private readonly launching = new Set<Promise<void>>();
  private readonly checkpoint: AgentCheckpoint | undefined;
  private readonly counts = { ignoredAcks: 0, statusUpdates: 0, frameworkMessages: 0 };
  private readonly shutdownGracePeriodMs: number;
  private readonly fetcher: Fetcher;
  readonly customExecutors: CustomExecutors;
  /** The recovery of a previous process's tasks while `start` runs it; a stop waits for it to kill them. */
  private recovering: Promise<unknown> | undefined;
  private httpPort: number | undefined;
  private state: "new" | "started" | "stopping" | "stopped" = "new";

  constructor(options: AgentOptions) {
    this.bus = options.bus;
    this.subjects = subjects(options.cluster ?? DEFAULT_CLUSTER);
    this.hostname = options.hostname ?? os.hostname();
    this.resources = options.resources;
    this.attributes = options.attributes ?? [];
    this.logger = options.logger ?? pino({ level: "silent" });
    this.clock = options.clock ?? systemClock;
    this.executors = options.executors ?? {
      shell: new ShellExecutor({ clock: this.clock, recordExitStatus: options.checkpoint ?? false }),
    };
    this.capabilities = Object.keys(this.executors);
    this.shutdownGracePeriodMs = options.shutdownGracePeriodMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.sandboxes = new Sandboxes(options.workDir);
    this.fetcher = options.fetcher ?? new Fetcher({ cacheDir: path.join(options.workDir, "fetch-cache") });
    this.checkpoint = options.checkpoint ? new AgentCheckpoint(options.workDir) : undefined;
    this.updates = new StatusUpdateManager({
      send: (batch) => this.publishUpdates(batch),
      clock: this.clock,
      retry: options.statusUpdateRetry ?? DEFAULT_STATUS_UPDATE_RETRY,
      logger: this.logger,
      // Unacknowledged updates outlive the process: a restarted agent resends them after reregistering.
      ...(this.checkpoint
        ? { journal: new FileUpdateJournal(path.join(this.checkpoint.dir, "updates")) }
        : {}),
    });
    const endpointHost = options.executorApi?.endpointHost ?? "127.0.0.1";
    this.customExecutors = new CustomExecutors({
      ...options.executorApi,
      clock: this.clock,
      logger: this.logger,
      agent: () => ({
        id: this.id!,
        hostname: this.hostname,
        port: this.httpPort ?? 0,
        resources: this.resources,
        attributes: this.attributes,
      }),
      endpoint: () => `${endpointHost}:${this.httpPort ?? 0}`,
      sandboxOf: (frameworkId, executorId) => this.sandboxes.executorPathOf(frameworkId, executorId),
      onMessage: (frameworkId, executorId, data) => this.executorMessage(frameworkId, executorId, data),
    });
    this.link = new MasterLink({
      bus: this.bus,
      subjects: this.subjects,
      clock: this.clock,
      logger: this.logger,
      registration: (id) => this.registration(id),
      onCommand: (command) => this.onCommand(command),
    });
  }

  /** The id the master gave this agent; undefined until the first registration. */
  get id(): AgentId | undefined {
    return this.link.agentId;
  }

  get port(): number | undefined {
    return this.httpPort;
  }

  get sandboxRoot(): string {
    return this.sandboxes.root;
  }

  get counters(): Readonly<AgentCounters> {
    return { ...this.link.counters, ...this.counts };
  }

  /** Status updates not yet acknowledged. */
  get pendingUpdates(): number {
    return this.updates.pendingCount;
  }

  /**
   * Registers with the master (retrying with backoff while none answers) and starts taking
   * commands. Resolves once registered. `httpPort` is the port the agent's HTTP API listens on.
   */
  async start({ httpPort }: { httpPort: number }): Promise<void> {
    if (this.state !== "new") {
      throw new AgentError(
        this.state === "started" ? "ALREADY_STARTED" : "STOPPED",
        `the agent is ${this.state}`,
      );
    }
    this.state = "started";
    this.httpPort = httpPort;
    const recovery = this.checkpoint ? this.recover(this.checkpoint) : Promise.resolve([]);
    this.recovering = recovery;
    const lost = await recovery;
    await this.link.register();
    // Stopped while registering (no master answered yet): `stop` took care of the tasks.
    if (this.state !== "started") return;
    // Updates a previous process journalled but never saw acknowledged go again, in order per task.
    if (this.updates.pendingCount > 0) this.updates.resendAll();
    if (!this.checkpoint) return;
    await this.checkpoint.writeAgentId(this.id!);
    for (const entry of lost) {
      this.update(entry, {
        state: "TASK_FAILED",
        source: "SOURCE_AGENT",
        reason: "REASON_EXECUTOR_TERMINATED",
        message: "The task was gone when the agent recovered after a restart",
      });
    }
    await this.removeOrphans();
  }

  /**
   * Takes over what a previous agent process checkpointed: its id (the registration becomes a
   * reregistration) and its tasks, each handed to its executor to find again. Returns the tasks
   * nothing was found of; they are reported failed once registered.
   */
  private async recover(checkpoint: AgentCheckpoint): Promise<TaskEntry[]> {
    const agentId = await checkpoint.readAgentId();
    if (!agentId) return [];
    this.link.resume(agentId);
    const lost: TaskEntry[] = [];
    for (const saved of await checkpoint.readTasks()) {
      const framework = saved.framework as ActiveFramework;
      const { task } = saved;
      if (task.agentId !== agentId || this.book.active(framework.id, task.taskId)) continue;
      const entry = this.book.add(
        framework,
        task,
        saved.executor,
        this.sandboxes.pathOf(framework.id, task.taskId),
      );
      entry.state = "TASK_RUNNING";
      const handle = await this.executors[saved.executor]
        ?.recover?.(task, {
          run: saved.run,
          frameworkId: framework.id,
          agentId,
          sandbox: entry.sandbox,
          onExit: (exit) => this.exited(entry, exit),
        })
        .catch((err: unknown) => {
          this.logger.warn({ err, taskId: task.taskId }, "recovering a task failed");
          return undefined;
        });
      if (!handle) {
        lost.push(entry);
        continue;
      }
      entry.handle = handle;
      this.watchHealth(
        entry,
        taskEnvironment({
          task,
          frameworkId: framework.id,
          agentId,
          hostname: this.hostname,
          sandbox: entry.sandbox,
        }),
      );
    }
    this.logger.info(
      { agentId, recovered: this.book.activeTasks().length - lost.length, lost: lost.length },
      "recovered from the checkpoint",
    );
    return lost;
  }

  /** Asks each executor to remove what it runs for this agent that no task here owns. */
  private async removeOrphans(): Promise<void> {
    const agentId = this.id!;
    const known = (key: string) => {
      const [frameworkId, taskId] = key.split("/") as [FrameworkId, TaskId];
      return this.book.active(frameworkId, taskId) !== undefined;
    };
    await Promise.all(
      Object.values(this.executors).map((e) =>
        e.removeOrphans?.(agentId, known).catch((err: unknown) => {
          this.logger.warn({ err }, "removing orphans failed");
          return 0;
        }),
      ),
    );
  }

  /**
   * Stops taking commands and sending updates; may be called while `start` still registers. With
   * `killTasks`, every task (recovered ones too) is killed at once, its whole process group, with its
   * grace period bounded by `shutdownGracePeriodMs`, and its end awaited (a while), so nothing is
   * left running; without, tasks keep running for a later agent to recover.
   */
  async stop({ killTasks }: { killTasks: boolean }): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    const wasStarted = this.state === "started";
    this.state = "stopping";
    this.link.stop();
    // Recovery is local (the checkpoint, /proc, container labels): every recovered task gets its handle.
    if (wasStarted) await this.recovering?.catch(() => undefined);
    if (killTasks) await this.killAll();
    else {
      // A task still fetching never ran: it fails now rather than hold the stop up for its download.
      for (const t of this.book.activeTasks()) t.fetching?.abort();
      await Promise.allSettled([...this.launching]);
      for (const t of this.book.activeTasks()) {
        t.health?.stop();
        t.handle?.release();
      }
    }
    // Custom executors are not recovered by a restarted agent (they would have to reconnect to it), so
    // they are shut down whatever `killTasks` says.
    await this.customExecutors.shutdownAll(this.shutdownGracePeriodMs);
    this.updates.stop();
    this.state = "stopped";
  }

  /**
   * Signals every task now, before waiting for anything (a task still launching is killed as soon as
   * it runs), then waits for their ends: at most the bounded grace period plus the time it takes to
   * see a SIGKILLed task go.
   */
  private async killAll(): Promise<void> {
    const tasks = this.book.activeTasks();
    const killed = tasks.map((t) => {
      t.health?.stop();
      return this.kill(t, Math.min(this.gracePeriodMs(t.task), this.shutdownGracePeriodMs));
    });
    await Promise.allSettled([...this.launching]);
    // Only what an executor runs: a recovered task nothing was found of has nothing to end.
    const all = [...new Set([...tasks, ...this.book.activeTasks()])].filter((t) => t.handle !== undefined);
    let timer: ReturnType<Clock["setTimeout"]> | undefined;
    const waitedEnough = new Promise<"timeout">((resolve) => {
      timer = this.clock.setTimeout(
        () => resolve("timeout"),
        this.shutdownGracePeriodMs + SHUTDOWN_EXIT_WAIT_MS,
      );
    });
    const ended = Promise.all([...killed, ...all.map((t) => t.ended)]);
    const outcome = await Promise.race([ended, waitedEnough]);
    if (timer) this.clock.clear(timer);
    if (outcome === "timeout") {
      const left = all.filter((t) => !isTerminalState(t.state)).map((t) => t.task.taskId);
      this.logger.warn(
        { tasks: left },
        "shutting down without having seen these tasks end (they were SIGKILLed)",
      );
    }
  }

  get cgroupMode(): CgroupMode {
    return this.executors.shell?.cgroupMode ?? "none";
  }

  async taskUsage(): Promise<Array<{ task: TaskView; usage: TaskUsage | undefined }>> {
    return Promise.all(
      this.book.activeTasks().map(async (task) => ({
        task,
        usage: await task.handle?.usage?.().catch(() => undefined),
      })),
    );
  }

  frameworks(): FrameworkView[] {
    return this.book.frameworkList().map(frameworkView);
  }

  completedFrameworks(): FrameworkView[] {
    return this.book.completedFrameworkList().map(frameworkView);
  }

  private agentInfo(): AgentInfo {
    return {
      hostname: this.hostname,
      port: this.httpPort ?? 0,
      resources: [...this.resources],
      attributes: [...this.attributes],
      capabilities: [...this.capabilities],
      version: AGORA_VERSION,
    };
  }

  private registration(id: AgentId | undefined): AgentMessage {
    if (id === undefined) return { type: "register", agentInfo: this.agentInfo() };
    return {
      type: "reregister",
      agentInfo: { ...this.agentInfo(), id },
      tasks: this.book
        .activeTasks()
        .map((t) => ({ frameworkId: t.frameworkId, task: t.task, state: t.state })),
      frameworks: this.book.frameworkList().map((f) => ({ ...f.info, id: f.info.id! })),
      updates: this.updates.inFlight(),
    };
  }

  private onCommand(command: ForwardedCommand): void {
    if (this.state !== "started") return;
    switch (command.type) {
      case "runTask":
        this.runTasks(command);
        return;
      case "killTask":
        this.killTask(command);
        return;
      case "statusAcknowledgement":
        for (const ack of command.acks) {
          if (!this.updates.acknowledge(ack)) this.counts.ignoredAcks++;
        }
        return;
      case "shutdownFramework":
        this.shutdownFramework(command.frameworkId);
        return;
      case "frameworkMessage":
        this.counts.frameworkMessages++;
        if (
          command.executorId === undefined ||
          !this.customExecutors.deliverMessage(command.frameworkId, command.executorId, command.data)
        )
          this.logger.debug(
            { frameworkId: command.frameworkId, executorId: command.executorId },
            "framework message dropped: no such executor listens here",
          );
        return;
    }
  }

  private runTasks(command: AgentCommandOf<"runTask">): void {
    const framework: ActiveFramework = { ...command.frameworkInfo, id: command.frameworkId };
    const admitted: Admitted[] = [];
    for (const task of command.tasks) {
      const a = this.admit(framework, task);
      if (a) admitted.push(a);
    }
    if (admitted.length === 0) return;
    const launch = this.launchAll(admitted).catch((err: unknown) => {
      this.logger.error({ err }, "launching tasks failed unexpectedly");
    });
    this.launching.add(launch);
    void launch.finally(() => this.launching.delete(launch));
  }

  /** Books a task if it can run here; otherwise reports why not (TASK_FAILED) and returns undefined. */
  private admit(framework: ActiveFramework, task: TaskInfo): Admitted | undefined {
    const frameworkId = framework.id;
    if (this.book.active(frameworkId, task.taskId)) {
      this.report(frameworkId, task.taskId, {
        state: "TASK_FAILED",
        source: "SOURCE_AGENT",
        reason: "REASON_TASK_INVALID",
        message: `Task ${task.taskId} is already running on this agent`,
      });
      return undefined;
    }
    const executorName = task.executor ? CUSTOM_EXECUTOR : task.container?.docker ? "docker" : "shell";
    // The tasks of a custom executor share its sandbox, as in Mesos.
    const sandbox = task.executor
      ? this.sandboxes.executorPathOf(frameworkId, task.executor.executorId)
      : this.sandboxes.pathOf(frameworkId, task.taskId);
    const entry = this.book.add(framework, task, executorName, sandbox);
    if (task.agentId !== this.id) {
      this.fail(
        entry,
        "REASON_TASK_INVALID",
        `Task is for agent ${task.agentId}, not this agent (${this.id})`,
      );
      return undefined;
    }
    const executor = task.executor ? this.customExecutors : this.executors[executorName];
    if (!executor) {
      const what = executorName === "docker" ? "Docker" : executorName;
      this.fail(entry, "REASON_CONTAINER_LAUNCH_FAILED", `this agent has no ${what} executor`);
      return undefined;
    }
    return { entry, executor };
  }

  /**
   * Creates the sandboxes of one runTask's tasks, then launches them all: tasks that start together
   * report RUNNING in the same tick, so their updates leave in one message.
   */
  private async launchAll(admitted: Admitted[]): Promise<void> {
    const ready = await Promise.all(
      admitted.map(({ entry }) =>
        mkdir(entry.sandbox, { recursive: true }).then(
          () => true,
          (err: Error) => {
            this.fail(
              entry,
              "REASON_CONTAINER_LAUNCH_FAILED",
              `could not create the sandbox: ${err.message}`,
            );
            return false;
          },
        ),
      ),
    );
    await Promise.all(
      admitted.filter((_, i) => ready[i]).map(({ entry, executor }) => this.launch(entry, executor)),
    );
  }

  private async launch(entry: TaskEntry, executor: Executor): Promise<void> {
    const { task, frameworkId } = entry;
    const agentId = this.id!;
    // An executor may report the exit before `launch` has resolved; it is applied after RUNNING.
    let running = false;
    let earlyExit: TaskExit | undefined;
    const onExit = (exit: TaskExit) => {
      if (running) this.exited(entry, exit);
      else earlyExit = exit;
    };
    if (!(await this.fetch(entry))) return;
    const env = taskEnvironment({
      task,
      frameworkId,
      agentId,
      hostname: this.hostname,
      sandbox: entry.sandbox,
    });
    try {
      entry.handle = await executor.launch(task, {
        frameworkId,
        agentId,
        sandbox: entry.sandbox,
        env,
        onExit,
        framework: this.book.frameworkList().find((f) => f.info.id === frameworkId)!.info,
        onStatus: (status) => this.executorStatus(entry, status),
      });
    } catch (err) {
      const reason = isAgentError(err) && err.reason ? err.reason : "REASON_CONTAINER_LAUNCH_FAILED";
      return this.fail(entry, reason, (err as Error).message, "SOURCE_EXECUTOR");
    }
    const handle = entry.handle;
    if (handle.reportsOwnStatus) {
      // The executor reports RUNNING itself and is not recovered after a restart: nothing to checkpoint.
      running = true;
      if (earlyExit) this.exited(entry, earlyExit);
      else if (entry.pendingKillMs !== undefined) void this.kill(entry, entry.pendingKillMs);
      return;
    }
    if (this.checkpoint && !earlyExit) await this.checkpointTask(this.checkpoint, entry, handle);
    // Only now: an exit while the checkpoint was written must still come after RUNNING.
    running = true;
    const pid = handle.pid;
    const containerId = handle.containerId;
    this.update(entry, {
      state: "TASK_RUNNING",
      source: "SOURCE_EXECUTOR",
      ...(pid === undefined && containerId === undefined
        ? {}
        : {
            containerStatus: {
              ...(pid === undefined ? {} : { executorPid: pid }),
              ...(containerId === undefined ? {} : { containerId }),
            },
          }),
    });
    if (earlyExit) this.exited(entry, earlyExit);
    else if (entry.pendingKillMs !== undefined) void this.kill(entry, entry.pendingKillMs);
    else this.watchHealth(entry, env);
  }

  /**
   * Fetches the task's `command.uris` into its sandbox (Mesos' fetcher), before its process or
   * container exists. Returns false when the task ended instead: a failed fetch is TASK_FAILED
   * (REASON_CONTAINER_LAUNCH_FAILED, the message names the URI); a kill during the fetch aborts it
   * and ends the task TASK_KILLED (REASON_TASK_KILLED_DURING_LAUNCH) without it ever running.
   */
  private async fetch(entry: TaskEntry): Promise<boolean> {
    const uris = entry.task.command?.uris ?? [];
    if (uris.length === 0) return true;
    const abort = new AbortController();
    entry.fetching = abort;
    let failure: Error | undefined;
    try {
      await this.fetcher.fetchAll(uris, entry.sandbox, abort.signal);
    } catch (err) {
      failure = err as Error;
    } finally {
      entry.fetching = undefined;
    }
    if (entry.pendingKillMs !== undefined) {
      this.update(entry, {
        state: "TASK_KILLED",
        source: "SOURCE_AGENT",
        reason: "REASON_TASK_KILLED_DURING_LAUNCH",
        message: "Task killed while its URIs were being fetched",
      });
      return false;
    }
    if (failure) {
      const message = abort.signal.aborted
        ? `${failure.message} (the agent stopped before the task launched)`
        : failure.message;
      this.fail(entry, "REASON_CONTAINER_LAUNCH_FAILED", message);
      return false;
    }
    return true;
  }

  /** Starts the task's health checks, if it has any; their verdicts ride on TASK_RUNNING updates. */
  private watchHealth(entry: TaskEntry, env: Readonly<Record<string, string>>): void {
    const check = entry.task.healthCheck;
    if (!check || !entry.handle) return;
    const runCommand =
      entry.handle.runCommand ??
      hostCommandRunner({ cwd: entry.sandbox, env, path: process.env.PATH ?? "/usr/bin:/bin" });
    entry.health = new HealthMonitor({
      check,
      probe: probeFor(check, runCommand),
      clock: this.clock,
      onVerdict: (verdict) => this.healthVerdict(entry, verdict),
    }).start();
  }

  private healthVerdict(entry: TaskEntry, verdict: HealthVerdict): void {
    if (isTerminalState(entry.state)) return;
    if (verdict.healthy !== undefined) {
      this.update(entry, {
        state: "TASK_RUNNING",
        source: "SOURCE_EXECUTOR",
        healthy: verdict.healthy,
        reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
        ...(verdict.healthy ? {} : { message: "Health check failed" }),
      });
    }
    if (!verdict.kill) return;
    entry.unhealthyKill = `Task killed after ${verdict.consecutiveFailures} consecutive failed health checks`;
    this.logger.info({ taskId: entry.task.taskId }, entry.unhealthyKill);
    void this.kill(entry, this.gracePeriodMs(entry.task));
  }

  /** Records a launched task so a restarted agent can take it over; before RUNNING is reported. */
  private async checkpointTask(
    checkpoint: AgentCheckpoint,
    entry: TaskEntry,
    handle: ExecutorHandle,
  ): Promise<void> {
    const run: RunCheckpoint = {};
    if (handle.containerId !== undefined) run.containerId = handle.containerId;
    else if (handle.pid !== undefined) {
      run.pid = handle.pid;
      const startTime = await processStartTime(handle.pid);
      if (startTime !== undefined) run.startTime = startTime;
    }
    // The task's own framework entry exists: the task was booked under it.
    const framework = this.book.frameworkList().find((f) => f.info.id === entry.frameworkId)!.info;
    try {
      await checkpoint.writeTask({
        framework,
        task: entry.task,
        executor: entry.executor,
        run,
      });
    } catch (err) {
      this.logger.error({ err, taskId: entry.task.taskId }, "could not checkpoint a task");
    }
  }

  private killTask(command: AgentCommandOf<"killTask">): void {
    const entry = this.book.active(command.frameworkId, command.taskId);
    if (entry) {
      const graceMs =
        command.killPolicy !== undefined
          ? command.killPolicy.gracePeriodSeconds * 1000
          : this.gracePeriodMs(entry.task);
      void this.kill(entry, graceMs);
      return;
    }
    if (this.book.isCompleted(command.frameworkId, command.taskId)) {
      // Its terminal update is already on its way to the master.
      this.logger.debug({ taskId: command.taskId }, "kill of a task that already ended");
      return;
    }
    // As Mesos: the task may never have reached this agent. Partition-aware frameworks get DROPPED.
    const info = this.book.frameworkList().find((f) => f.info.id === command.frameworkId)?.info;
    const partitionAware = info?.capabilities?.includes("PARTITION_AWARE") ?? false;
    this.report(command.frameworkId, command.taskId, {
      state: partitionAware ? "TASK_DROPPED" : "TASK_LOST",
      source: "SOURCE_AGENT",
      reason: "REASON_EXECUTOR_TERMINATED",
      message: "Cannot find executor",
    });
  }

  private shutdownFramework(frameworkId: FrameworkId): void {
    for (const entry of this.book.shutDown(frameworkId)) {
      // Its executor gets SHUTDOWN instead, as in Mesos, and is killed after its grace period.
      if (entry.executor === CUSTOM_EXECUTOR) continue;
      void this.kill(entry, this.gracePeriodMs(entry.task));
    }
    void this.customExecutors.shutdownFramework(frameworkId);
  }

  /** A status a task's custom executor reported (its UPDATE), recorded like the agent's own. */
  private executorStatus(entry: TaskEntry, status: ExecutorReportedStatus): void {
    if (isTerminalState(entry.state) || this.state !== "started") return;
    this.update(entry, status);
  }

  /** A custom executor's message to its framework, relayed by the master as a `message` event. */
  private executorMessage(frameworkId: FrameworkId, executorId: ExecutorId, data: string): void {
    const agentId = this.id;
    if (!agentId || this.state !== "started") return;
    this.bus.publish(
      this.subjects.masterAgent,
      encode({ type: "executorMessage", agentId, frameworkId, executorId, data } satisfies AgentMessage),
    );
  }

  /** Kills a task now, or as soon as it has launched. Resolves when it ended (or once the kill is queued). */
  private async kill(entry: TaskEntry, gracePeriodMs: number): Promise<void> {
    if (!entry.handle) {
      entry.pendingKillMs = gracePeriodMs;
      entry.fetching?.abort();
      return;
    }
    try {
      await entry.handle.kill(gracePeriodMs);
    } catch (err) {
      this.logger.error({ err, taskId: entry.task.taskId }, "killing a task failed");
    }
  }

  private gracePeriodMs(task: TaskInfo): number {
    const seconds = task.killPolicy?.gracePeriodSeconds;
    return seconds === undefined ? DEFAULT_KILL_GRACE_MS : seconds * 1000;
  }

  private exited(entry: TaskEntry, exit: TaskExit): void {
    if (isTerminalState(entry.state)) return;
    if (entry.unhealthyKill !== undefined && exit.kind === "killed") {
      this.update(entry, {
        state: "TASK_KILLED",
        source: "SOURCE_EXECUTOR",
        healthy: false,
        reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
        message: entry.unhealthyKill,
      });
      return;
    }
    // An executor that ended under its tasks is reported by the agent, as Mesos' agent does.
    const source = exit.kind === "executorTerminated" ? "SOURCE_AGENT" : "SOURCE_EXECUTOR";
    this.update(entry, {
      ...terminalOutcome(exit),
      source,
      ...(entry.executor === CUSTOM_EXECUTOR ? { executorId: entry.task.executor!.executorId } : {}),
    });
  }

  private fail(
    entry: TaskEntry,
    reason: NonNullable<NewStatus["reason"]>,
    message: string,
    source: NewStatus["source"] = "SOURCE_AGENT",
  ): void {
    this.logger.warn({ taskId: entry.task.taskId, reason, message }, "task failed to launch");
    this.update(entry, { state: "TASK_FAILED", source, reason, message });
  }

  /** Records a status of a task booked here and queues its update; a terminal one completes the task. */
  private update(entry: TaskEntry, status: Omit<NewStatus, "taskId" | "agentId" | "timestamp">): void {
    const update = this.report(entry.frameworkId, entry.task.taskId, status);
    entry.state = update.status.state;
    entry.statuses.push(update.status);
    if (!isTerminalState(entry.state)) return;
    entry.health?.stop();
    this.book.complete(entry);
    void this.checkpoint
      ?.removeTask(entry.frameworkId, entry.task.taskId)
      .catch((err: unknown) => this.logger.warn({ err }, "could not remove a task's checkpoint"));
  }

  /** Queues a status update for delivery until acknowledged. */
  private report(
    frameworkId: FrameworkId,
    taskId: TaskId,
    status: Omit<NewStatus, "taskId" | "agentId" | "timestamp">,
  ): StatusUpdate {
    this.counts.statusUpdates++;
    return this.updates.enqueue(frameworkId, {
      ...status,
      taskId,
      agentId: this.id!,
      timestamp: this.clock.now() / 1000,
    });
  }

  private publishUpdates(updates: StatusUpdate[]): void {
    const agentId = this.id;
    if (!agentId || this.state === "stopped") return;
    this.bus.publish(
      this.subjects.masterAgent,
      encode({ type: "statusUpdate", agentId, updates } satisfies AgentMessage),
    );
  }
}

function frameworkView(f: FrameworkEntry): FrameworkView {
  return { info: f.info, tasks: [...f.tasks.values()], completedTasks: [...f.completed] };
}
