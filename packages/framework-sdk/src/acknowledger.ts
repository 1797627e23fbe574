import type { AgentId, CallInput, FrameworkId, TaskId } from "@agora/protocol";
import type { Clock, TimerHandle } from "@agora/transport";

/** What an acknowledgement names: the update (`uuid`) of a task on an agent. */
export interface PendingAck {
  readonly agentId: AgentId;
  readonly taskId: TaskId;
  readonly uuid: string;
}

/**
 * Most acknowledgements in one `acknowledgeBatch`: ~150 bytes each, so a batch stays far under the
 * bus's 1 MiB payload limit.
 */
export const MAX_ACK_BATCH = 1000;

export interface AcknowledgerOptions {
  clock: Clock;
  /** The framework the acknowledgements are sent as (the scheduler's id once it subscribed). */
  frameworkId(): FrameworkId | undefined;
  /** Publishes one call; throws when the bus cannot take it. */
  publish(call: CallInput): void;
  /** Told how many acknowledgements were handed to the bus. */
  sent(count: number): void;
  /** Told of the acknowledgements a publish failed for (their updates will be resent by the agents). */
  failed(acks: readonly PendingAck[], err: unknown): void;
}

/**
 * Sends the acknowledgements of one turn of the event loop together, as one `acknowledgeBatch` call
 * (a lone one as a plain `acknowledge`): a framework acknowledging thousands of updates a second sent
 * a message for each, which the master decoded and dispatched one by one and nats-server routed one
 * by one. Nothing waits on an acknowledgement, and the agent resends an update only after 10 s, so
 * one turn later changes nothing but the message count.
 */
export class Acknowledger {
  private pending: PendingAck[] = [];
  private scheduled: TimerHandle | undefined;

  constructor(private readonly options: AcknowledgerOptions) {}

  add(ack: PendingAck): void {
    this.pending.push(ack);
    this.scheduled ??= this.options.clock.defer(() => this.flush());
  }

  /** Sends what is queued now (the scheduler's close calls it, so nothing queued is left behind). */
  flush(): void {
    if (this.scheduled) this.options.clock.clear(this.scheduled);
    this.scheduled = undefined;
    const acks = this.pending;
    this.pending = [];
    const frameworkId = this.options.frameworkId();
    if (acks.length === 0 || frameworkId === undefined) return;
    for (let i = 0; i < acks.length; i += MAX_ACK_BATCH) {
      const batch = acks.slice(i, i + MAX_ACK_BATCH);
      const call: CallInput =
        batch.length === 1
          ? { type: "acknowledge", frameworkId, ...batch[0]! }
          : { type: "acknowledgeBatch", frameworkId, acks: batch };
      try {
        this.options.publish(call);
      } catch (err) {
        this.options.failed(batch, err);
        continue;
      }
      this.options.sent(batch.length);
    }
  }
}
