import { UPDATE_BATCHES } from "@agora/protocol";
import { describe, expect, it, vi } from "vitest";
import { makeStatus } from "./test-support/fake-master.js";
import { subscribed } from "./test-support/harness.js";

describe("an `updates` event (a master turn's updates together)", () => {
  it("the SDK declares UPDATE_BATCHES when it subscribes, keeping the author's capabilities", async () => {
    const { master } = await subscribed({ framework: { name: "batch", capabilities: ["GPU_RESOURCES"] } });
    expect(master.callsOf("subscribe")[0]!.frameworkInfo.capabilities).toEqual([
      "GPU_RESOURCES",
      UPDATE_BATCHES,
    ]);
  });

  it("reaches the update handler once per status, in order, duplicates suppressed, all acknowledged in one batch", async () => {
    const { master, scheduler, id } = await subscribed();
    const handled: string[] = [];
    scheduler.on("update", (status) => void handled.push(status.taskId));
    const first = makeStatus({ taskId: "t-1" as never });
    const second = makeStatus({ taskId: "t-2" as never });

    master.publish(id, { type: "updates", epoch: 1, statuses: [first, second, first] });

    await vi.waitFor(() => expect(master.acknowledgements()).toHaveLength(3));
    expect(handled).toEqual(["t-1", "t-2"]);
    expect(master.acknowledgements().map((a) => a.uuid)).toEqual([first.uuid, second.uuid, first.uuid]);
    expect(master.callsOf("acknowledgeBatch")).toHaveLength(1);
    expect(master.callsOf("acknowledge")).toHaveLength(0);
    expect(scheduler.stats).toMatchObject({ updatesDelivered: 2, duplicatesSuppressed: 1 });
  });

  it("feeds the updates() iterator the same statuses as single update events would", async () => {
    const { master, scheduler, id } = await subscribed();
    const iterator = scheduler.updates();
    const statuses = [makeStatus({ taskId: "a" as never }), makeStatus({ taskId: "b" as never })];

    master.publish(id, { type: "updates", epoch: 1, statuses });

    expect((await iterator.next()).value).toEqual(statuses[0]);
    expect((await iterator.next()).value).toEqual(statuses[1]);
    await iterator.return?.();
  });

  it("drops an `updates` event from an older master epoch like any other event", async () => {
    const { master, scheduler, id, barrier } = await subscribed();
    const handler = vi.fn();
    scheduler.on("update", handler);
    master.epoch = 2; // a new leader (the scheduler re-subscribes to it)
    master.publish(id, { type: "heartbeat", epoch: 2 });
    master.publish(id, { type: "updates", epoch: 1, statuses: [makeStatus(), makeStatus()] });
    await barrier();
    expect(handler).not.toHaveBeenCalled();
    expect(scheduler.stats.staleEvents).toBe(1);
  });
});
