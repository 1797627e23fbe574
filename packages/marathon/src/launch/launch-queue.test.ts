import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "../test-support/fixtures.js";
import { LaunchQueue } from "./launch-queue.js";

function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const at = (lastConfigChangeAt: string) => ({ lastConfigChangeAt, lastScalingAt: lastConfigChangeAt });

describe("LaunchQueue", () => {
  it("lists the apps with queued launches, delayed ones included, and forgets an app once none are left", () => {
    const clock = fakeClock();
    const q = new LaunchQueue(clock);
    q.add(app("/b"), 1);
    q.add(app("/a"), 2);
    q.recordFailure(app("/a"));
    expect(q.appIds()).toEqual(["/b", "/a"]);
    q.launched("/b", 1);
    expect(q.appIds()).toEqual(["/a"]);
  });

  it("counts queued launches per app, in the order apps were first queued", () => {
    const q = new LaunchQueue(fakeClock());
    q.add(app("/b"), 2);
    q.add(app("/a"), 1);
    q.add(app("/b"), 3);
    expect(q.launchable().map((l) => [l.app.id, l.count])).toEqual([
      ["/b", 5],
      ["/a", 1],
    ]);
    expect(q.remove("/b", 2)).toBe(2);
    q.launched("/b", 1);
    expect(q.count("/b")).toBe(2);
    expect(q.remove("/b")).toBe(2);
    expect(q.remove("/nope")).toBe(0);
    expect(q.entries().map((e) => e.app.id)).toEqual(["/a"]);
  });

  it("launches at the newest definition it was given", () => {
    const q = new LaunchQueue(fakeClock());
    q.add(app("/a", { cmd: "old" }), 1);
    q.add(app("/a", { cmd: "new" }), 1);
    expect(q.launchable()[0]!.app.cmd).toBe("new");
  });

  it("holds an app back by backoffSeconds × backoffFactor^(n−1) after its n-th failure, capped", () => {
    const clock = fakeClock();
    const q = new LaunchQueue(clock);
    const a = app("/a", {
      backoffSeconds: 2,
      backoffFactor: 3,
      maxLaunchDelaySeconds: 10,
      versionInfo: at("v1"),
    });
    q.add(a, 1);
    const delays: number[] = [];
    for (let n = 0; n < 4; n++) {
      q.recordFailure(a);
      delays.push((q.delayUntil("/a") ?? clock.now()) - clock.now());
      expect(q.launchable()).toEqual([]);
      clock.advance(delays[n]!);
      expect(q.launchable()).toHaveLength(1);
    }
    expect(delays).toEqual([2000, 6000, 10_000, 10_000]);
    expect(q.entries()[0]!.delayUntil).toBeLessThanOrEqual(clock.now());
  });

  it("starts the backoff over on resetDelay and when the app's config changes", () => {
    const clock = fakeClock();
    const q = new LaunchQueue(clock);
    const v1 = app("/a", { backoffSeconds: 5, backoffFactor: 2, versionInfo: at("v1") });
    q.add(v1, 1);
    q.recordFailure(v1);
    q.recordFailure(v1);
    expect(q.delayUntil("/a")! - clock.now()).toBe(10_000);
    expect(q.resetDelay("/a")).toBe(true);
    expect(q.resetDelay("/a")).toBe(false);
    expect(q.launchable()).toHaveLength(1);

    q.recordFailure(v1);
    q.add({ ...v1, instances: 3 }, 1);
    expect(q.delayUntil("/a")).toBeDefined();
    const v2 = app("/a", { backoffSeconds: 5, backoffFactor: 2, cmd: "other", versionInfo: at("v2") });
    q.add(v2, 1);
    expect(q.delayUntil("/a")).toBeUndefined();
    q.recordFailure(v2);
    expect(q.delayUntil("/a")! - clock.now()).toBe(5000);
  });

  it("shows /v2/queue entries with the role, since, delay and Marathon's offer reject summary", () => {
    const clock = fakeClock();
    const q = new LaunchQueue({ now: clock.now, role: "web" });
    q.add(app("/a"), 2);
    q.add(app("/b", { role: "batch" }), 1);
    q.recordOffers(3, { "/a": { UnfulfilledConstraint: 1, InsufficientCpus: 2 } });
    const [a, b] = q.entries();
    expect(a!.role).toBe("web");
    expect(b!.role).toBe("batch");
    expect(a!.since).toBe(new Date(clock.now()).toISOString());
    expect(a!.delayUntil).toBe(clock.now());
    expect(a!.processedOffersSummary).toMatchObject({
      processedOffersCount: 3,
      unusedOffersCount: 3,
      lastUnusedOfferAt: new Date(clock.now()).toISOString(),
    });
    expect(a!.processedOffersSummary.rejectSummaryLastOffers.slice(0, 3)).toEqual([
      { reason: "UnfulfilledRole", declined: 0, processed: 3 },
      { reason: "InsufficientCpus", declined: 2, processed: 3 },
      { reason: "InsufficientMemory", declined: 0, processed: 1 },
    ]);
    expect(a!.processedOffersSummary.rejectSummaryLastOffers.at(-2)).toEqual({
      reason: "UnfulfilledConstraint",
      declined: 1,
      processed: 1,
    });
    expect(b!.processedOffersSummary).toMatchObject({ processedOffersCount: 3, unusedOffersCount: 0 });
    expect(b!.processedOffersSummary.lastUnusedOfferAt).toBeUndefined();
  });

  it("backoff never shrinks while failures repeat and never passes maxLaunchDelaySeconds (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 3600, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        (backoffSeconds, backoffFactor, maxLaunchDelaySeconds, failures) => {
          const clock = fakeClock();
          const q = new LaunchQueue(clock);
          const a = app("/a", { backoffSeconds, backoffFactor, maxLaunchDelaySeconds });
          let last = 0;
          for (let n = 0; n < failures; n++) {
            q.recordFailure(a);
            const delay = (q.delayUntil("/a") ?? clock.now()) - clock.now();
            expect(delay).toBeGreaterThanOrEqual(last);
            expect(delay).toBeLessThanOrEqual(Math.round(maxLaunchDelaySeconds * 1000));
            last = delay;
          }
        },
      ),
    );
  });
});
