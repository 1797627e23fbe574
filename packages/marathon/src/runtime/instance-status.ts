import { isTerminalState, type TaskState, type TaskStatus } from "@agora/protocol";
import type { Instance } from "../model/instance.js";

/** Marathon's instance condition names (`instance_changed_event.condition`) for each task state. */
const CONDITIONS: Record<TaskState, string> = {
  TASK_STAGING: "Staging",
  TASK_STARTING: "Starting",
  TASK_RUNNING: "Running",
  TASK_KILLING: "Killing",
  TASK_FINISHED: "Finished",
  TASK_FAILED: "Failed",
  TASK_KILLED: "Killed",
  TASK_ERROR: "Error",
  TASK_DROPPED: "Dropped",
  TASK_LOST: "Unknown",
  TASK_GONE: "Gone",
  TASK_GONE_BY_OPERATOR: "GoneByOperator",
  TASK_UNREACHABLE: "Unreachable",
  TASK_UNKNOWN: "Unknown",
};

export function conditionOf(state: TaskState): string {
  return CONDITIONS[state];
}

/** What one status update did to an instance. */
export interface StatusOutcome {
  instance: Instance;
  stateChanged: boolean;
  /** The health verdict changed (`health_status_changed_event`). */
  healthChanged: boolean;
  terminal: boolean;
  /** The agent's health checks killed it (`unhealthy_instance_kill_event`). */
  killedUnhealthy: boolean;
  /**
   * It ended without Marathon asking: counts towards the app's launch backoff and becomes its
   * `lastTaskFailure` (a task that merely finished counts for backoff, as a service should not end).
   */
  failed: boolean;
}

/**
 * The instance after `status`: its state, health verdict, start time and message. Pure; the
 * runtime stores the result and emits the events the outcome calls for.
 */
export function applyStatus(instance: Instance, status: TaskStatus): StatusOutcome {
  const terminal = isTerminalState(status.state);
  const killedUnhealthy =
    terminal && status.healthy === false && status.reason === "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED";
  const healthy = status.healthy ?? (terminal ? undefined : instance.healthy);
  const startedAt =
    instance.startedAt ??
    (status.state === "TASK_RUNNING" ? new Date(status.timestamp * 1000).toISOString() : undefined);
  const next: Instance = {
    ...instance,
    state: status.state,
    ...(status.agentId ? { agentId: status.agentId } : {}),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(status.message === undefined ? {} : { message: status.message }),
  };
  if (healthy === undefined) delete next.healthy;
  else next.healthy = healthy;
  return {
    instance: next,
    stateChanged: status.state !== instance.state,
    healthChanged: status.healthy !== undefined && status.healthy !== instance.healthy,
    terminal,
    killedUnhealthy,
    failed: terminal && (killedUnhealthy || !instance.killRequested),
  };
}

/** Marathon's "active": launched and not ended or gone out of reach. */
export function isActive(instance: Instance): boolean {
  return !isTerminalState(instance.state) && instance.state !== "TASK_UNREACHABLE";
}
