import type { AgentId, Offer, OfferId, TaskStatus } from "@agora/protocol";
import { describe, expect, it, vi } from "vitest";
import type { SchedulerError } from "./errors.js";
import type { FailureInfo, FrameworkMessage } from "./scheduler-events.js";
import { makeOffer, makeStatus } from "./test-support/fake-master.js";
import { subscribed } from "./test-support/harness.js";

describe("events", () => {
  it("delivers offers to handlers and to every offers() iterator", async () => {
    const { master, scheduler, id } = await subscribed();
    const handled: Offer[][] = [];
    scheduler.on("offers", (offers) => {
      handled.push(offers);
    });
    const iterator = scheduler.offers();
    const offer = makeOffer(id);

    master.publish(id, { type: "offers", epoch: 1, offers: [offer] });

    const first = await iterator.next();
    expect(first).toEqual({ done: false, value: [offer] });
    expect(handled).toEqual([[offer]]);
  });

  it("delivers updates to handlers and to the updates() iterator, in order", async () => {
    const { master, scheduler, id } = await subscribed();
    const updates = scheduler.updates();
    const statuses = [makeStatus({ state: "TASK_RUNNING" }), makeStatus({ state: "TASK_FINISHED" })];

    for (const status of statuses) master.publish(id, { type: "update", epoch: 1, status });

    const seen: TaskStatus[] = [];
    for await (const status of updates) {
      seen.push(status);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(statuses);
  });

  it("ends the iterators on close()", async () => {
    const { scheduler } = await subscribed();
    const offers = scheduler.offers();
    const updates = scheduler.updates();
    const pendingOffers = offers.next();
    const pendingUpdates = updates.next();

    await scheduler.close();

    expect(await pendingOffers).toEqual({ done: true, value: undefined });
    expect(await pendingUpdates).toEqual({ done: true, value: undefined });
    expect(await scheduler.updates().next()).toEqual({ done: true, value: undefined });
  });

  it("ignores events from an epoch lower than the highest seen", async () => {
    const { master, scheduler, id } = await subscribed();
    const offers = vi.fn();
    scheduler.on("offers", offers);

    master.epoch = 3; // a new leader (the scheduler re-subscribes to it)
    master.publish(id, { type: "heartbeat", epoch: 3 });
    const stale = makeOffer(id);
    master.publish(id, { type: "offers", epoch: 2, offers: [stale] });
    const current = makeOffer(id);
    master.publish(id, { type: "offers", epoch: 3, offers: [current] });

    await vi.waitFor(() => expect(offers).toHaveBeenCalledWith([current]));
    expect(offers).not.toHaveBeenCalledWith([stale]);
    expect(scheduler.stats.staleEvents).toBe(1);
  });

  it("counts and drops invalid events without throwing", async () => {
    const { master, scheduler, bus, id } = await subscribed();
    const offers = vi.fn();
    scheduler.on("offers", offers);

    master.publish(id, { type: "offers", epoch: 1, offers: [{ id: "not an offer" }] });
    master.publish(id, { type: "no-such-event", epoch: 1 });
    bus.publish(`agora.agora.framework.${id}.events`, new TextEncoder().encode("{not json"));
    const valid = makeOffer(id);
    master.publish(id, { type: "offers", epoch: 1, offers: [valid] });

    await vi.waitFor(() => expect(offers).toHaveBeenCalledTimes(1));
    expect(offers).toHaveBeenCalledWith([valid]);
    expect(scheduler.stats.invalidEvents).toBe(3);
  });

  it("delivers rescind, message, failure, heartbeat and the master's error with typed payloads", async () => {
    const { master, scheduler, id } = await subscribed();
    const rescinded: OfferId[] = [];
    const messages: FrameworkMessage[] = [];
    const failures: FailureInfo[] = [];
    const errors: SchedulerError[] = [];
    const heartbeats: number[] = [];
    scheduler
      .on("rescind", (offerId) => void rescinded.push(offerId))
      .on("message", (m) => void messages.push(m))
      .on("failure", (f) => void failures.push(f))
      .on("error", (e) => void errors.push(e))
      .on("heartbeat", (h) => void heartbeats.push(h.epoch));

    master.publish(id, { type: "rescind", epoch: 1, offerId: "offer-x" });
    master.publish(id, { type: "message", epoch: 1, agentId: "agent-1", data: "hello" });
    master.publish(id, { type: "failure", epoch: 1, agentId: "agent-2" });
    master.publish(id, { type: "error", epoch: 1, message: "framework removed" });
    master.publish(id, { type: "heartbeat", epoch: 1 });

    await vi.waitFor(() => expect(heartbeats).toEqual([1]));
    expect(rescinded).toEqual(["offer-x"]);
    expect(messages).toEqual([{ agentId: "agent-1" as AgentId, executorId: undefined, data: "hello" }]);
    expect(failures).toEqual([{ agentId: "agent-2", executorId: undefined, status: undefined }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "MASTER_ERROR", message: "framework removed" });
  });

  it("stops delivering to a handler removed with off()", async () => {
    const { master, scheduler, id } = await subscribed();
    const removed = vi.fn();
    const kept = vi.fn();
    scheduler.on("heartbeat", removed).on("heartbeat", kept).off("heartbeat", removed);

    master.publish(id, { type: "heartbeat", epoch: 1 });

    await vi.waitFor(() => expect(kept).toHaveBeenCalledOnce());
    expect(removed).not.toHaveBeenCalled();
  });

  it("keeps delivering after a handler throws, and counts the failure", async () => {
    const { master, scheduler, id } = await subscribed();
    const later = vi.fn();
    scheduler.on("heartbeat", () => {
      throw new Error("boom");
    });
    scheduler.on("heartbeat", later);

    master.publish(id, { type: "heartbeat", epoch: 1 });
    master.publish(id, { type: "heartbeat", epoch: 1 });

    await vi.waitFor(() => expect(later).toHaveBeenCalledTimes(2));
    expect(scheduler.stats.handlerErrors).toBe(2);
  });

  it("drops and declines the oldest batch when a lone offers() consumer falls behind", async () => {
    const { master, scheduler, id } = await subscribed();
    const offers = scheduler.offers({ bufferSize: 1 });
    const old = makeOffer(id);
    const fresh = makeOffer(id);

    master.publish(id, { type: "offers", epoch: 1, offers: [old] });
    master.publish(id, { type: "offers", epoch: 1, offers: [fresh] });

    await vi.waitFor(() => expect(master.callsOf("decline")).toHaveLength(1));
    expect(master.callsOf("decline")[0]?.offerIds).toEqual([old.id]);
    expect(await offers.next()).toEqual({ done: false, value: [fresh] });
    expect(scheduler.stats.offersDropped).toBe(1);
  });

  it("declines offers that arrive with no handler and no offers() iterator, so they are not held", async () => {
    const { master, scheduler, id } = await subscribed();
    const offer = makeOffer(id);

    master.publish(id, { type: "offers", epoch: 1, offers: [offer] });

    await vi.waitFor(() => expect(master.callsOf("decline")).toHaveLength(1));
    expect(master.callsOf("decline")[0]?.offerIds).toEqual([offer.id]);
    expect(scheduler.stats.offersDeclinedUnconsumed).toBe(1);
  });

  it("forgets an offers() iterator the consumer broke out of", async () => {
    const { master, scheduler, id } = await subscribed();
    const offers = scheduler.offers({ bufferSize: 1 });
    const heartbeat = vi.fn();
    scheduler.on("heartbeat", heartbeat);
    master.publish(id, { type: "offers", epoch: 1, offers: [makeOffer(id)] });
    for await (const batch of offers) {
      expect(batch).toHaveLength(1);
      break;
    }

    master.publish(id, { type: "offers", epoch: 1, offers: [makeOffer(id)] });
    master.publish(id, { type: "offers", epoch: 1, offers: [makeOffer(id)] });
    master.publish(id, { type: "heartbeat", epoch: 1 });

    await vi.waitFor(() => expect(heartbeat).toHaveBeenCalled());
    // A still-registered iterator with room for one batch would have dropped the first of the two.
    expect(scheduler.stats.offersDropped).toBe(0);
  });
});
