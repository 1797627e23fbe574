import {
  type Acknowledgement,
  type AgentCommand,
  type AgentId,
  type Event,
  encode,
  type FrameworkId,
  type Subjects,
} from "@agora/protocol";
import { type Bus, isTransportError } from "@agora/transport";
import type { Logger } from "pino";

/** A message type without its `epoch`, which the outbox stamps on. */
export type Unstamped<T> = T extends unknown ? Omit<T, "epoch"> : never;

/**
 * Everything the master publishes goes through here: events to frameworks, commands to agents,
 * each stamped with the master's current epoch. Acknowledgements are batched per agent within one
 * tick so a burst of acks becomes one message per agent.
 */
export class Outbox {
  private readonly pendingAcks = new Map<AgentId, Acknowledgement[]>();
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly epoch: () => number,
    private readonly logger: Logger,
  ) {}

  toFramework(frameworkId: FrameworkId, event: Unstamped<Event>): void {
    this.publish(this.subjects.frameworkEvents(frameworkId), { ...event, epoch: this.epoch() });
  }

  toAgent(agentId: AgentId, command: Unstamped<AgentCommand>): void {
    if (
      this.publish(this.subjects.agentCommands(agentId), { ...command, epoch: this.epoch() }) !== "too large"
    )
      return;
    // A batch over the bus's max payload is sent in halves rather than lost (its tasks would stay
    // STAGING, its acks unsent); a single item that does not fit is a bug worth an error.
    const halves = splitBatch(command);
    if (!halves) {
      this.logger.error(
        { agentId, type: command.type },
        "command exceeds the bus's max payload and cannot be split",
      );
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
    this.flushScheduled ??= setImmediate(() => this.flushAcks());
  }

  /** Sends batched acknowledgements now (also called on stop so none is lost). */
  flushAcks(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
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
      this.logger.warn({ err, subject }, "publish failed");
      return "failed";
    }
  }
}

function splitBatch(command: Unstamped<AgentCommand>): Unstamped<AgentCommand>[] | undefined {
  const halve = <T>(items: T[]): [T[], T[]] => [
    items.slice(0, items.length >> 1),
    items.slice(items.length >> 1),
  ];
  if (command.type === "runTask" && command.tasks.length > 1)
    return halve(command.tasks).map((tasks) => ({ ...command, tasks }));
  if (command.type === "statusAcknowledgement" && command.acks.length > 1)
    return halve(command.acks).map((acks) => ({ ...command, acks }));
  return undefined;
}
