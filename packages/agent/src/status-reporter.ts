import path from "node:path";
import {
  type Acknowledgement,
  type AgentId,
  type AgentMessage,
  type ExecutorId,
  encode,
  type FrameworkId,
  isTerminalState,
  type StatusUpdate,
  type Subjects,
  type TaskId,
  type TaskStatus,
} from "@agora/protocol";
import type { Bus, Clock } from "@agora/transport";
import type { Logger } from "pino";
import type { AgentCheckpoint } from "./checkpoint.js";
import { FileUpdateJournal } from "./file-update-journal.js";
import {
  type NewStatus,
  type RetryPolicy,
  StatusUpdateManager,
  type UnacknowledgedUpdate,
} from "./status-update-manager.js";
import type { TaskBook, TaskEntry } from "./task-book.js";

/** Where an agent is in its life: it takes commands only while started, and publishes nothing once stopped. */
export type AgentLifecycle = "new" | "started" | "stopping" | "stopped";

/** A status as the agent's parts produce it; the reporter adds the task, the agent and the time. */
export type AgentStatus = Omit<NewStatus, "taskId" | "agentId" | "timestamp">;

export interface StatusReporterOptions {
  bus: Bus;
  subjects: Subjects;
  clock: Clock;
  logger: Logger;
  book: TaskBook;
  retry: RetryPolicy;
  /** With a checkpoint, unacknowledged updates are journalled and an ended task's checkpoint is removed. */
  checkpoint: AgentCheckpoint | undefined;
  /** The id the master gave the agent; defined whenever a task is booked. */
  agentId(): AgentId | undefined;
  lifecycle(): AgentLifecycle;
}

/**
 * What the agent tells the master besides registering, beside the master link: each task's status
 * updates (recorded on its book entry, delivered until acknowledged by the status update manager)
 * and custom executors' messages to their frameworks.
 */
export class StatusReporter {
  private readonly updates: StatusUpdateManager;
  private readonly journal: FileUpdateJournal | undefined;
  private producedCount = 0;
  private droppedCount = 0;

  constructor(private readonly options: StatusReporterOptions) {
    const { checkpoint } = options;
    // Unacknowledged updates outlive the process: a restarted agent resends them after reregistering.
    this.journal = checkpoint ? new FileUpdateJournal(path.join(checkpoint.dir, "updates")) : undefined;
    this.updates = new StatusUpdateManager({
      send: (batch) => this.publishUpdates(batch),
      clock: options.clock,
      retry: options.retry,
      logger: options.logger,
      ...(this.journal ? { journal: this.journal } : {}),
    });
  }

  /** Status updates produced. */
  get produced(): number {
    return this.producedCount;
  }

  /** Sends of status updates sent before: retries of unacknowledged ones. */
  get resent(): number {
    return this.updates.resent;
  }

  /** Status updates dropped, not delivered, because their framework was shut down. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Status updates not yet acknowledged. */
  get pendingCount(): number {
    return this.updates.pendingCount;
  }

  /** Each update not yet acknowledged, with when it was first sent and how often. */
  unacknowledged(): UnacknowledgedUpdate[] {
    return this.updates.unacknowledged();
  }

  /**
   * Records a status of a task booked here and queues its update; a terminal one completes the task.
   * With `after`, the update is not sent before that settles (the task's checkpoint is written).
   */
  update(entry: TaskEntry, status: AgentStatus, after?: Promise<void>): void {
    const recorded = this.report(entry.frameworkId, entry.task.taskId, status, after);
    entry.state = recorded.state;
    entry.statuses.push(recorded);
    if (!isTerminalState(entry.state)) return;
    entry.health?.stop();
    this.options.book.complete(entry);
    try {
      this.options.checkpoint?.removeTask(entry.frameworkId, entry.task.taskId);
    } catch (err) {
      this.options.logger.warn({ err }, "could not remove a task's checkpoint");
    }
  }

  /** Ends a task that could not be launched: TASK_FAILED with why. */
  fail(
    entry: TaskEntry,
    reason: NonNullable<NewStatus["reason"]>,
    message: string,
    source: NewStatus["source"] = "SOURCE_AGENT",
  ): void {
    this.options.logger.warn({ taskId: entry.task.taskId, reason, message }, "task failed to launch");
    this.update(entry, { state: "TASK_FAILED", source, reason, message });
  }

  /**
   * Queues a status update for delivery until acknowledged (for a task booked here or not); see
   * `update` for `after`. Returns the status as recorded. A framework being shut down gets no update,
   * as in Mesos: it cannot acknowledge any, and its tasks' ends are the master's to report (it
   * booked them KILLED when it tore the framework down).
   */
  report(frameworkId: FrameworkId, taskId: TaskId, status: AgentStatus, after?: Promise<void>): TaskStatus {
    const produced: NewStatus = {
      ...status,
      taskId,
      agentId: this.options.agentId()!,
      timestamp: this.options.clock.now() / 1000,
    };
    if (this.options.book.isShutDown(frameworkId)) {
      this.droppedCount++;
      return produced;
    }
    this.producedCount++;
    return this.updates.enqueue(frameworkId, produced, after).status;
  }

  /** Drops the updates of a framework the master shut down: nobody is left to acknowledge them. */
  shutdownFramework(frameworkId: FrameworkId): void {
    this.droppedCount += this.updates.cleanup(frameworkId);
  }

  /** True when the acknowledgement named an update in flight. */
  acknowledge(ack: Acknowledgement): boolean {
    return this.updates.acknowledge(ack);
  }

  /** The updates in flight, which a reregistration carries. */
  inFlight(): StatusUpdate[] {
    return this.updates.inFlight();
  }

  /** Sends again every update not acknowledged (those a previous process journalled), in order per task. */
  resendAll(): void {
    this.updates.resendAll();
  }

  stop(): void {
    this.updates.stop();
    this.journal?.close();
  }

  /** A custom executor's message to its framework, relayed by the master as a `message` event. */
  executorMessage(frameworkId: FrameworkId, executorId: ExecutorId, data: string): void {
    const agentId = this.options.agentId();
    if (!agentId || this.options.lifecycle() !== "started") return;
    this.publish({ type: "executorMessage", agentId, frameworkId, executorId, data });
  }

  private publishUpdates(updates: StatusUpdate[]): void {
    const agentId = this.options.agentId();
    if (!agentId || this.options.lifecycle() === "stopped") return;
    this.publish({ type: "statusUpdate", agentId, updates });
  }

  private publish(message: AgentMessage): void {
    this.options.bus.publish(this.options.subjects.masterAgent, encode(message));
  }
}
