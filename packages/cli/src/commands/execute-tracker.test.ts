import { describe, expect, it } from "vitest";
import { ExecuteTracker } from "./execute-tracker.js";

describe("ExecuteTracker", () => {
  it("is done only when every task reached a terminal state", () => {
    const t = new ExecuteTracker(["a", "b"]);
    t.launched("a");
    t.update("a", "TASK_RUNNING");
    t.update("a", "TASK_FINISHED");
    expect(t.done).toBe(false);
    expect(t.pending).toEqual(["b"]);
    t.launched("b");
    t.update("b", "TASK_FINISHED");
    expect(t.done).toBe(true);
    expect(t.allFinished).toBe(true);
  });

  it("counts a failure and ignores anything after a terminal state", () => {
    const t = new ExecuteTracker(["a"]);
    t.launched("a");
    expect(t.update("a", "TASK_FAILED")).toBe(true);
    expect(t.update("a", "TASK_RUNNING")).toBe(false);
    expect(t.allFinished).toBe(false);
    expect(t.summary()).toEqual({ TASK_FAILED: 1 });
  });

  it("ignores repeats and unknown tasks", () => {
    const t = new ExecuteTracker(["a"]);
    t.launched("a");
    expect(t.update("a", "TASK_RUNNING")).toBe(true);
    expect(t.update("a", "TASK_RUNNING")).toBe(false);
    expect(t.update("zzz", "TASK_RUNNING")).toBe(false);
    expect(t.live).toEqual(["a"]);
  });
});
