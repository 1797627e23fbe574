import type { AgentId, ExecutorId, OfferId, TaskId } from "@agora/protocol";
import { InProcessBus, ManualClock } from "@agora/transport";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { SchedulerError } from "./errors.js";
import { Scheduler } from "./scheduler.js";
import { FakeMaster, makeOffer } from "./test-support/fake-master.js";
import { subscribed } from "./test-support/harness.js";

const task = (agentId: AgentId) => ({
  taskId: "t1",
  name: "t1",
  agentId,
  resources: [{ name: "cpus", scalar: 1 }],
  command: { value: "true" },
});

describe("calls", () => {
  it("rejects with CALL_FAILED carrying the master's code and field on ok:false", async () => {
    const { master, scheduler, id } = await subscribed();
    master.refuse = (call) =>
      call.type === "accept"
        ? { code: "INVALID_OFFERS", message: "offer is gone", field: "offerIds.0" }
        : undefined;
    const offer = makeOffer(id);

    const err = await scheduler.launch(offer, [task(offer.agentId)]).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SchedulerError);
    expect(err).toMatchObject({ code: "CALL_FAILED", masterCode: "INVALID_OFFERS", field: "offerIds.0" });
  });

  it("reserve and unreserve send one accept with one such operation each", async () => {
    const { master, scheduler, id } = await subscribed();
    const offer = makeOffer(id);
    const reserved = [{ name: "cpus", scalar: 1, reservation: { role: "eng", type: "dynamic" as const } }];

    await scheduler.reserve(offer, reserved);
    await scheduler.unreserve([offer], reserved, { refuseSeconds: 0 });

    expect(master.callsOf("accept")).toEqual([
      {
        type: "accept",
        frameworkId: id,
        offerIds: [offer.id],
        operations: [{ type: "reserve", resources: reserved }],
      },
      {
        type: "accept",
        frameworkId: id,
        offerIds: [offer.id],
        operations: [{ type: "unreserve", resources: reserved }],
        filters: { refuseSeconds: 0 },
      },
    ]);
  });

  it("launch sends one accept with one launch operation", async () => {
    const { master, scheduler, id } = await subscribed();
    const offer = makeOffer(id);

    await scheduler.launch(offer, [task(offer.agentId)], { refuseSeconds: 10 });

    expect(master.callsOf("accept")).toEqual([
      {
        type: "accept",
        frameworkId: id,
        offerIds: [offer.id],
        operations: [
          { type: "launch", tasks: [{ ...task(offer.agentId), command: { value: "true", shell: true } }] },
        ],
        filters: { refuseSeconds: 10 },
      },
    ]);
  });

  it("declines by publishing, without awaiting a reply", async () => {
    const { master, scheduler, id, bus } = await subscribed();
    const request = vi.spyOn(bus, "request");

    await scheduler.decline(["o1" as OfferId, "o2" as OfferId], { refuseSeconds: 30 });

    await vi.waitFor(() =>
      expect(master.callsOf("decline")).toEqual([
        { type: "decline", frameworkId: id, offerIds: ["o1", "o2"], filters: { refuseSeconds: 30 } },
      ]),
    );
    expect(request).not.toHaveBeenCalled();
  });

  /** A subscribed scheduler on a bus whose max payload (2,000 bytes) holds a few dozen ids per message. */
  async function onSmallBus() {
    const bus = new InProcessBus(undefined, { maxPayload: 2000 });
    const master = new FakeMaster(bus).start();
    const scheduler = new Scheduler({ bus, clock: new ManualClock(), framework: { name: "many-ids" } });
    onTestFinished(async () => {
      await scheduler.close();
      await bus.close();
    });
    const id = await scheduler.subscribe();
    return { bus, master, scheduler, id };
  }

  it("splits a decline too big for one bus message into several, losing no offer", async () => {
    const { bus, master, scheduler, id } = await onSmallBus();
    const offerIds = Array.from({ length: 300 }, (_, i) => `offer-${i}` as OfferId);

    await scheduler.decline(offerIds, { refuseSeconds: 60 });

    await bus.drained();
    const calls = master.callsOf("decline");
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.flatMap((c) => c.offerIds)).toEqual(offerIds);
    for (const c of calls) expect(c).toMatchObject({ frameworkId: id, filters: { refuseSeconds: 60 } });
  });

  it("splits an explicit reconciliation too big for one bus message, each part answered", async () => {
    const { master, scheduler, id } = await onSmallBus();
    const tasks = Array.from({ length: 300 }, (_, i) => ({
      taskId: `task-${i}` as TaskId,
      agentId: `agent-${i % 7}` as AgentId,
    }));

    await scheduler.reconcile(tasks);

    const calls = master.callsOf("reconcile").filter((c) => c.tasks.length > 0);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.flatMap((c) => c.tasks)).toEqual(tasks);
    for (const c of calls) expect(c.frameworkId).toBe(id);
  });

  it("sends revive, suppress, kill, reconcile and message with their fields", async () => {
    const { master, scheduler, id } = await subscribed();
    const agentId = "agent-1" as AgentId;
    const taskId = "t1" as TaskId;

    await scheduler.revive(["web"]);
    await scheduler.suppress();
    await scheduler.kill(taskId, agentId, { gracePeriodSeconds: 3 });
    await scheduler.reconcile([{ taskId, agentId }]);
    await scheduler.message(agentId, "hi", "exec-1" as ExecutorId);

    const sent = master.calls.filter(
      (c) => c.type !== "subscribe" && !(c.type === "reconcile" && c.tasks.length === 0),
    );
    expect(sent).toEqual([
      { type: "revive", frameworkId: id, roles: ["web"] },
      { type: "suppress", frameworkId: id },
      { type: "kill", frameworkId: id, taskId, agentId, killPolicy: { gracePeriodSeconds: 3 } },
      { type: "reconcile", frameworkId: id, tasks: [{ taskId, agentId }] },
      { type: "message", frameworkId: id, agentId, data: "hi", executorId: "exec-1" },
    ]);
  });

  it("passes the master's INVALID_CALL and field through for a call that fails its schema", async () => {
    const { scheduler } = await subscribed();

    const err = await scheduler.revive(["not a role"]).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: "CALL_FAILED", masterCode: "INVALID_CALL", field: "roles.0" });
  });

  it("refuses calls before subscribe() with NOT_SUBSCRIBED", async () => {
    const bus = new InProcessBus();
    onTestFinished(() => bus.close());
    const scheduler = new Scheduler({ bus, clock: new ManualClock(), framework: { name: "fw" } });

    await expect(scheduler.revive()).rejects.toMatchObject({ code: "NOT_SUBSCRIBED" });
    await expect(scheduler.decline(["o1" as OfferId])).rejects.toMatchObject({ code: "NOT_SUBSCRIBED" });
  });

  it("refuses calls after close() with CLOSED, without tearing the framework down", async () => {
    const { master, scheduler } = await subscribed();

    await scheduler.close();

    await expect(scheduler.suppress()).rejects.toMatchObject({ code: "CLOSED" });
    expect(master.callsOf("teardown")).toHaveLength(0);
  });

  it("rejects with NO_MASTER when no master listens", async () => {
    const { master, scheduler } = await subscribed();
    master.stop();

    await expect(scheduler.revive()).rejects.toMatchObject({ code: "NO_MASTER" });
  });

  it("rejects with TIMEOUT when the master does not answer in time", async () => {
    const { master, scheduler, bus } = await subscribed({ callTimeoutMs: 50 });
    master.stop();
    bus.subscribe("agora.agora.master.call", () => {});

    await expect(scheduler.revive()).rejects.toMatchObject({ code: "TIMEOUT" });
  });

  it("rejects with INVALID_REPLY when the reply is not a CallReply", async () => {
    const { master, scheduler, bus } = await subscribed();
    master.stop();
    bus.subscribe(
      "agora.agora.master.call",
      (msg) => void msg.respond(new TextEncoder().encode('{"ok":"yes"}')),
    );

    await expect(scheduler.revive()).rejects.toMatchObject({ code: "INVALID_REPLY" });
  });

  it("teardown sends the call and closes the scheduler", async () => {
    const { master, scheduler, id } = await subscribed();

    await scheduler.teardown();

    expect(master.callsOf("teardown")).toEqual([{ type: "teardown", frameworkId: id }]);
    await expect(scheduler.revive()).rejects.toMatchObject({ code: "CLOSED" });
  });
});
