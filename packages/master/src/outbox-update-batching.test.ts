import {
  type AgentId,
  type Event,
  type FrameworkId,
  FrameworkInfo,
  type OfferId,
  type TaskStatus,
  UPDATE_BATCHES,
} from "@agora/protocol";
import { describe, expect, it } from "vitest";
import type { Unstamped } from "./outbox.js";
import { testOutbox } from "./test-support/outbox.js";

const batching = "fw-batching" as FrameworkId;
const plain = "fw-plain" as FrameworkId;

const status = (i: number): TaskStatus => ({
  taskId: `task-${i}` as TaskStatus["taskId"],
  state: "TASK_RUNNING",
  source: "SOURCE_EXECUTOR",
  uuid: crypto.randomUUID(),
  timestamp: 1_700_000_000,
});

/** `batching` declared UPDATE_BATCHES, `plain` did not; the test may change that. */
function setup(maxPayload?: number) {
  const infos = new Map<FrameworkId, FrameworkInfo>([
    [batching, FrameworkInfo.parse({ name: "new", id: batching, capabilities: ["GPU", UPDATE_BATCHES] })],
    [plain, FrameworkInfo.parse({ name: "old", id: plain })],
  ]);
  const fixture = testOutbox({ maxPayload, frameworkInfo: (id) => infos.get(id) });
  const received = new Map([...infos.keys()].map((id) => [id, fixture.frameworkEvents(id)]));
  const events = async (id: FrameworkId) => {
    await fixture.bus.drained();
    return received.get(id)!;
  };
  const statusesIn = (list: Event[]) =>
    list.flatMap((e) => (e.type === "update" ? [e.status] : e.type === "updates" ? e.statuses : []));
  return { ...fixture, events, statusesIn, infos };
}

describe("the outbox's per-framework update batch (UPDATE_BATCHES)", () => {
  it("sends one turn's updates as one `updates` event when the deferred flush runs, not before", async () => {
    const { bus, clock, outbox, events } = setup();
    const sent = [status(0), status(1), status(2)];
    for (const s of sent) outbox.toFramework(batching, { type: "update", status: s });
    expect(await events(batching)).toEqual([]);
    expect(clock.runDeferred()).toBe(1);
    expect(await events(batching)).toEqual([{ type: "updates", epoch: 1, statuses: sent }]);
    await bus.close();
  });

  it("sends a lone update of the turn as a plain `update` event", async () => {
    const { bus, clock, outbox, events } = setup();
    const only = status(0);
    outbox.toFramework(batching, { type: "update", status: only });
    clock.runDeferred();
    expect(await events(batching)).toEqual([{ type: "update", epoch: 1, status: only }]);
    await bus.close();
  });

  const others: Array<[string, Unstamped<Event>]> = [
    ["rescind", { type: "rescind", offerId: "offer-1" as OfferId }],
    ["failure", { type: "failure", agentId: "agent-1" as AgentId }],
    ["offers", { type: "offers", offers: [] }],
  ];
  it.each(others)(
    "an event (%s) after two updates arrives after them, in the order sent",
    async (type, event) => {
      const { bus, clock, outbox, events, statusesIn } = setup();
      outbox.toFramework(batching, { type: "update", status: status(0) });
      outbox.toFramework(batching, { type: "update", status: status(1) });
      outbox.toFramework(batching, event);
      outbox.toFramework(batching, { type: "update", status: status(2) });
      clock.runDeferred();
      const got = await events(batching);
      expect(got.map((e) => e.type)).toEqual(["updates", type, "update"]);
      expect(statusesIn(got).map((s) => s.taskId)).toEqual(["task-0", "task-1", "task-2"]);
      await bus.close();
    },
  );

  it("sends a framework without the capability one `update` per status, at once", async () => {
    const { bus, clock, outbox, events } = setup();
    for (let i = 0; i < 3; i++) outbox.toFramework(plain, { type: "update", status: status(i) });
    expect(clock.pendingDeferred).toBe(0);
    const got = await events(plain);
    expect(got.map((e) => e.type)).toEqual(["update", "update", "update"]);
    await bus.close();
  });

  it("sends singles to a framework that re-subscribed without the capability before the flush", async () => {
    const { bus, clock, outbox, events, infos } = setup();
    outbox.toFramework(batching, { type: "update", status: status(0) });
    outbox.toFramework(batching, { type: "update", status: status(1) });
    infos.set(batching, FrameworkInfo.parse({ name: "downgraded", id: batching }));
    clock.runDeferred();
    expect((await events(batching)).map((e) => e.type)).toEqual(["update", "update"]);
    await bus.close();
  });

  it("sends a turn's updates under the principal's subject even when the framework is gone by the flush", async () => {
    const { bus, clock, outbox, infos, statusesIn, frameworkEvents } = setup();
    const withPrincipal = "fw-principal" as FrameworkId;
    infos.set(
      withPrincipal,
      FrameworkInfo.parse({ name: "p", id: withPrincipal, principal: "ops", capabilities: [UPDATE_BATCHES] }),
    );
    const got = frameworkEvents(withPrincipal, "ops");
    outbox.toFramework(withPrincipal, { type: "update", status: status(0) });
    outbox.toFramework(withPrincipal, { type: "update", status: status(1) });
    infos.delete(withPrincipal);
    clock.runDeferred();
    await bus.drained();
    expect(statusesIn(got).map((s) => s.taskId)).toEqual(["task-0", "task-1"]);
    await bus.close();
  });

  it("splits a batch over the bus's max payload into several events, losing no status", async () => {
    const { bus, clock, outbox, events, statusesIn, dropped } = setup(2000);
    const sent = Array.from({ length: 40 }, (_, i) => status(i));
    for (const s of sent) outbox.toFramework(batching, { type: "update", status: s });
    clock.runDeferred();
    const got = await events(batching);
    expect(got.length).toBeGreaterThan(1);
    expect(statusesIn(got)).toEqual(sent);
    expect(dropped).toEqual([]);
    await bus.close();
  });

  it("an explicit flush (the master stopping) sends the pending updates and cancels the deferred one", async () => {
    const { bus, clock, outbox, events, statusesIn } = setup();
    outbox.toFramework(batching, { type: "update", status: status(0) });
    outbox.toFramework(batching, { type: "update", status: status(1) });
    outbox.flush();
    expect(clock.pendingDeferred).toBe(0);
    expect(statusesIn(await events(batching)).map((s) => s.taskId)).toEqual(["task-0", "task-1"]);
    await bus.close();
  });
});
