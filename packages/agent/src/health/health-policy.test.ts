import { describe, expect, it } from "vitest";
import { HealthPolicy } from "./health-policy.js";

const check = { gracePeriodSeconds: 10, consecutiveFailures: 3 };

describe("HealthPolicy", () => {
  it("ignores failures inside the grace period until the task was first healthy", () => {
    const p = new HealthPolicy(check, 0);
    expect(p.record(false, 1000)).toEqual({ kill: false, consecutiveFailures: 0 });
    expect(p.current).toBeUndefined();
    expect(p.record(true, 2000)).toEqual({ healthy: true, kill: false, consecutiveFailures: 0 });
    // Once healthy, the grace period no longer shields failures.
    expect(p.record(false, 3000)).toEqual({ healthy: false, kill: false, consecutiveFailures: 1 });
  });

  it("counts failures after the grace period and asks for a kill at consecutiveFailures", () => {
    const p = new HealthPolicy(check, 0);
    expect(p.record(false, 10_000)).toEqual({ healthy: false, kill: false, consecutiveFailures: 1 });
    expect(p.record(false, 11_000)).toEqual({ kill: false, consecutiveFailures: 2 });
    expect(p.record(false, 12_000)).toEqual({ kill: true, consecutiveFailures: 3 });
  });

  it("resets the consecutive failures on a success and reports only changes", () => {
    const p = new HealthPolicy(check, 0);
    p.record(true, 1);
    expect(p.record(true, 2)).toEqual({ kill: false, consecutiveFailures: 0 });
    p.record(false, 3);
    p.record(false, 4);
    expect(p.record(true, 5)).toEqual({ healthy: true, kill: false, consecutiveFailures: 0 });
    p.record(false, 6);
    p.record(false, 7);
    expect(p.record(false, 8).kill).toBe(true);
  });
});
