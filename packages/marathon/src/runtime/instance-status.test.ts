import type { TaskStatus } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { placedOn } from "../test-support/fixtures.js";
import { applyStatus, conditionOf, isActive } from "./instance-status.js";

const status = (fields: Partial<TaskStatus>): TaskStatus =>
  ({
    taskId: "web.1",
    state: "TASK_RUNNING",
    source: "SOURCE_EXECUTOR",
    timestamp: 1_800_000_000,
    ...fields,
  }) as TaskStatus;

describe("applyStatus", () => {
  const staging = { ...placedOn("/web", "h1"), state: "TASK_STAGING" as const };

  it("RUNNING sets the start time once and is neither terminal nor a failure", () => {
    const o = applyStatus(staging, status({}));
    expect(o.instance.state).toBe("TASK_RUNNING");
    expect(o.instance.startedAt).toBe(new Date(1_800_000_000_000).toISOString());
    expect(o).toMatchObject({ stateChanged: true, terminal: false, failed: false, healthChanged: false });
    const again = applyStatus(o.instance, status({ timestamp: 1_800_000_100 }));
    expect(again.instance.startedAt).toBe(o.instance.startedAt);
    expect(again.stateChanged).toBe(false);
  });

  it("a health verdict is kept until the next verdict and reported when it changes", () => {
    const healthy = applyStatus(staging, status({ healthy: true }));
    expect(healthy.healthChanged).toBe(true);
    const plain = applyStatus(healthy.instance, status({}));
    expect(plain.instance.healthy).toBe(true);
    expect(plain.healthChanged).toBe(false);
    expect(applyStatus(plain.instance, status({ healthy: false })).healthChanged).toBe(true);
  });

  it("an end Marathon did not ask for is a failure; a requested kill is not", () => {
    expect(applyStatus(staging, status({ state: "TASK_FAILED" }))).toMatchObject({
      terminal: true,
      failed: true,
    });
    const asked = { ...staging, killRequested: true };
    expect(applyStatus(asked, status({ state: "TASK_KILLED" }))).toMatchObject({
      terminal: true,
      failed: false,
    });
  });

  it("a kill by the agent's health checks is an unhealthy kill and a failure", () => {
    const o = applyStatus(
      staging,
      status({ state: "TASK_KILLED", healthy: false, reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED" }),
    );
    expect(o).toMatchObject({ killedUnhealthy: true, failed: true, terminal: true });
  });

  it("conditions use Marathon's names; unreachable instances are not active", () => {
    expect(conditionOf("TASK_RUNNING")).toBe("Running");
    expect(conditionOf("TASK_UNREACHABLE")).toBe("Unreachable");
    expect(isActive({ ...staging, state: "TASK_UNREACHABLE" })).toBe(false);
    expect(isActive(staging)).toBe(true);
  });
});
