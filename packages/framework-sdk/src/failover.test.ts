import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { SubscribedInfo } from "./scheduler-events.js";
import { type Harness, subscribed } from "./test-support/harness.js";

const oneSecondHeartbeats = (h: Harness) => {
  h.master.heartbeatIntervalSeconds = 1;
};

describe("failover re-subscribe", () => {
  it("re-subscribes with the same framework id when the master is silent for 5 heartbeat intervals", async () => {
    const { master, scheduler, clock, id } = await subscribed({}, oneSecondHeartbeats);
    const disconnected = vi.fn();
    const reconnected: SubscribedInfo[] = [];
    scheduler.on("disconnected", disconnected).on("reconnected", (info) => void reconnected.push(info));

    clock.advance(4000);
    expect(disconnected).not.toHaveBeenCalled();
    clock.advance(1000);

    expect(disconnected).toHaveBeenCalledWith({ silentForMs: 5000 });
    await vi.waitFor(() => expect(reconnected).toHaveLength(1));
    expect(reconnected[0]?.frameworkId).toBe(id);
    expect(master.callsOf("subscribe").map((c) => c.frameworkInfo.id)).toEqual([id, id]);
    expect(scheduler.stats.resubscribes).toBe(1);
    // Implicit reconciliation after the subscribe and after the re-subscribe.
    await vi.waitFor(() => expect(master.callsOf("reconcile")).toHaveLength(2));
  });

  it("re-subscribes at once, without waiting for missed heartbeats, when a master of a higher epoch speaks", async () => {
    const { master, scheduler, id } = await subscribed({}, oneSecondHeartbeats);
    const reconnected: SubscribedInfo[] = [];
    scheduler.on("reconnected", (info) => void reconnected.push(info));
    master.epoch = 2; // a new leader, which sends known frameworks a heartbeat of its epoch
    master.publish(id, { type: "heartbeat", epoch: 2 });
    await vi.waitFor(() => expect(reconnected).toHaveLength(1));
    expect(reconnected[0]).toMatchObject({ frameworkId: id, epoch: 2 });
    expect(master.callsOf("subscribe").map((c) => c.frameworkInfo.id)).toEqual([id, id]);
    // Another heartbeat of the same epoch is just a heartbeat.
    master.publish(id, { type: "heartbeat", epoch: 2 });
    await vi.waitFor(() => expect(master.callsOf("reconcile")).toHaveLength(2));
    expect(master.callsOf("subscribe")).toHaveLength(2);
    expect(scheduler.stats.resubscribes).toBe(1);
  });

  it("does not re-subscribe while heartbeat events keep arriving", async () => {
    const { master, scheduler, clock, id } = await subscribed({}, oneSecondHeartbeats);
    const disconnected = vi.fn();
    scheduler.on("disconnected", disconnected);
    let heard = 0;
    scheduler.on("heartbeat", () => void heard++);

    for (let i = 1; i <= 10; i++) {
      master.publish(id, { type: "heartbeat", epoch: 1 });
      await vi.waitFor(() => expect(heard).toBe(i));
      clock.advance(1000);
    }

    expect(disconnected).not.toHaveBeenCalled();
    expect(master.callsOf("subscribe")).toHaveLength(1);
  });

  it("keeps retrying with backoff while the master is gone, then reconnects", async () => {
    const logs: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
    const { master, scheduler, clock } = await subscribed(
      { logger, retry: { initialMs: 100, maxMs: 100 } },
      oneSecondHeartbeats,
    );
    const reconnected = vi.fn();
    scheduler.on("reconnected", reconnected);
    master.stop();

    clock.advance(5000);
    await vi.waitFor(() => {
      clock.advance(100);
      expect(logs.filter((l) => l.includes("no master yet")).length).toBeGreaterThanOrEqual(3);
    });
    expect(reconnected).not.toHaveBeenCalled();
    master.start();

    await vi.waitFor(() => {
      clock.advance(100);
      expect(reconnected).toHaveBeenCalledOnce();
    });
  });

  it("reports a refused re-subscribe as an error event", async () => {
    const { master, scheduler, clock } = await subscribed({}, oneSecondHeartbeats);
    const errors = vi.fn();
    scheduler.on("error", errors);
    master.refuse = (call) =>
      call.type === "subscribe" ? { code: "FRAMEWORK_REMOVED", message: "gone" } : undefined;

    clock.advance(5000);

    await vi.waitFor(() =>
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ code: "SUBSCRIBE_FAILED", masterCode: "FRAMEWORK_REMOVED" }),
      ),
    );
  });

  it("drops events of the old master once a newer epoch re-registered the framework", async () => {
    const { master, scheduler, clock, id } = await subscribed({}, oneSecondHeartbeats);
    master.epoch = 2;
    clock.advance(5000);
    await vi.waitFor(() => expect(scheduler.stats.resubscribes).toBe(1));
    const offers = vi.fn();
    scheduler.on("offers", offers);

    master.publish(id, { type: "offers", epoch: 1, offers: [] });
    master.publish(id, { type: "heartbeat", epoch: 2 });

    await vi.waitFor(() => expect(scheduler.stats.staleEvents).toBe(1));
    expect(offers).not.toHaveBeenCalled();
  });
});
