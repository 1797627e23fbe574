import type { AgentId, FrameworkId, TaskId, TaskState, TaskStatus, TaskStatusReason } from "@agora/protocol";
import type { MasterContext } from "./context.js";
import { seconds } from "./context.js";

/**
 * A status the master itself generates (invalid launch, kill of an unknown task, reconciliation,
 * agent removal). It has no uuid: nobody acknowledges it and no agent resends it.
 */
export function masterStatus(
  ctx: MasterContext,
  taskId: TaskId,
  agentId: AgentId | undefined,
  state: TaskState,
  reason?: TaskStatusReason,
  message?: string,
): TaskStatus {
  return {
    taskId,
    state,
    ...(agentId === undefined ? {} : { agentId }),
    source: "SOURCE_MASTER",
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
    timestamp: seconds(ctx.now()),
  };
}

export function sendUpdate(ctx: MasterContext, frameworkId: FrameworkId, status: TaskStatus): void {
  ctx.out.toFramework(frameworkId, { type: "update", status });
}
