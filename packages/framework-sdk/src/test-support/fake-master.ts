import {
  type AgentId,
  Call,
  type CallOf,
  DEFAULT_CLUSTER,
  decode,
  type Event,
  encode,
  type FrameworkId,
  type Offer,
  type OfferId,
  type Resource,
  subjects,
  type TaskStatus,
} from "@agora/protocol";
import type { Bus, BusMessage, BusSubscription } from "@agora/transport";

/** A master error to answer a call with. */
export interface Refusal {
  code: string;
  message: string;
  field?: string;
}

/**
 * A master small enough to read in one sitting: answers calls on `masterCall` with `CallReply`s,
 * records them, and publishes events on a framework's subject. Hooks shape each test's scenario.
 */
export class FakeMaster {
  readonly calls: Call[] = [];
  epoch = 1;
  heartbeatIntervalSeconds = 15;
  /** Answer a call with ok:false when this returns a refusal. */
  refuse: (call: Call) => Refusal | undefined = () => undefined;
  /** Runs after `subscribed` is published and before the reply: the place to send offers at once. */
  onSubscribe: (frameworkId: FrameworkId) => void = () => {};
  /** Runs after an accepted call is answered. */
  onCall: (call: Call) => void = () => {};
  /** Leave a call unanswered (until `answerHeld`) when this returns true: a master still working. */
  hold: (call: Call) => boolean = () => false;
  private readonly unanswered: Array<{ msg: BusMessage; call: Call }> = [];
  private subscription: BusSubscription | undefined;
  private readonly subjects: ReturnType<typeof subjects>;

  constructor(
    private readonly bus: Bus,
    cluster = DEFAULT_CLUSTER,
  ) {
    this.subjects = subjects(cluster);
  }

  start(): this {
    this.subscription = this.bus.subscribe(this.subjects.masterCall, (msg) => {
      const decoded = decode(Call, msg.data);
      if (!decoded.ok) {
        msg.respond(
          encode({
            ok: false,
            epoch: this.epoch,
            error: { code: "INVALID_CALL", message: decoded.error.message, field: decoded.error.field },
          }),
        );
        return;
      }
      const call = decoded.value;
      this.calls.push(call);
      const refusal = this.refuse(call);
      if (refusal) {
        msg.respond(encode({ ok: false, epoch: this.epoch, error: refusal }));
        return;
      }
      if (call.type === "subscribe") {
        const frameworkId = call.frameworkInfo.id!;
        this.publish(frameworkId, {
          type: "subscribed",
          epoch: this.epoch,
          frameworkId,
          heartbeatIntervalSeconds: this.heartbeatIntervalSeconds,
          masterInfo: { id: "master-1", hostname: "localhost", port: 5050, version: "0.1.0" },
        });
        this.onSubscribe(frameworkId);
      }
      if (this.hold(call)) {
        this.unanswered.push({ msg, call });
        return;
      }
      msg.respond(encode({ ok: true, epoch: this.epoch }));
      this.onCall(call);
    });
    return this;
  }

  /** Answers the oldest `count` held calls (all by default) with ok:true; returns how many. */
  answerHeld(count = this.unanswered.length): number {
    const answered = this.unanswered.splice(0, count);
    for (const { msg, call } of answered) {
      msg.respond(encode({ ok: true, epoch: this.epoch }));
      this.onCall(call);
    }
    return answered.length;
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Publishes anything (even invalid events) on the framework's event subject. */
  publish(frameworkId: FrameworkId, event: Event | Record<string, unknown>): void {
    this.bus.publish(this.subjects.frameworkEvents(frameworkId), encode(event));
  }

  callsOf<T extends Call["type"]>(type: T): CallOf<T>[] {
    return this.calls.filter((c): c is CallOf<T> => c.type === type);
  }

  /** Every acknowledgement received, in order, whether alone (`acknowledge`) or in an `acknowledgeBatch`. */
  acknowledgements(): Array<Omit<CallOf<"acknowledge">, "type">> {
    return this.calls.flatMap((c) => {
      if (c.type === "acknowledge") {
        const { type: _, ...ack } = c;
        return [ack];
      }
      if (c.type === "acknowledgeBatch") return c.acks.map((ack) => ({ frameworkId: c.frameworkId, ...ack }));
      return [];
    });
  }
}

let offerSeq = 0;

/** An offer of `cpus`, `mem` and a port range on one agent, plus any extra resources. */
export function makeOffer(
  frameworkId: FrameworkId,
  opts: {
    agent?: string;
    cpus?: number;
    mem?: number;
    ports?: [number, number];
    extra?: Resource[];
    role?: string;
  } = {},
): Offer {
  const { agent = "agent-1", cpus = 4, mem = 4096, ports = [31000, 31009], extra = [], role = "*" } = opts;
  return {
    id: `offer-${++offerSeq}` as OfferId,
    frameworkId,
    agentId: agent as AgentId,
    hostname: `${agent}.local`,
    role,
    resources: [
      { name: "cpus", scalar: cpus },
      { name: "mem", scalar: mem },
      { name: "ports", ranges: [{ begin: ports[0], end: ports[1] }] },
      ...extra,
    ],
    attributes: [],
    capabilities: ["shell"],
  };
}

/** A status update as an agent would send it: with a uuid unless `uuid: undefined` is given. */
export function makeStatus(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return {
    taskId: "task-1" as TaskStatus["taskId"],
    state: "TASK_RUNNING",
    agentId: "agent-1" as AgentId,
    source: "SOURCE_AGENT",
    timestamp: 1_700_000_000,
    uuid: crypto.randomUUID(),
    ...overrides,
  };
}
