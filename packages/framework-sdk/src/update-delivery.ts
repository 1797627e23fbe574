import type { TaskStatus } from "@agora/protocol";
import type { Logger } from "pino";
import type { EventStream } from "./event-stream.js";
import type { RecentUpdates } from "./recent-updates.js";
import type { SchedulerCounters, SchedulerEventMap } from "./scheduler-events.js";
import type { TypedEmitter } from "./typed-emitter.js";

export interface UpdateDeliveryConfig {
  readonly emitter: TypedEmitter<SchedulerEventMap>;
  /** The open `updates()` iterators. */
  readonly streams: () => Iterable<EventStream<TaskStatus>>;
  readonly recent: RecentUpdates;
  readonly autoAcknowledge: boolean;
  /** Sends the acknowledgement of a status that has a uuid and an agent id. */
  readonly acknowledge: (status: TaskStatus) => void;
  readonly stats: SchedulerCounters;
  readonly logger: Logger;
  /** False once the scheduler is closed: queued updates are then dropped (the agent resends them). */
  readonly isOpen: () => boolean;
}

/**
 * Delivers task updates one at a time, in arrival order, and acknowledges each once it has been
 * handled: after every `update` handler resolved and every open iterator buffered it. An update
 * whose handler fails is neither remembered nor acknowledged, so the agent's resend delivers it again.
 */
export class UpdateDelivery {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly config: UpdateDeliveryConfig) {}

  enqueue(status: TaskStatus): void {
    this.chain = this.chain.then(() => this.deliver(status));
  }

  /** Resolves when every update enqueued so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async deliver(status: TaskStatus): Promise<void> {
    const { recent, stats, logger, autoAcknowledge } = this.config;
    if (!this.config.isOpen()) return;
    const uuid = status.uuid;
    if (uuid !== undefined && recent.has(uuid)) {
      stats.duplicatesSuppressed++;
      // Without auto-acknowledgement a resend before the author's own acknowledge stays theirs to answer.
      if (autoAcknowledge || recent.isAcknowledged(uuid)) this.config.acknowledge(status);
      return;
    }
    try {
      await this.config.emitter.emitSerially("update", status);
      for (const stream of this.config.streams()) await stream.push(status);
    } catch (err) {
      stats.handlerErrors++;
      logger.error(
        { err, taskId: status.taskId, uuid },
        "update handler failed; the update is not acknowledged",
      );
      return;
    }
    stats.updatesDelivered++;
    if (uuid === undefined) return;
    recent.remember(uuid);
    if (autoAcknowledge) this.config.acknowledge(status);
  }
}
