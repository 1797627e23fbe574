import type { FrameworkId, Offer } from "@agora/protocol";
import { InProcessBus, ManualClock } from "@agora/transport";
import { pino } from "pino";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { isSchedulerError, SchedulerError } from "./errors.js";
import { Scheduler } from "./scheduler.js";
import { FakeMaster, makeOffer } from "./test-support/fake-master.js";
import { harness } from "./test-support/harness.js";

describe("subscribe", () => {
  it("listens for events before sending the call, so an offer sent at once is seen", async () => {
    const { master, scheduler } = harness();
    master.onSubscribe = (id) => master.publish(id, { type: "offers", epoch: 1, offers: [makeOffer(id)] });
    const seen: Offer[][] = [];
    scheduler.on("offers", (offers) => {
      seen.push(offers);
    });

    const id = await scheduler.subscribe();

    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]![0]!.frameworkId).toBe(id);
  });

  it("proposes a fresh framework id with the framework info and its defaults", async () => {
    const { master, scheduler } = harness({ framework: { name: "batch", roles: ["eng"] } });

    const id = await scheduler.subscribe();

    const [call] = master.callsOf("subscribe");
    expect(call?.frameworkInfo).toMatchObject({ id, name: "batch", roles: ["eng"], failoverTimeout: 0 });
    expect(scheduler.frameworkId).toBe(id);
  });

  it("re-subscribes with the given framework id (failover)", async () => {
    const { master, scheduler } = harness({ framework: { name: "fw", id: "fw-known" as FrameworkId } });

    expect(await scheduler.subscribe()).toBe("fw-known");
    expect(master.callsOf("subscribe")[0]?.frameworkInfo.id).toBe("fw-known");
  });

  it("emits subscribed with the master's heartbeat interval and reconciles implicitly", async () => {
    const { master, scheduler } = harness();
    master.heartbeatIntervalSeconds = 7;
    const subscribed = vi.fn();
    scheduler.on("subscribed", subscribed);

    const id = await scheduler.subscribe();

    expect(subscribed).toHaveBeenCalledWith(
      expect.objectContaining({ frameworkId: id, heartbeatIntervalSeconds: 7 }),
    );
    await vi.waitFor(() =>
      expect(master.callsOf("reconcile")).toEqual([{ type: "reconcile", frameworkId: id, tasks: [] }]),
    );
  });

  it("returns the same promise to concurrent callers and sends one subscribe", async () => {
    const { master, scheduler } = harness();

    const [a, b] = await Promise.all([scheduler.subscribe(), scheduler.subscribe()]);

    expect(a).toBe(b);
    expect(master.callsOf("subscribe")).toHaveLength(1);
  });

  it("rejects with SUBSCRIBE_FAILED carrying the master's code and field when refused", async () => {
    const { master, scheduler } = harness();
    master.refuse = (call) =>
      call.type === "subscribe"
        ? { code: "INVALID_CALL", message: "bad role", field: "frameworkInfo.roles.0" }
        : undefined;

    const err = await scheduler.subscribe().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SchedulerError);
    expect(err).toMatchObject({
      code: "SUBSCRIBE_FAILED",
      masterCode: "INVALID_CALL",
      field: "frameworkInfo.roles.0",
    });
  });

  it("retries a subscribe the master refused only because its registry write failed (STORE_FAILED)", async () => {
    const { master, scheduler, clock } = harness({ retry: { initialMs: 100, maxMs: 100 } });
    let refusals = 2;
    master.refuse = (call) =>
      call.type === "subscribe" && refusals-- > 0
        ? { code: "STORE_FAILED", message: "could not write frameworks.x to the state store" }
        : undefined;

    let subscribed = false;
    const done = scheduler.subscribe().then(() => {
      subscribed = true;
    });
    await vi.waitFor(() => {
      clock.advance(100);
      expect(subscribed).toBe(true);
    });
    await done;
    expect(master.callsOf("subscribe")).toHaveLength(3);
  });

  it("retries with backoff while there is no master, then subscribes", async () => {
    const bus = new InProcessBus();
    const clock = new ManualClock();
    const retries: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void retries.push(line) });
    const scheduler = new Scheduler({
      bus,
      clock,
      logger,
      framework: { name: "fw" },
      retry: { initialMs: 100, maxMs: 400 },
    });
    onTestFinished(async () => {
      await scheduler.close();
      await bus.close();
    });
    const subscribed = scheduler.subscribe();
    await vi.waitFor(() => {
      clock.advance(100);
      expect(retries.filter((l) => l.includes("no master yet")).length).toBeGreaterThanOrEqual(3);
    });

    const master = new FakeMaster(bus).start();
    await vi.waitFor(() => {
      clock.advance(400);
      expect(master.callsOf("subscribe")).toHaveLength(1);
    });

    expect(await subscribed).toBe(scheduler.frameworkId);
  });

  it("gives up with TIMEOUT after subscribeTimeoutMs without a master", async () => {
    const bus = new InProcessBus();
    const clock = new ManualClock();
    const scheduler = new Scheduler({ bus, clock, framework: { name: "fw" }, subscribeTimeoutMs: 1000 });
    onTestFinished(async () => {
      await scheduler.close();
      await bus.close();
    });
    let outcome: unknown;
    scheduler.subscribe().catch((e: unknown) => {
      outcome = e;
    });

    await vi.waitFor(() => {
      clock.advance(250);
      expect(isSchedulerError(outcome, "TIMEOUT")).toBe(true);
    });
  });

  it("rejects a pending subscribe with CLOSED when closed", async () => {
    const bus = new InProcessBus();
    const scheduler = new Scheduler({ bus, clock: new ManualClock(), framework: { name: "fw" } });
    onTestFinished(() => bus.close());
    const pending = scheduler.subscribe();

    await scheduler.close();

    await expect(pending).rejects.toMatchObject({ code: "CLOSED" });
    await expect(scheduler.subscribe()).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("sends a heartbeat call every heartbeat interval", async () => {
    const { master, scheduler, clock } = harness();
    master.heartbeatIntervalSeconds = 2;
    const id = await scheduler.subscribe();

    clock.advance(6000);

    await vi.waitFor(() => expect(master.callsOf("heartbeat")).toHaveLength(3));
    expect(master.callsOf("heartbeat")[0]).toEqual({ type: "heartbeat", frameworkId: id });
  });

  it("refuses invalid framework info up front with INVALID_OPTIONS naming the field", () => {
    const bus = new InProcessBus();
    const make = () => new Scheduler({ bus, framework: { name: "fw", roles: ["bad role"] } });
    expect(make).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS", field: "framework.roles.0" }));
  });
});
