import {
  type Acknowledgement,
  type AgentCommand,
  type AgentId,
  type Event,
  encode,
  type FrameworkId,
  type FrameworkInfo,
  type Subjects,
  type TaskStatus,
  UPDATE_BATCHES,
} from "@agora/protocol";
import { type Bus, type Clock, isTransportError, systemClock, type TimerHandle } from "@agora/transport";
import type { Logger } from "pino";

/** A message type without its `epoch`, which the outbox stamps on. */
export type Unstamped<T> = T extends unknown ? Omit<T, "epoch"> : never;

/** Why a message the master meant to send was not sent: over the max payload and unsplittable, or the bus failed. */
export type DropReason = "too_large" | "publish_failed";

/** Told of every message the outbox could not send, so it is counted (a metric), never silent. */
export type DroppedListener = (reason: DropReason, to: "framework" | "agent", type: string) => void;

/**
 * Everything the master publishes goes through here: events to frameworks, commands to agents,
 * each stamped with the master's current epoch. Acknowledgements are batched per agent within one
 * turn so a burst of acks becomes one message per agent; task updates are batched per framework the
 * same way for a framework that understands the `updates` event.
 */
export class Outbox {
  private readonly pendingAcks = new Map<AgentId, Acknowledgement[]>();
  /**
   * Updates of this turn, per framework that declared UPDATE_BATCHES, in the order they came, with the
   * principal its subject had then (a framework torn down in the same turn is no longer registered).
   */
  private readonly pendingUpdates = new Map<FrameworkId, PendingUpdates>();
  private flushScheduled: TimerHandle | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly epoch: () => number,
    private readonly logger: Logger,
    private readonly dropped: DroppedListener,
    /** The registered framework's info: its principal names its subject, its capabilities the batching. */
    private readonly frameworkInfo: (frameworkId: FrameworkId) => FrameworkInfo | undefined = () => undefined,
    /** Defers the acknowledgement and update batches to the end of the turn. */
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * `principal` defaults to the registered framework's (pass it for one not registered yet). An
   * `update` to a framework with UPDATE_BATCHES waits for the end of the turn; any other event to
   * it sends the waiting updates first, so the order the framework sees is the order sent.
   */
  toFramework(frameworkId: FrameworkId, event: Unstamped<Event>, principal?: string): void {
    const pending = this.pendingUpdates.get(frameworkId);
    if (event.type === "update" && principal === undefined) {
      if (pending) {
        pending.statuses.push(event.status);
        return;
      }
      if (this.batchesUpdates(frameworkId)) {
        this.pendingUpdates.set(frameworkId, {
          principal: this.principalOf(frameworkId),
          statuses: [event.status],
        });
        this.flushScheduled ??= this.clock.defer(() => this.flush());
        return;
      }
    } else if (pending) this.flushUpdates(frameworkId, pending);
    this.send(frameworkId, event, principal ?? this.principalOf(frameworkId));
  }

  toAgent(agentId: AgentId, command: Unstamped<AgentCommand>): void {
    const sent = this.publish(this.subjects.agentCommands(agentId), { ...command, epoch: this.epoch() });
    if (sent === "sent") return;
    if (sent === "failed") {
      this.dropped("publish_failed", "agent", command.type);
      return;
    }
    // A batch over the bus's max payload is sent in halves rather than lost (its tasks would stay
    // STAGING, its acks unsent); a single item that does not fit is a bug worth an error.
    const halves = splitBatch(command);
    if (!halves) {
      this.logger.error(
        { agentId, type: command.type },
        "command exceeds the bus's max payload and cannot be split: dropped",
      );
      this.dropped("too_large", "agent", command.type);
      return;
    }
    for (const half of halves) this.toAgent(agentId, half);
  }

  acknowledge(agentId: AgentId, ack: Acknowledgement): void {
    let acks = this.pendingAcks.get(agentId);
    if (!acks) {
      acks = [];
      this.pendingAcks.set(agentId, acks);
    }
    acks.push(ack);
    this.flushScheduled ??= this.clock.defer(() => this.flush());
  }

  /** Sends batched updates and acknowledgements now (also called on stop so none is lost). */
  flush(): void {
    if (this.flushScheduled) this.clock.clear(this.flushScheduled);
    this.flushScheduled = undefined;
    for (const [frameworkId, pending] of [...this.pendingUpdates]) this.flushUpdates(frameworkId, pending);
    const batches = [...this.pendingAcks];
    this.pendingAcks.clear();
    for (const [agentId, acks] of batches) this.toAgent(agentId, { type: "statusAcknowledgement", acks });
  }

  private flushUpdates(frameworkId: FrameworkId, { principal, statuses }: PendingUpdates): void {
    this.pendingUpdates.delete(frameworkId);
    // Looked at again: a framework that re-subscribed this turn without the capability gets singles.
    if (statuses.length > 1 && this.batchesUpdates(frameworkId))
      this.send(frameworkId, { type: "updates", statuses }, principal);
    else for (const status of statuses) this.send(frameworkId, { type: "update", status }, principal);
  }

  private send(frameworkId: FrameworkId, event: Unstamped<Event>, principal: string | undefined): void {
    const subject = this.subjects.frameworkEvents(frameworkId, principal);
    const sent = this.publish(subject, { ...event, epoch: this.epoch() });
    if (sent === "sent") return;
    if (sent === "failed") {
      this.dropped("publish_failed", "framework", event.type);
      return;
    }
    // Offers over the bus's max payload (thousands of agents offered at once) go in several
    // `offers` events, as Mesos sends several OFFERS: one lost event would strand them all.
    if (event.type === "offers" && event.offers.length > 1) {
      for (const offers of halve(event.offers)) this.send(frameworkId, { ...event, offers }, principal);
      return;
    }
    if (event.type === "updates" && event.statuses.length > 1) {
      for (const statuses of halve(event.statuses)) this.send(frameworkId, { ...event, statuses }, principal);
      return;
    }
    this.logger.error(
      { frameworkId, type: event.type },
      "event exceeds the bus's max payload and cannot be split: dropped",
    );
    this.dropped("too_large", "framework", event.type);
  }

  private principalOf(frameworkId: FrameworkId): string | undefined {
    return this.frameworkInfo(frameworkId)?.principal;
  }

  private batchesUpdates(frameworkId: FrameworkId): boolean {
    return this.frameworkInfo(frameworkId)?.capabilities?.includes(UPDATE_BATCHES) ?? false;
  }

  private publish(subject: string, message: unknown): "sent" | "too large" | "failed" {
    try {
      this.bus.publish(subject, encode(message));
      return "sent";
    } catch (err) {
      if (isTransportError(err, "PAYLOAD_TOO_LARGE")) return "too large";
      // A closed or disconnected bus must not take the master down; the peer will retry or resync.
      this.logger.error({ err, subject }, "publish failed: dropped");
      return "failed";
    }
  }
}

interface PendingUpdates {
  readonly principal: string | undefined;
  readonly statuses: TaskStatus[];
}

function halve<T>(items: readonly T[]): [T[], T[]] {
  return [items.slice(0, items.length >> 1), items.slice(items.length >> 1)];
}

function splitBatch(command: Unstamped<AgentCommand>): Unstamped<AgentCommand>[] | undefined {
  if (command.type === "runTask" && command.tasks.length > 1)
    return halve(command.tasks).map((tasks) => ({ ...command, tasks }));
  if (command.type === "statusAcknowledgement" && command.acks.length > 1)
    return halve(command.acks).map((acks) => ({ ...command, acks }));
  return undefined;
}
