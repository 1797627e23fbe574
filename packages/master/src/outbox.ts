import {
  type Acknowledgement,
  type AgentCommand,
  type AgentId,
  type Event,
  encode,
  type FrameworkId,
  type Subjects,
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
 * tick so a burst of acks becomes one message per agent.
 */
export class Outbox {
  private readonly pendingAcks = new Map<AgentId, Acknowledgement[]>();
  private flushScheduled: TimerHandle | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly epoch: () => number,
    private readonly logger: Logger,
    private readonly dropped: DroppedListener,
    /** The principal a framework registered with, whose events go under its principal's subject. */
    private readonly principalOf: (frameworkId: FrameworkId) => string | undefined = () => undefined,
    /** Defers the acknowledgement batch to the end of the turn. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** `principal` defaults to the registered framework's (pass it for one not registered yet). */
  toFramework(
    frameworkId: FrameworkId,
    event: Unstamped<Event>,
    principal: string | undefined = this.principalOf(frameworkId),
  ): void {
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
      for (const offers of halve(event.offers))
        this.toFramework(frameworkId, { ...event, offers }, principal);
      return;
    }
    this.logger.error(
      { frameworkId, type: event.type },
      "event exceeds the bus's max payload and cannot be split: dropped",
    );
    this.dropped("too_large", "framework", event.type);
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
    this.flushScheduled ??= this.clock.defer(() => this.flushAcks());
  }

  /** Sends batched acknowledgements now (also called on stop so none is lost). */
  flushAcks(): void {
    if (this.flushScheduled) this.clock.clear(this.flushScheduled);
    this.flushScheduled = undefined;
    const batches = [...this.pendingAcks];
    this.pendingAcks.clear();
    for (const [agentId, acks] of batches) this.toAgent(agentId, { type: "statusAcknowledgement", acks });
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
