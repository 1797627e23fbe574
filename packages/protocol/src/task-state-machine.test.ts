import { describe, expect, it } from "vitest";
import { TaskState } from "./task.js";
import { canTransition, isActiveState, isTerminalState } from "./task-state-machine.js";

const states = TaskState.options;

describe("task state machine", () => {
  it("lets nothing follow a terminal state, not even itself", () => {
    for (const from of states.filter(isTerminalState))
      for (const to of states) expect(canTransition(from, to)).toBe(false);
  });

  it("never goes back to STAGING or STARTING from RUNNING", () => {
    expect(canTransition("TASK_RUNNING", "TASK_STAGING")).toBe(false);
    expect(canTransition("TASK_RUNNING", "TASK_STARTING")).toBe(false);
  });

  it("lets an unreachable task come back running or end", () => {
    expect(canTransition("TASK_UNREACHABLE", "TASK_RUNNING")).toBe(true);
    expect(canTransition("TASK_UNREACHABLE", "TASK_GONE")).toBe(true);
    expect(isTerminalState("TASK_UNREACHABLE")).toBe(false);
  });

  it("allows a same-state update for live tasks (health changes)", () => {
    expect(canTransition("TASK_RUNNING", "TASK_RUNNING")).toBe(true);
  });

  it("classifies every state as exactly one of active, terminal or adrift", () => {
    for (const s of states) {
      const adrift = ["TASK_LOST", "TASK_UNREACHABLE", "TASK_UNKNOWN"].includes(s);
      expect([isActiveState(s), isTerminalState(s), adrift].filter(Boolean)).toHaveLength(1);
    }
  });
});
