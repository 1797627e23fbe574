import { describe, expect, it } from "vitest";
import { planChurn, planWorkload, prng, workerOf, workerSizes } from "./workload.js";

const frameworks = [
  { name: "a", role: "web", weight: 2, share: 1 },
  { name: "b", role: "batch", weight: 1, share: 2 },
];

describe("planWorkload", () => {
  it("splits the tasks by share, every task exactly once, remainder to the first frameworks", () => {
    const plan = planWorkload({ tasks: 10, frameworks, taskRunTimeMs: 1000, failureRate: 0, seed: 1 });
    expect(plan.map((p) => p.tasks.length)).toEqual([4, 6]);
    const ids = plan.flatMap((p) => p.tasks.map((t) => t.taskId));
    expect(new Set(ids).size).toBe(10);
  });

  it("is the same plan for the same seed and a different one for another seed", () => {
    const input = { tasks: 200, frameworks, taskRunTimeMs: 1000, failureRate: 0.2, seed: 7 };
    expect(planWorkload(input)).toEqual(planWorkload(input));
    expect(planWorkload({ ...input, seed: 8 })).not.toEqual(planWorkload(input));
  });

  it("draws run times around the mean, capped at 10×, and failures at about the rate", () => {
    const plan = planWorkload({ tasks: 20_000, frameworks, taskRunTimeMs: 1000, failureRate: 0.1, seed: 3 });
    const tasks = plan.flatMap((p) => p.tasks);
    const mean = tasks.reduce((s, t) => s + t.runMs, 0) / tasks.length;
    expect(mean).toBeGreaterThan(900);
    expect(mean).toBeLessThan(1100);
    expect(Math.max(...tasks.map((t) => t.runMs))).toBeLessThanOrEqual(10_000);
    const failed = tasks.filter((t) => t.fail).length / tasks.length;
    expect(failed).toBeGreaterThan(0.09);
    expect(failed).toBeLessThan(0.11);
  });

  it("finishes every task at once when the mean run time is 0", () => {
    const plan = planWorkload({ tasks: 5, frameworks, taskRunTimeMs: 0, failureRate: 0, seed: 1 });
    expect(plan.flatMap((p) => p.tasks).every((t) => t.runMs === 0)).toBe(true);
  });
});

describe("planChurn", () => {
  it("picks the share of agents, distinct and sorted, the same for the same seed", () => {
    const churn = planChurn(1000, 0.1, 5);
    expect(churn).toHaveLength(100);
    expect(new Set(churn).size).toBe(100);
    expect(churn).toEqual([...churn].sort((a, b) => a - b));
    expect(churn.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(planChurn(1000, 0.1, 5)).toEqual(churn);
    expect(planChurn(1000, 0, 5)).toEqual([]);
  });
});

describe("workers", () => {
  it("deals agents out in blocks", () => {
    expect(workerSizes(12_000, 5000)).toEqual([5000, 5000, 2000]);
    expect(workerOf(5001, 5000)).toEqual({ worker: 1, local: 1 });
  });

  it("prng stays in [0, 1)", () => {
    const r = prng(42);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
