import type { Scheduler } from "@agora/framework-sdk";
import type { AgentId, TaskId, TaskStatus } from "@agora/protocol";
import type { Clock } from "@agora/transport";
import type { Logger } from "pino";
import type { AppDefinition } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";
import type { TaskFailure } from "../service.js";
import { InstanceIndex } from "./instance-index.js";
import { applyStatus, type StatusOutcome } from "./instance-status.js";
import type { MarathonRepository } from "./repository.js";

/** A kill not answered by a terminal update within this long is sent again (Marathon's kill retry). */
export const KILL_RETRY_MS = 10_000;

export interface InstanceTrackerOptions {
  readonly repo: MarathonRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The framework client, once subscribed; kills before that are only recorded. */
  readonly scheduler: () => Scheduler | undefined;
  /** The current app of an id, for its kill grace period. */
  readonly app: (appId: string) => AppDefinition | undefined;
}

/**
 * Marathon's instances as it tracks them: live ones (in memory and the store), the kills it sent
 * and when (retried until a terminal update comes), since when each unreachable one is out of
 * reach, and each app's last task failure.
 */
export class InstanceTracker {
  readonly live = new InstanceIndex();
  /** When each unreachable instance went out of reach (ms), for its `unreachableStrategy`. */
  readonly unreachableSince = new Map<string, number>();
  private readonly failures = new Map<string, TaskFailure>();
  /** When the last kill of each instance was sent (ms). */
  private readonly killSentAt = new Map<string, number>();

  constructor(private readonly o: InstanceTrackerOptions) {}

  /** Takes what the store held at start. */
  load(instances: readonly Instance[], failures: ReadonlyMap<string, TaskFailure>): void {
    for (const i of instances) this.live.set(i);
    for (const [appId, f] of failures) this.failures.set(appId, f);
  }

  /** Instances placed by the offer cycle, stored before they are launched. */
  admit(instances: readonly Instance[]): Promise<void> {
    for (const i of instances) this.live.set(i);
    return Promise.all(instances.map((i) => this.o.repo.saveInstance(i))).then(() => {});
  }

  /**
   * Applies a status update of a known instance (undefined for a task Marathon does not know): a
   * terminal one leaves the live set, others are stored when they changed anything.
   */
  apply(status: TaskStatus): StatusOutcome | undefined {
    const instance = this.live.get(status.taskId);
    if (!instance) return undefined;
    const outcome = applyStatus(instance, status);
    const next = outcome.instance;
    if (status.state === "TASK_UNREACHABLE") {
      if (!this.unreachableSince.has(next.taskId)) this.unreachableSince.set(next.taskId, this.o.clock.now());
    } else this.unreachableSince.delete(next.taskId);
    if (outcome.terminal) {
      this.live.delete(next.taskId);
      this.killSentAt.delete(next.taskId);
      void this.o.repo.deleteInstance(next.taskId);
    } else {
      this.live.set(next);
      if (outcome.stateChanged || outcome.healthChanged) void this.o.repo.saveInstance(next);
    }
    return outcome;
  }

  lastFailure(appId: string): TaskFailure | undefined {
    return this.failures.get(appId);
  }

  /** An app that stopped leaves no last failure behind. */
  dropFailure(appId: string): void {
    if (this.failures.delete(appId)) void this.o.repo.deleteFailure(appId);
  }

  /** Asks the master to kill each known instance (with its app's grace period), marking it kill-requested. */
  kill(taskIds: readonly string[]): void {
    for (const taskId of taskIds) {
      const instance = this.live.get(taskId);
      if (!instance) continue;
      if (!instance.killRequested) {
        const next = { ...instance, killRequested: true };
        this.live.set(next);
        void this.o.repo.saveInstance(next);
      }
      const grace = this.o.app(instance.appId)?.taskKillGracePeriodSeconds;
      this.killSentAt.set(taskId, this.o.clock.now());
      void this.o
        .scheduler()
        ?.kill(
          taskId as TaskId,
          instance.agentId as AgentId,
          grace === undefined ? undefined : { gracePeriodSeconds: grace },
        )
        .catch((err: unknown) => this.o.logger.warn({ err, taskId }, "kill failed"));
    }
  }

  /** Kills sent long ago without an end in sight (a lost command, an agent away) are sent again. */
  retryKills(): void {
    const now = this.o.clock.now();
    const overdue = [...this.live.values()].filter(
      (i) => i.killRequested && now - (this.killSentAt.get(i.taskId) ?? 0) >= KILL_RETRY_MS,
    );
    if (overdue.length > 0) this.kill(overdue.map((i) => i.taskId));
  }

  /** Drops an instance from memory and the store (wipe, expunge, or a launch that never happened). */
  forget(taskId: string): void {
    this.live.delete(taskId);
    this.killSentAt.delete(taskId);
    this.unreachableSince.delete(taskId);
    void this.o.repo.deleteInstance(taskId);
  }

  /** Makes an instance's end its app's `lastTaskFailure`. */
  recordFailure(instance: Instance, status: TaskStatus): void {
    const failure: TaskFailure = {
      appId: instance.appId,
      host: instance.host,
      message: status.message ?? "",
      state: status.state,
      taskId: instance.taskId,
      timestamp: new Date(status.timestamp * 1000).toISOString(),
      version: instance.version,
      slaveId: instance.agentId,
    };
    this.failures.set(instance.appId, failure);
    void this.o.repo.saveFailure(failure);
  }
}
