import { type AgentCommandOf, type FrameworkId, isTerminalState, type TaskInfo } from "@agora/protocol";
import type { Clock } from "@agora/transport";
import type { Logger } from "pino";
import type { ExecutorReportedStatus, TaskExit } from "./executor.js";
import type { CustomExecutors } from "./executors/custom-executor.js";
import { HealthMonitor } from "./health/health-monitor.js";
import type { HealthVerdict } from "./health/health-policy.js";
import { hostCommandRunner, probeFor } from "./health/probes.js";
import type { AgentLifecycle, StatusReporter } from "./status-reporter.js";
import type { TaskBook, TaskEntry } from "./task-book.js";
import { terminalOutcome } from "./task-exit.js";

/** Mesos' command executor kills with SIGTERM and waits this long before SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 3000;

/** The executor name a task run by its framework's own executor is booked under. */
export const CUSTOM_EXECUTOR = "custom";

/** After the last SIGKILL, how long a shutdown waits for the tasks' ends to be seen (a recovered one is polled). */
const SHUTDOWN_EXIT_WAIT_MS = 3000;

export interface TaskSupervisorOptions {
  book: TaskBook;
  reporter: StatusReporter;
  customExecutors: CustomExecutors;
  clock: Clock;
  logger: Logger;
  lifecycle(): AgentLifecycle;
}

/** A task's kill grace period: its kill policy's, or Mesos' default. */
export function gracePeriodMs(task: TaskInfo): number {
  const seconds = task.killPolicy?.gracePeriodSeconds;
  return seconds === undefined ? DEFAULT_KILL_GRACE_MS : seconds * 1000;
}

/**
 * Watches launched tasks until they end: their health checks, the kills the master or a failing
 * health check asks for, and their exits, each turned into the task's status update.
 */
export class TaskSupervisor {
  constructor(private readonly options: TaskSupervisorOptions) {}

  /** The master's killTask: a task here is killed; one unknown here is reported LOST (or DROPPED). */
  killTask(command: AgentCommandOf<"killTask">): void {
    const { book, logger, reporter } = this.options;
    const entry = book.active(command.frameworkId, command.taskId);
    if (entry) {
      const graceMs =
        command.killPolicy !== undefined
          ? command.killPolicy.gracePeriodSeconds * 1000
          : gracePeriodMs(entry.task);
      void this.kill(entry, graceMs);
      return;
    }
    if (book.isCompleted(command.frameworkId, command.taskId)) {
      // Its terminal update is already on its way to the master.
      logger.debug({ taskId: command.taskId }, "kill of a task that already ended");
      return;
    }
    // As Mesos: the task may never have reached this agent. Partition-aware frameworks get DROPPED.
    const info = book.frameworkInfo(command.frameworkId);
    const partitionAware = info?.capabilities?.includes("PARTITION_AWARE") ?? false;
    reporter.report(command.frameworkId, command.taskId, {
      state: partitionAware ? "TASK_DROPPED" : "TASK_LOST",
      source: "SOURCE_AGENT",
      reason: "REASON_EXECUTOR_TERMINATED",
      message: "Cannot find executor",
    });
  }

  shutdownFramework(frameworkId: FrameworkId): void {
    for (const entry of this.options.book.shutDown(frameworkId)) {
      // Its executor gets SHUTDOWN instead, as in Mesos, and is killed after its grace period.
      if (entry.executor === CUSTOM_EXECUTOR) continue;
      void this.kill(entry, gracePeriodMs(entry.task));
    }
    void this.options.customExecutors.shutdownFramework(frameworkId);
  }

  /** Kills a task now, or as soon as it has launched. Resolves when it ended (or once the kill is queued). */
  async kill(entry: TaskEntry, graceMs: number): Promise<void> {
    if (!entry.handle) {
      entry.pendingKillMs = graceMs;
      entry.fetching?.abort();
      return;
    }
    try {
      await entry.handle.kill(graceMs);
    } catch (err) {
      this.options.logger.error({ err, taskId: entry.task.taskId }, "killing a task failed");
    }
  }

  /**
   * Signals every task now, before waiting for anything (a task still launching is killed as soon as
   * it runs), then waits for their ends: at most the bounded grace period plus the time it takes to
   * see a SIGKILLed task go. `launched` settles once no launch is under way.
   */
  async killAll(shutdownGraceMs: number, launched: () => Promise<unknown>): Promise<void> {
    const { book, clock, logger } = this.options;
    const tasks = book.activeTasks();
    const killed = tasks.map((t) => {
      t.health?.stop();
      return this.kill(t, Math.min(gracePeriodMs(t.task), shutdownGraceMs));
    });
    await launched();
    // Only what an executor runs: a recovered task nothing was found of has nothing to end.
    const all = [...new Set([...tasks, ...book.activeTasks()])].filter((t) => t.handle !== undefined);
    let timer: ReturnType<Clock["setTimeout"]> | undefined;
    const waitedEnough = new Promise<"timeout">((resolve) => {
      timer = clock.setTimeout(() => resolve("timeout"), shutdownGraceMs + SHUTDOWN_EXIT_WAIT_MS);
    });
    const ended = Promise.all([...killed, ...all.map((t) => t.ended)]);
    const outcome = await Promise.race([ended, waitedEnough]);
    if (timer) clock.clear(timer);
    if (outcome === "timeout") {
      const left = all.filter((t) => !isTerminalState(t.state)).map((t) => t.task.taskId);
      logger.warn({ tasks: left }, "shutting down without having seen these tasks end (they were SIGKILLed)");
    }
  }

  /** Starts the task's health checks, if it has any; their verdicts ride on TASK_RUNNING updates. */
  watchHealth(entry: TaskEntry, env: Readonly<Record<string, string>>): void {
    const check = entry.task.healthCheck;
    if (!check || !entry.handle) return;
    const runCommand =
      entry.handle.runCommand ??
      hostCommandRunner({ cwd: entry.sandbox, env, path: process.env.PATH ?? "/usr/bin:/bin" });
    entry.health = new HealthMonitor({
      check,
      probe: probeFor(check, runCommand),
      clock: this.options.clock,
      onVerdict: (verdict) => this.healthVerdict(entry, verdict),
    }).start();
  }

  /** A task's executor reported its end; the terminal update says how it ended. */
  exited(entry: TaskEntry, exit: TaskExit): void {
    if (isTerminalState(entry.state)) return;
    const { reporter } = this.options;
    if (entry.unhealthyKill !== undefined && exit.kind === "killed") {
      reporter.update(entry, {
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
    reporter.update(entry, {
      ...terminalOutcome(exit),
      source,
      ...(entry.executor === CUSTOM_EXECUTOR ? { executorId: entry.task.executor!.executorId } : {}),
    });
  }

  /** A status a task's custom executor reported (its UPDATE), recorded like the agent's own. */
  executorStatus(entry: TaskEntry, status: ExecutorReportedStatus): void {
    if (isTerminalState(entry.state) || this.options.lifecycle() !== "started") return;
    this.options.reporter.update(entry, status);
  }

  private healthVerdict(entry: TaskEntry, verdict: HealthVerdict): void {
    if (isTerminalState(entry.state)) return;
    if (verdict.healthy !== undefined) {
      this.options.reporter.update(entry, {
        state: "TASK_RUNNING",
        source: "SOURCE_EXECUTOR",
        healthy: verdict.healthy,
        reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
        ...(verdict.healthy ? {} : { message: "Health check failed" }),
      });
    }
    if (!verdict.kill) return;
    entry.unhealthyKill = `Task killed after ${verdict.consecutiveFailures} consecutive failed health checks`;
    this.options.logger.info({ taskId: entry.task.taskId }, entry.unhealthyKill);
    void this.kill(entry, gracePeriodMs(entry.task));
  }
}
