import {
  type AgentId,
  Call,
  type CallOf,
  decode,
  type Event,
  encode,
  type FrameworkId,
  type Offer,
  type OfferId,
  subjects,
  type TaskStatus,
} from "@agora/protocol";
import type { Bus, BusSubscription, Clock } from "@agora/transport";

/**
 * Just enough of a master, on a bus, for the runtime's unit tests: it answers every call, records
 * it with the clock's time, and lets the test publish offers and updates. What it answers to a
 * reconcile is the test's choice (`onReconcile`), so a test can say which tasks the master knows.
 */
export class FakeMaster {
  readonly calls: { call: Call; at: number }[] = [];
  /** Statuses to publish for a reconcile call (default: none). */
  onReconcile: (call: CallOf<"reconcile">) => TaskStatus[] = () => [];
  private subscription: BusSubscription | undefined;
  private readonly subjects: ReturnType<typeof subjects>;
  private offerSeq = 0;

  constructor(
    private readonly bus: Bus,
    private readonly clock: Clock,
    cluster: string,
  ) {
    this.subjects = subjects(cluster);
  }

  start(): this {
    this.subscription = this.bus.subscribe(this.subjects.masterCall, (msg) => {
      const decoded = decode(Call, msg.data);
      if (!decoded.ok) throw new Error(`the runtime sent an invalid call: ${decoded.error.message}`);
      const call = decoded.value;
      this.calls.push({ call, at: this.clock.now() });
      if (call.type === "subscribe")
        this.publish(call.frameworkInfo.id!, {
          type: "subscribed",
          epoch: 1,
          frameworkId: call.frameworkInfo.id!,
          heartbeatIntervalSeconds: 3600,
          masterInfo: { id: "master-1", hostname: "localhost", port: 5050, version: "0.1.0" },
        });
      msg.respond(encode({ ok: true, epoch: 1 }));
      if (call.type === "reconcile")
        for (const status of this.onReconcile(call))
          this.publish(call.frameworkId, { type: "update", epoch: 1, status });
    });
    return this;
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  callsOf<T extends Call["type"]>(type: T): { call: CallOf<T>; at: number }[] {
    return this.calls.filter((c): c is { call: CallOf<T>; at: number } => c.call.type === type);
  }

  /** Task ids launched by accept calls, in order. */
  launched(): string[] {
    return this.callsOf("accept").flatMap(({ call }) =>
      call.operations.flatMap((o) => (o.type === "launch" ? o.tasks.map((t) => t.taskId as string) : [])),
    );
  }

  /** Offers one agent with room for many small tasks. */
  offer(frameworkId: FrameworkId): Offer {
    const offer: Offer = {
      id: `offer-${++this.offerSeq}` as OfferId,
      frameworkId,
      agentId: "agent-1" as AgentId,
      hostname: "agent-1.local",
      role: "*",
      resources: [
        { name: "cpus", scalar: 8 },
        { name: "mem", scalar: 8192 },
        { name: "disk", scalar: 8192 },
      ],
      attributes: [],
      capabilities: ["shell"],
    };
    this.publish(frameworkId, { type: "offers", epoch: 1, offers: [offer] });
    return offer;
  }

  publish(frameworkId: FrameworkId, event: Event): void {
    this.bus.publish(this.subjects.frameworkEvents(frameworkId), encode(event));
  }
}
