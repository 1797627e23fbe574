import type { CallOf, TaskStatus } from "@agora/protocol";
import { type MasterContext, seconds } from "../context.js";
import type { FrameworkEntry, TaskEntry } from "../registry/entries.js";
import { masterStatus, sendUpdate } from "../task-status.js";

/**
 * Reconcile from the master's view, with reason REASON_RECONCILIATION and no uuid.
 * Implicit (no tasks): the latest state of every task the master holds for the framework.
 * Explicit: known → latest state; unknown on a registered agent → GONE; on an agent still
 * expected to reregister after a master failover → no answer yet (Mesos); on an agent marked gone →
 * GONE_BY_OPERATOR; on an unreachable agent →
 * UNREACHABLE; agent unknown (or not named) → UNKNOWN.
 */
export function reconcile(ctx: MasterContext, framework: FrameworkEntry, call: CallOf<"reconcile">): void {
  if (call.tasks.length === 0) {
    for (const task of framework.tasks.values()) sendUpdate(ctx, framework.id, latest(ctx, task));
    return;
  }
  for (const { taskId, agentId } of call.tasks) {
    const known =
      framework.tasks.get(taskId) ?? framework.completedTasks.find((t) => t.task.taskId === taskId);
    if (known) {
      sendUpdate(ctx, framework.id, latest(ctx, known));
      continue;
    }
    if (agentId !== undefined && ctx.state.recoveringAgents.has(agentId)) continue;
    const state =
      agentId !== undefined && ctx.state.goneAgents.has(agentId)
        ? "TASK_GONE_BY_OPERATOR"
        : agentId !== undefined && ctx.state.agents.has(agentId)
          ? "TASK_GONE"
          : agentId !== undefined && ctx.state.unreachableAgents.has(agentId)
            ? "TASK_UNREACHABLE"
            : "TASK_UNKNOWN";
    sendUpdate(ctx, framework.id, masterStatus(ctx, taskId, agentId, state, "REASON_RECONCILIATION"));
  }
}

function latest(ctx: MasterContext, task: TaskEntry): TaskStatus {
  const last = task.statuses[task.statuses.length - 1];
  const { uuid: _uuid, ...rest } = last ?? masterStatus(ctx, task.task.taskId, task.agentId, task.state);
  return {
    ...rest,
    state: task.state,
    agentId: task.agentId,
    source: "SOURCE_MASTER",
    reason: "REASON_RECONCILIATION",
    timestamp: seconds(ctx.now()),
  };
}
