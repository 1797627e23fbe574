import type { TaskStatus } from "@agora/protocol";
import type { Instance } from "../model/instance.js";
import { appIdOfTask } from "../model/instance.js";
import type { EventBody } from "./event-hub.js";
import { conditionOf, type StatusOutcome } from "./instance-status.js";

/**
 * Marathon's events for one status update of a known instance, in the order Marathon sends them:
 * the status update, the instance's changed condition, its health, and an unhealthy kill. Pure.
 */
export function statusEvents(status: TaskStatus, outcome: StatusOutcome): EventBody[] {
  const next = outcome.instance;
  const events: EventBody[] = [
    {
      eventType: "status_update_event",
      slaveId: next.agentId,
      taskId: next.taskId,
      taskStatus: status.state,
      message: status.message ?? "",
      appId: next.appId,
      host: next.host,
      ipAddresses: [],
      ports: next.ports,
      version: next.version,
    },
  ];
  if (outcome.stateChanged) events.push(instanceChangedEvent(next));
  if (outcome.healthChanged) {
    const health = {
      appId: next.appId,
      instanceId: next.taskId,
      taskId: next.taskId,
      version: next.version,
      alive: next.healthy === true,
    };
    events.push({ eventType: "health_status_changed_event", ...health });
    events.push({ eventType: "instance_health_changed_event", ...health });
    if (!health.alive)
      events.push({
        eventType: "failed_health_check_event",
        appId: next.appId,
        taskId: next.taskId,
        instanceId: next.taskId,
      });
  }
  if (outcome.terminal && outcome.killedUnhealthy)
    events.push({
      eventType: "unhealthy_instance_kill_event",
      appId: next.appId,
      taskId: next.taskId,
      instanceId: next.taskId,
      reason: status.message ?? "health check failed",
      host: next.host,
      slaveId: next.agentId,
      version: next.version,
    });
  return events;
}

/** A terminal update of a task Marathon does not know. */
export function unknownInstanceTerminated(status: TaskStatus): EventBody {
  return {
    eventType: "unknown_instance_terminated_event",
    instanceId: status.taskId,
    runSpecId: appIdOfTask(status.taskId) ?? "",
    condition: conditionOf(status.state),
  };
}

export function instanceChangedEvent(i: Instance): EventBody {
  return {
    eventType: "instance_changed_event",
    instanceId: i.taskId,
    condition: conditionOf(i.state),
    runSpecId: i.appId,
    agentId: i.agentId,
    host: i.host,
    runSpecVersion: i.version,
  };
}
