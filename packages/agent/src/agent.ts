import os from "node:os";
import path from "node:path";
import {
  AGORA_VERSION,
  type AgentId,
  type AgentInfo,
  type AgentMessage,
  type Attribute,
  type Credential,
  DEFAULT_CLUSTER,
  type Resource,
  subjects,
} from "@agora/protocol";
import { type Bus, type Clock, systemClock } from "@agora/transport";
import { type Logger, pino } from "pino";
import { type AgentView, type FrameworkView, frameworkView, type TaskView } from "./agent-view.js";
import type { CgroupMode } from "./cgroups/cgroups.js";
import { AgentCheckpoint } from "./checkpoint.js";
import { AgentError } from "./errors.js";
import type { Executor, TaskUsage } from "./executor.js";
import { CustomExecutors, type CustomExecutorsOptions } from "./executors/custom-executor.js";
import { ShellExecutor } from "./executors/shell-executor.js";
import { Fetcher } from "./fetcher.js";
import { type ForwardedCommand, MasterLink, type MasterLinkCounters } from "./master-link.js";
import { LOST_IN_RESTART, recoverTasks, removeOrphans } from "./recovery.js";
import { Sandboxes } from "./sandbox.js";
import { type AgentLifecycle, StatusReporter } from "./status-reporter.js";
import {
  DEFAULT_STATUS_UPDATE_RETRY,
  type RetryPolicy,
  type UnacknowledgedUpdate,
} from "./status-update-manager.js";
import { TaskBook, type TaskEntry } from "./task-book.js";
import { TaskLauncher } from "./task-launcher.js";
import { TaskSupervisor } from "./task-supervisor.js";

/**
 * On a shutdown that kills every task, no task waits longer than this for its SIGKILL, whatever its
 * kill policy says (Mesos' `executor_shutdown_grace_period`, 5 s): a supervisor (systemd, the test
 * harness) kills an agent that takes too long, and the SIGKILL timers die with it.
 */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

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
  /** The principal and secret it (re)registers with (Mesos' agent `--credential`; default none). */
  credential?: Credential;
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
   * registration timeout (1 min), shutdown grace period (5 s) and heartbeat interval (30 min);
   * `switchUser` as the shell executor's (executors run as their `command.user`).
   */
  executorApi?: { endpointHost?: string } & Pick<
    CustomExecutorsOptions,
    "registrationTimeoutMs" | "shutdownGracePeriodMs" | "heartbeatMs" | "switchUser"
  >;
}

/** What the agent counted; for logs, tests and metrics. */
export interface AgentCounters extends MasterLinkCounters {
  /** Acknowledgements naming no update in flight (duplicates, or for a task unknown here). */
  ignoredAcks: number;
  /** Status updates produced (queued for delivery until acknowledged). */
  statusUpdates: number;
  /** Status updates of frameworks the master shut down, dropped undelivered (none can acknowledge them). */
  statusUpdatesDropped: number;
  /** Sends of status updates sent before (retries while unacknowledged). */
  statusUpdatesResent: number;
  /** Framework messages received; no executor takes messages yet, so they are dropped (best effort). */
  frameworkMessages: number;
}
/**
 * An Agora agent: registers with the master, runs the tasks it is sent through its executors in
 * per-task sandboxes, and reports their status updates until each is acknowledged. This class is
 * the agent's life (start, recovery, stop) and its dispatch of the master's commands; the work is
 * done by the `TaskLauncher` (runTask), the `TaskSupervisor` (health, kills, exits), the
 * `StatusReporter` (updates to the master) and the `MasterLink` (registration, pings, epochs).
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
  readonly customExecutors: CustomExecutors;
  private readonly executors: Readonly<Record<string, Executor>>;
  private readonly logger: Logger;
  private readonly sandboxes: Sandboxes;
  private readonly book = new TaskBook();
  private readonly checkpoint: AgentCheckpoint | undefined;
  private readonly reporter: StatusReporter;
  private readonly supervisor: TaskSupervisor;
  private readonly launcher: TaskLauncher;
  private readonly link: MasterLink;
  private readonly counts = { ignoredAcks: 0, frameworkMessages: 0 };
  private readonly shutdownGracePeriodMs: number;
  /** The recovery of a previous process's tasks while `start` runs it; a stop waits for it to kill them. */
  private recovering: Promise<unknown> | undefined;
  private httpPort: number | undefined;
  private state: AgentLifecycle = "new";
  private readonly clock: Clock;
  /** The executors that ready something for the next launches (`prepare`). */
  private readonly preparers: readonly Executor[];
  private preparing = false;

  constructor(options: AgentOptions) {
    const bus = options.bus;
    const agentSubjects = subjects(options.cluster ?? DEFAULT_CLUSTER);
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const logger = options.logger ?? pino({ level: "silent" });
    const agentId = () => this.id;
    const lifecycle = () => this.state;
    this.hostname = options.hostname ?? os.hostname();
    this.resources = options.resources;
    this.attributes = options.attributes ?? [];
    this.logger = logger;
    this.executors = options.executors ?? {
      shell: new ShellExecutor({ clock, recordExitStatus: options.checkpoint ?? false }),
    };
    this.capabilities = Object.keys(this.executors);
    this.preparers = Object.values(this.executors).filter((e) => e.prepare);
    this.shutdownGracePeriodMs = options.shutdownGracePeriodMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.sandboxes = new Sandboxes(options.workDir);
    this.checkpoint = options.checkpoint ? new AgentCheckpoint(options.workDir) : undefined;
    this.reporter = new StatusReporter({
      bus,
      subjects: agentSubjects,
      clock,
      logger,
      book: this.book,
      retry: options.statusUpdateRetry ?? DEFAULT_STATUS_UPDATE_RETRY,
      checkpoint: this.checkpoint,
      agentId,
      lifecycle,
    });
    const endpointHost = options.executorApi?.endpointHost ?? "127.0.0.1";
    this.customExecutors = new CustomExecutors({
      ...options.executorApi,
      clock,
      logger,
      agent: () => ({
        id: this.id!,
        hostname: this.hostname,
        port: this.httpPort ?? 0,
        resources: this.resources,
        attributes: this.attributes,
      }),
      endpoint: () => `${endpointHost}:${this.httpPort ?? 0}`,
      sandboxOf: (frameworkId, executorId) => this.sandboxes.executorPathOf(frameworkId, executorId),
      onMessage: (frameworkId, executorId, data) =>
        this.reporter.executorMessage(frameworkId, executorId, data),
    });
    this.supervisor = new TaskSupervisor({
      book: this.book,
      reporter: this.reporter,
      customExecutors: this.customExecutors,
      clock,
      logger,
      lifecycle,
    });
    this.launcher = new TaskLauncher({
      book: this.book,
      reporter: this.reporter,
      supervisor: this.supervisor,
      executors: this.executors,
      customExecutors: this.customExecutors,
      sandboxes: this.sandboxes,
      fetcher: options.fetcher ?? new Fetcher({ cacheDir: path.join(options.workDir, "fetch-cache") }),
      checkpoint: this.checkpoint,
      hostname: this.hostname,
      agentId,
      logger,
    });
    this.link = new MasterLink({
      bus,
      subjects: agentSubjects,
      clock,
      logger,
      credential: options.credential,
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
    return {
      ...this.link.counters,
      ...this.counts,
      statusUpdates: this.reporter.produced,
      statusUpdatesDropped: this.reporter.dropped,
      statusUpdatesResent: this.reporter.resent,
    };
  }

  /** Status updates not yet acknowledged. */
  get pendingUpdates(): number {
    return this.reporter.pendingCount;
  }

  /**
   * Each status update not yet acknowledged: the update, its place in its task's queue (0: in
   * flight), when it was first sent (clock ms) and how many times: what a report of stuck updates shows.
   */
  unacknowledgedUpdates(): UnacknowledgedUpdate[] {
    return this.reporter.unacknowledged();
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
    this.prepareExecutors();
    // Updates a previous process journalled but never saw acknowledged go again, in order per task.
    if (this.reporter.pendingCount > 0) this.reporter.resendAll();
    if (!this.checkpoint) return;
    await this.checkpoint.writeAgentId(this.id!);
    for (const entry of lost) this.reporter.update(entry, LOST_IN_RESTART);
    await removeOrphans(this.executors, this.book, this.id!, this.logger);
  }

  /**
   * Lets the executors ready the next launches (a fork for each ready shell, which blocks the event
   * loop), at the end of a turn in which acknowledgements came: the updates they settle have reached
   * their frameworks, so the fork delays none of them on its way (in dev mode, the master and the
   * frameworks share this process' loop).
   */
  private prepareExecutors(): void {
    // Nothing to schedule on every acknowledgement for executors that ready nothing.
    if (this.preparing || this.preparers.length === 0) return;
    this.preparing = true;
    this.clock.defer(() => {
      this.preparing = false;
      if (this.state !== "started") return;
      for (const executor of this.preparers) executor.prepare?.();
    });
  }

  /**
   * Takes over what a previous agent process checkpointed: its id (the registration becomes a
   * reregistration) and its tasks. Returns the tasks nothing was found of.
   */
  private async recover(checkpoint: AgentCheckpoint): Promise<TaskEntry[]> {
    const agentId = await checkpoint.readAgentId();
    if (!agentId) return [];
    this.link.resume(agentId);
    return recoverTasks(
      {
        checkpoint,
        book: this.book,
        executors: this.executors,
        sandboxes: this.sandboxes,
        supervisor: this.supervisor,
        hostname: this.hostname,
        logger: this.logger,
      },
      agentId,
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
    if (killTasks) await this.supervisor.killAll(this.shutdownGracePeriodMs, () => this.launcher.settled());
    else {
      // A task still fetching never ran: it fails now rather than hold the stop up for its download.
      for (const t of this.book.activeTasks()) t.fetching?.abort();
      await this.launcher.settled();
      for (const t of this.book.activeTasks()) {
        t.health?.stop();
        t.handle?.release();
      }
    }
    // Custom executors are not recovered by a restarted agent (they would have to reconnect to it), so
    // they are shut down whatever `killTasks` says.
    await this.customExecutors.shutdownAll(this.shutdownGracePeriodMs);
    await Promise.all(
      Object.values(this.executors).map(async (e) => Promise.all([e.stop?.(), e.settled?.()])),
    );
    this.reporter.stop();
    this.checkpoint?.close();
    await this.sandboxes.stop();
    this.state = "stopped";
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
      updates: this.reporter.inFlight(),
    };
  }

  private onCommand(command: ForwardedCommand): void {
    if (this.state !== "started") return;
    switch (command.type) {
      case "runTask":
        this.launcher.run(command);
        return;
      case "killTask":
        this.supervisor.killTask(command);
        return;
      case "statusAcknowledgement":
        for (const ack of command.acks) {
          if (!this.reporter.acknowledge(ack)) this.counts.ignoredAcks++;
        }
        this.prepareExecutors();
        return;
      case "shutdownFramework":
        this.supervisor.shutdownFramework(command.frameworkId);
        this.reporter.shutdownFramework(command.frameworkId);
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
}
