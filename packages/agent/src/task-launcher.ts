import type { AgentCommandOf, AgentId, FrameworkId, FrameworkInfo, TaskInfo } from "@agora/protocol";
import type { Logger } from "pino";
import { type AgentCheckpoint, processStartTime, type RunCheckpoint } from "./checkpoint.js";
import { isAgentError } from "./errors.js";
import type { Executor, ExecutorHandle, TaskExit } from "./executor.js";
import type { CustomExecutors } from "./executors/custom-executor.js";
import type { UserAccount } from "./executors/task-user.js";
import type { Fetcher } from "./fetcher.js";
import type { Sandboxes } from "./sandbox.js";
import type { StatusReporter } from "./status-reporter.js";
import type { TaskBook, TaskEntry } from "./task-book.js";
import { taskEnvironment } from "./task-env.js";
import { CUSTOM_EXECUTOR, type TaskSupervisor } from "./task-supervisor.js";

/** A framework as a runTask names it: its info with its id. */
export type ActiveFramework = FrameworkInfo & { id: FrameworkId };

export interface TaskLauncherOptions {
  book: TaskBook;
  reporter: StatusReporter;
  supervisor: TaskSupervisor;
  /** The agent's executors by name (`shell`, `docker`). */
  executors: Readonly<Record<string, Executor>>;
  customExecutors: CustomExecutors;
  sandboxes: Sandboxes;
  fetcher: Fetcher;
  /** With a checkpoint, each launched task is recorded before its RUNNING is sent. */
  checkpoint: AgentCheckpoint | undefined;
  hostname: string;
  /** The id the master gave the agent: runTask commands arrive only once it has one. */
  agentId(): AgentId | undefined;
  logger: Logger;
}

/** A task booked for launch with the executor that will run it. */
interface Admitted {
  readonly entry: TaskEntry;
  readonly executor: Executor;
}

/**
 * Runs the master's runTask commands: books each task (or reports why it cannot run here), makes
 * its sandbox, fetches its URIs, starts it through its executor, checkpoints it and reports
 * TASK_RUNNING, then hands it to the supervisor.
 */
export class TaskLauncher {
  private readonly launching = new Set<Promise<void>>();

  constructor(private readonly options: TaskLauncherOptions) {}

  /** Books and launches one runTask's tasks; their launches go on in the background. */
  run(command: AgentCommandOf<"runTask">): void {
    const framework: ActiveFramework = { ...command.frameworkInfo, id: command.frameworkId };
    const admitted: Admitted[] = [];
    for (const task of command.tasks) {
      const a = this.admit(framework, task);
      if (a) admitted.push(a);
    }
    if (admitted.length === 0) return;
    const launch = this.launchAll(admitted).catch((err: unknown) => {
      this.options.logger.error({ err }, "launching tasks failed unexpectedly");
    });
    this.launching.add(launch);
    void launch.finally(() => this.launching.delete(launch));
  }

  /** Settles once every launch under way now has ended, one way or the other. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.launching]);
  }

  /** Books a task if it can run here; otherwise reports why not (TASK_FAILED) and returns undefined. */
  private admit(framework: ActiveFramework, task: TaskInfo): Admitted | undefined {
    const { book, reporter, sandboxes } = this.options;
    const frameworkId = framework.id;
    if (book.active(frameworkId, task.taskId)) {
      reporter.report(frameworkId, task.taskId, {
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
      ? sandboxes.executorPathOf(frameworkId, task.executor.executorId)
      : sandboxes.pathOf(frameworkId, task.taskId);
    const entry = book.add(framework, task, executorName, sandbox);
    const agentId = this.options.agentId();
    if (task.agentId !== agentId) {
      reporter.fail(
        entry,
        "REASON_TASK_INVALID",
        `Task is for agent ${task.agentId}, not this agent (${agentId})`,
      );
      return undefined;
    }
    const executor = task.executor ? this.options.customExecutors : this.options.executors[executorName];
    if (!executor) {
      const what = executorName === "docker" ? "Docker" : executorName;
      reporter.fail(entry, "REASON_CONTAINER_LAUNCH_FAILED", `this agent has no ${what} executor`);
      return undefined;
    }
    return { entry, executor };
  }

  /**
   * Creates the sandboxes of one runTask's tasks, then launches them all: tasks that start together
   * report RUNNING in the same tick, so their updates leave in one message. The directories are made
   * synchronously: a mkdir (or a ready sandbox's rename) is metadata work of microseconds (under a
   * millisecond on a slow disk), while an awaited one costs a trip through the thread pool and a busy
   * event loop, which on a loaded machine was a good part of a lone launch's latency (BENCHMARKS.md,
   * issue 14); the executors' spawns block the loop far longer anyway.
   */
  private async launchAll(admitted: Admitted[]): Promise<void> {
    const ready = admitted.filter(({ entry }) => {
      try {
        this.options.sandboxes.make(entry.sandbox);
        return true;
      } catch (err) {
        this.options.reporter.fail(
          entry,
          "REASON_CONTAINER_LAUNCH_FAILED",
          `could not create the sandbox: ${(err as Error).message}`,
        );
        return false;
      }
    });
    await Promise.all(ready.map(({ entry, executor }) => this.launch(entry, executor)));
    void this.options.sandboxes.refill();
  }

  private async launch(entry: TaskEntry, executor: Executor): Promise<void> {
    const { book, reporter, supervisor, checkpoint } = this.options;
    const { task, frameworkId } = entry;
    const agentId = this.options.agentId()!;
    // An executor may report the exit before `launch` has resolved; it is applied after RUNNING.
    let running = false;
    let earlyExit: TaskExit | undefined;
    const onExit = (exit: TaskExit) => {
      if (running) supervisor.exited(entry, exit);
      else earlyExit = exit;
    };
    const framework = book.frameworkInfo(frameworkId)!;
    // Refused before its URIs are fetched: nothing is downloaded for a task that will not run.
    // Neither step costs a promise when the executor checks nothing or the task fetches nothing.
    const admission = executor.admit
      ? await Promise.resolve(executor.admit(task, { sandbox: entry.sandbox, framework })).then(
          (reader) => ({ reader }),
          (err: unknown) => ({ refusal: err as Error }),
        )
      : { reader: undefined };
    if ("refusal" in admission) {
      const { refusal } = admission;
      const reason =
        isAgentError(refusal) && refusal.reason ? refusal.reason : "REASON_CONTAINER_LAUNCH_FAILED";
      return reporter.fail(entry, reason, refusal.message);
    }
    if (task.command?.uris?.length && !(await this.fetch(entry, admission.reader))) return;
    const env = taskEnvironment({
      task,
      frameworkId,
      agentId,
      hostname: this.options.hostname,
      sandbox: entry.sandbox,
    });
    // Recorded before its process starts, as Mesos checkpoints a task before launching its executor:
    // the record reaches the disk in the thread pool while the spawn (which blocks the event loop for
    // milliseconds) runs, so RUNNING, which waits for it, seldom waits at all. An
    // executor that reports its own status is not recovered after a restart: nothing to record.
    let checkpointed: Promise<void> | undefined;
    if (checkpoint && entry.executor !== CUSTOM_EXECUTOR) {
      try {
        checkpointed = this.checkpointTask(checkpoint, entry, framework);
      } catch (err) {
        // A task a restarted agent could not know is not started: it would outlive the agent unseen.
        return reporter.fail(
          entry,
          "REASON_CONTAINER_LAUNCH_FAILED",
          `could not checkpoint the task: ${(err as Error).message}`,
        );
      }
    }
    try {
      entry.handle = await executor.launch(task, {
        frameworkId,
        agentId,
        sandbox: entry.sandbox,
        env,
        onExit,
        framework,
        onStatus: (status) => supervisor.executorStatus(entry, status),
      });
    } catch (err) {
      const reason = isAgentError(err) && err.reason ? err.reason : "REASON_CONTAINER_LAUNCH_FAILED";
      return reporter.fail(entry, reason, (err as Error).message, "SOURCE_EXECUTOR");
    }
    const handle = entry.handle;
    if (handle.reportsOwnStatus) {
      // The executor reports RUNNING itself and is not recovered after a restart: nothing to checkpoint.
      running = true;
      if (earlyExit) supervisor.exited(entry, earlyExit);
      else if (entry.pendingKillMs !== undefined) void supervisor.kill(entry, entry.pendingKillMs);
      return;
    }
    if (checkpoint && checkpointed && !earlyExit) this.recordRun(checkpoint, entry, handle);
    // RUNNING is sent once it is journalled and the task's record is durable. It is queued now, so
    // any later update of the task (its exit during the write, too) follows it.
    running = true;
    const pid = handle.pid;
    const containerId = handle.containerId;
    reporter.update(
      entry,
      {
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
      },
      checkpointed,
    );
    if (earlyExit) supervisor.exited(entry, earlyExit);
    else if (entry.pendingKillMs !== undefined) void supervisor.kill(entry, entry.pendingKillMs);
    else supervisor.watchHealth(entry, env);
    // A launch has settled (`settled()`, which a stopping agent awaits) once its checkpoint is written.
    await checkpointed;
  }

  /**
   * Fetches the task's `command.uris` into its sandbox (Mesos' fetcher), before its process or
   * container exists. Returns false when the task ended instead: a failed fetch is TASK_FAILED
   * (REASON_CONTAINER_LAUNCH_FAILED, the message names the URI); a kill during the fetch aborts it
   * and ends the task TASK_KILLED (REASON_TASK_KILLED_DURING_LAUNCH) without it ever running.
   * `reader`: the task's user, when not the agent's, whose rights its local files are read with.
   */
  private async fetch(entry: TaskEntry, reader: UserAccount | undefined): Promise<boolean> {
    const uris = entry.task.command?.uris ?? [];
    if (uris.length === 0) return true;
    const abort = new AbortController();
    entry.fetching = abort;
    let failure: Error | undefined;
    try {
      await this.options.fetcher.fetchAll(uris, entry.sandbox, abort.signal, reader);
    } catch (err) {
      failure = err as Error;
    } finally {
      entry.fetching = undefined;
    }
    if (entry.pendingKillMs !== undefined) {
      this.options.reporter.update(entry, {
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
      this.options.reporter.fail(entry, "REASON_CONTAINER_LAUNCH_FAILED", message);
      return false;
    }
    return true;
  }

  /**
   * Records a task so a restarted agent knows it; its RUNNING waits for the returned promise, which
   * settles once the record is on the disk. Throws when the record could not even be written (the
   * task is then not launched); a sync that fails later is logged, the record being in the page
   * cache, which an agent process' restart keeps.
   */
  private checkpointTask(
    checkpoint: AgentCheckpoint,
    entry: TaskEntry,
    framework: FrameworkInfo,
  ): Promise<void> {
    return checkpoint
      .writeTask({ framework, task: entry.task, executor: entry.executor, run: {} })
      .catch((err: unknown) => {
        this.options.logger.error({ err, taskId: entry.task.taskId }, "could not sync a task's checkpoint");
      });
  }

  /** Records how a restarted agent finds the task's process or container again. */
  private recordRun(checkpoint: AgentCheckpoint, entry: TaskEntry, handle: ExecutorHandle): void {
    const run: RunCheckpoint = {};
    if (handle.containerId !== undefined) run.containerId = handle.containerId;
    else if (handle.pid !== undefined) {
      run.pid = handle.pid;
      const startTime = processStartTime(handle.pid);
      if (startTime !== undefined) run.startTime = startTime;
    }
    if (Object.keys(run).length === 0) return;
    try {
      checkpoint.recordRun(entry.frameworkId, entry.task.taskId, run);
    } catch (err) {
      this.options.logger.error({ err, taskId: entry.task.taskId }, "could not record a task's process");
    }
  }
}
