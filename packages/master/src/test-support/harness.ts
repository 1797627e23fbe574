import {
  type AgentCommand,
  AgentCommand as AgentCommandSchema,
  type AgentId,
  type AgentMessage,
  AgentRegistered,
  type AgentTask,
  type Call,
  CallReply,
  decode,
  Event,
  encode,
  type FrameworkId,
  type FrameworkInfoInput,
  newId,
  type Offer,
  parseResources,
  type StatusUpdate,
  subjects,
  type TaskInfo,
  type TaskState,
} from "@agora/protocol";
import {
  type Bus,
  type BusSubscription,
  InProcessBus,
  ManualClock,
  MemoryStateStore,
} from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { onTestFinished } from "vitest";
import { Master } from "../master.js";
import type { MasterOptions } from "../options.js";

/**
 * Lets queued bus deliveries and prompt allocations run by counting event-loop turns. Prefer
 * `MasterHarness.settle()`, which waits for the bus to be quiet; this stays for tests written
 * against it (mesos-v1/operator-events.test.ts).
 */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export { waitFor };

type CallBody = Call extends infer C
  ? C extends { frameworkId: FrameworkId }
    ? Omit<C, "frameworkId">
    : never
  : never;

/** A list of received messages that tests take from in order, waiting when none matches yet. */
class Inbox<T> {
  readonly all: T[] = [];
  private readonly taken = new Set<number>();

  push(m: T): void {
    this.all.push(m);
  }

  async take<U extends T>(match: (m: T) => m is U, what: string): Promise<U>;
  async take(match: (m: T) => boolean, what: string): Promise<T>;
  async take(match: (m: T) => boolean, what: string): Promise<T> {
    let found = -1;
    await waitFor(() => {
      found = this.all.findIndex((m, i) => !this.taken.has(i) && match(m));
      return found >= 0;
    }, what);
    this.taken.add(found);
    return this.all[found]!;
  }

  /** Untaken messages matching `match`. */
  pending(match: (m: T) => boolean): T[] {
    return this.all.filter((m, i) => !this.taken.has(i) && match(m));
  }
}

export class FakeFramework {
  readonly events = new Inbox<Event>();

  constructor(
    readonly harness: MasterHarness,
    readonly id: FrameworkId,
  ) {}

  /** Sends a call as a request and returns the decoded reply. */
  async call(body: CallBody): Promise<CallReply> {
    return this.harness.request({ ...body, frameworkId: this.id } as Call);
  }

  /** Sends a call as a plain publish (as the SDK does for acknowledge and decline). */
  publish(body: CallBody): void {
    this.harness.bus.publish(this.harness.subjects.masterCall, encode({ ...body, frameworkId: this.id }));
  }

  async offers(): Promise<Offer[]> {
    const e = await this.events.take((x) => x.type === "offers", `offers for ${this.id}`);
    return e.type === "offers" ? e.offers : [];
  }

  async update(taskId: string, state?: TaskState) {
    const e = await this.events.take(
      (x) =>
        x.type === "update" &&
        x.status.taskId === taskId &&
        (state === undefined || x.status.state === state),
      `update ${taskId} ${state ?? ""}`,
    );
    if (e.type !== "update") throw new Error("unreachable");
    return e.status;
  }

  /** A round trip through the master: everything it sent before answering has been delivered. */
  async sync(): Promise<void> {
    await this.call({ type: "heartbeat" });
    await this.harness.settle();
  }

  pendingOffers(): Event[] {
    return this.events.pending((e) => e.type === "offers");
  }
}

export class FakeAgent {
  readonly commands = new Inbox<AgentCommand>();
  /** False: the agent hears pings but never answers (each ping times out). */
  answersPings = true;
  subscription: BusSubscription | undefined;

  /** Stops listening, as a crashed agent does (pings then find no responders). */
  disconnect(): void {
    this.subscription?.unsubscribe();
  }

  constructor(
    readonly harness: MasterHarness,
    readonly id: AgentId,
  ) {}

  sendUpdates(updates: StatusUpdate[]): void {
    this.send({ type: "statusUpdate", agentId: this.id, updates });
  }

  update(frameworkId: FrameworkId, taskId: string, state: TaskState): StatusUpdate {
    const update = {
      frameworkId,
      status: {
        taskId: taskId as TaskInfo["taskId"],
        state,
        agentId: this.id,
        source: "SOURCE_EXECUTOR" as const,
        timestamp: Date.now() / 1000,
        uuid: crypto.randomUUID(),
      },
    };
    this.sendUpdates([update]);
    return update;
  }

  send(message: AgentMessage): void {
    this.harness.bus.publish(this.harness.subjects.masterAgent, encode(message));
  }
}

export const DEFAULT_AGENT_RESOURCES = "cpus:4;mem:4096;disk:10000;ports:[31000-32000]";

/**
 * A master with a memory store and a manual clock, plus fake peers, on an in-process bus or on the
 * one given (a NATS bus, for what only a real connection shows; `settle` then cannot wait for it).
 */
export class MasterHarness {
  readonly bus: Bus;
  readonly store = new MemoryStateStore();
  readonly clock = new ManualClock();
  readonly subjects = subjects("test");
  readonly master: Master;

  constructor(options: Partial<MasterOptions> = {}) {
    this.bus = options.bus ?? new InProcessBus();
    this.master = new Master({
      bus: this.bus,
      store: this.store,
      clock: this.clock,
      cluster: "test",
      hostname: "master.test",
      agentPingTimeoutMs: 1000,
      ...options,
    });
  }

  static async start(options: Partial<MasterOptions> = {}): Promise<MasterHarness> {
    const h = new MasterHarness(options);
    await h.master.start({ httpPort: 5050 });
    return h;
  }

  /** `start`, stopped again when the calling test finishes. */
  static async startForTest(options: Partial<MasterOptions> = {}): Promise<MasterHarness> {
    const h = await MasterHarness.start(options);
    onTestFinished(() => h.stop());
    return h;
  }

  async stop(): Promise<void> {
    await this.master.stop();
    await this.bus.close();
  }

  /** Waits until the bus is quiet: every message sent so far handled, and allocations it prompted run. */
  settle(): Promise<void> {
    if (!(this.bus instanceof InProcessBus)) throw new Error("settle() waits for the in-process bus only");
    return this.bus.drained();
  }

  /** A second master on this harness's bus, registry and clock, as another process would be; stopped when the test finishes. */
  async standby(options: Partial<MasterOptions>): Promise<Master> {
    const master = new Master({
      bus: this.bus,
      store: this.store,
      clock: this.clock,
      cluster: "test",
      hostname: "standby.test",
      agentPingTimeoutMs: 1000,
      ...options,
    });
    await master.start({ httpPort: 5050 });
    onTestFinished(() => master.stop());
    return master;
  }

  async request(call: unknown): Promise<CallReply> {
    const bytes = await this.bus.request(this.subjects.masterCall, encode(call));
    const reply = decode(CallReply, bytes);
    if (!reply.ok) throw reply.error;
    return reply.value;
  }

  async framework(info: Partial<FrameworkInfoInput> = {}): Promise<FakeFramework> {
    const id = (info.id ?? newId()) as FrameworkId;
    const fw = new FakeFramework(this, id);
    this.bus.subscribe(this.subjects.frameworkEvents(id), (msg) => {
      const e = decode(Event, msg.data);
      if (!e.ok) return;
      // A framework declaring UPDATE_BATCHES sees each status of an `updates` as its own `update`.
      if (e.value.type === "updates")
        for (const status of e.value.statuses)
          fw.events.push({ type: "update", epoch: e.value.epoch, status });
      else fw.events.push(e.value);
    });
    const reply = await this.request({
      type: "subscribe",
      frameworkInfo: { name: "test-framework", ...info, id },
    });
    if (!reply.ok) throw new Error(`subscribe failed: ${reply.error.message}`);
    await fw.events.take((e) => e.type === "subscribed", "subscribed");
    return fw;
  }

  async agent(resources = DEFAULT_AGENT_RESOURCES, hostname = "agent.test"): Promise<FakeAgent> {
    const bytes = await this.bus.request(
      this.subjects.masterAgent,
      encode(this.registerMessage(resources, hostname)),
    );
    const reply = decode(AgentRegistered, bytes);
    if (!reply.ok) throw new Error(`register failed: ${reply.error.message}`);
    return this.attachAgent(reply.value.agentId);
  }

  /** Reregisters an agent by id with the tasks it reports (and its unacknowledged updates). */
  async reregister(
    id: AgentId,
    tasks: AgentTask[],
    resources = DEFAULT_AGENT_RESOURCES,
    updates: StatusUpdate[] = [],
  ): Promise<FakeAgent> {
    const info = { ...this.registerMessage(resources, "agent.test").agentInfo, id };
    const bytes = await this.bus.request(
      this.subjects.masterAgent,
      encode({ type: "reregister", agentInfo: info, tasks, frameworks: [], updates }),
    );
    const reply = decode(AgentRegistered, bytes);
    if (!reply.ok) throw new Error(`reregister failed: ${reply.error.message}`);
    return this.attachAgent(id);
  }

  /** Listens on an agent's command subject, as the agent with that id would. */
  attachAgent(id: AgentId): FakeAgent {
    const agent = new FakeAgent(this, id);
    agent.subscription = this.bus.subscribe(this.subjects.agentCommands(id), (msg) => {
      const c = decode(AgentCommandSchema, msg.data);
      if (!c.ok) return;
      if (c.value.type === "ping") {
        if (agent.answersPings) msg.respond(encode({ type: "pong", agentId: id }));
        return;
      }
      agent.commands.push(c.value);
    });
    return agent;
  }

  private registerMessage(resources: string, hostname: string) {
    return {
      type: "register" as const,
      agentInfo: {
        hostname,
        port: 5051,
        resources: parseResources(resources),
        attributes: [{ name: "rack", text: "r1" }],
        capabilities: ["shell"],
        version: "0.1.0",
      },
    };
  }
}

/** A minimal shell task for an offer. */
export function task(id: string, agentId: AgentId, resources = "cpus:1;mem:128"): TaskInfo {
  return {
    taskId: id as TaskInfo["taskId"],
    name: id,
    agentId,
    resources: parseResources(resources),
    command: { value: "sleep 1", shell: true },
  };
}
