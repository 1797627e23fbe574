import type { TaskStatus } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { placedOn } from "../test-support/fixtures.js";
import { applyStatus } from "./instance-status.js";
import { statusEvents } from "./status-events.js";

function status(fields: Partial<TaskStatus> & Pick<TaskStatus, "state">): TaskStatus {
  const i = placedOn("/web", "h1");
  return { taskId: i.taskId, agentId: i.agentId, timestamp: 1_800_000_000, ...fields } as TaskStatus;
}

describe("statusEvents", () => {
  it("a task going RUNNING: its status update, then its changed condition", () => {
    const staging = { ...placedOn("/web", "h1"), state: "TASK_STAGING" as const };
    const update = status({ state: "TASK_RUNNING" });
    const events = statusEvents(update, applyStatus(staging, update));
    expect(events.map((e) => e.eventType)).toEqual(["status_update_event", "instance_changed_event"]);
  });

  it("a repeated status with a new health verdict: no condition change, both health events", () => {
    const running = { ...placedOn("/web", "h1"), state: "TASK_RUNNING" as const, healthy: true };
    const update = status({ state: "TASK_RUNNING", healthy: false });
    const events = statusEvents(update, applyStatus(running, update));
    expect(events.map((e) => e.eventType)).toEqual([
      "status_update_event",
      "health_status_changed_event",
      "instance_health_changed_event",
      "failed_health_check_event",
    ]);
  });

  it("a task its health checks killed ends with unhealthy_instance_kill_event naming the reason", () => {
    const running = { ...placedOn("/web", "h1"), state: "TASK_RUNNING" as const, healthy: true };
    const update = status({
      state: "TASK_KILLED",
      healthy: false,
      reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
      message: "3 consecutive failures",
    });
    const events = statusEvents(update, applyStatus(running, update));
    expect(events.at(-1)).toMatchObject({
      eventType: "unhealthy_instance_kill_event",
      reason: "3 consecutive failures",
    });
  });
});
