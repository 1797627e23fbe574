import type { CallOf } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import type { FrameworkEntry, TaskEntry } from "../registry/entries.js";
import { masterStatus, sendUpdate } from "../task-status.js";

/**
 * Kill: a known task on a registered agent is killed there (its terminal update follows from the
 * agent); the request is remembered, so the kill goes again when the agent reregisters still
 * reporting the task (it may never have got it). A task the master does not know gets TASK_LOST, as in Mesos.
 */
export function kill(ctx: MasterContext, framework: FrameworkEntry, call: CallOf<"kill">): void {
  const task = framework.tasks.get(call.taskId);
  if (!task) {
    const status = masterStatus(
      ctx,
      call.taskId,
      call.agentId,
      "TASK_LOST",
      "REASON_TASK_UNKNOWN",
      "Attempted to kill an unknown task",
    );
    sendUpdate(ctx, framework.id, status);
    return;
  }
  const killPolicy = call.killPolicy ?? task.task.killPolicy;
  task.killRequested = killPolicy ? { killPolicy } : {};
  if (!ctx.state.agents.has(task.agentId)) {
    // Its agent is unreachable: nothing can be killed now, so tell the framework what the master knows.
    const status = masterStatus(
      ctx,
      task.task.taskId,
      task.agentId,
      task.state,
      undefined,
      "Cannot kill a task whose agent is not registered",
    );
    sendUpdate(ctx, framework.id, status);
    return;
  }
  sendKill(ctx, task);
}

/** Sends a task's agent the kill its framework asked for (`killRequested`). */
export function sendKill(ctx: MasterContext, task: TaskEntry): void {
  const killPolicy = task.killRequested?.killPolicy;
  ctx.out.toAgent(task.agentId, {
    type: "killTask",
    frameworkId: task.frameworkId,
    taskId: task.task.taskId,
    ...(killPolicy ? { killPolicy } : {}),
  });
}

/** Acknowledge: forwarded to the agent that keeps the update (batched per agent within a tick). */
export function acknowledge(
  ctx: MasterContext,
  framework: FrameworkEntry,
  call: Pick<CallOf<"acknowledge">, "agentId" | "taskId" | "uuid">,
): void {
  if (!ctx.state.agents.has(call.agentId)) {
    // The agent will resend the update after it reregisters, and the framework will ack again.
    ctx.options.logger.debug(
      { agentId: call.agentId, taskId: call.taskId },
      "acknowledgement for an unknown agent",
    );
    return;
  }
  ctx.state.relays.acknowledged(framework.id, call.uuid);
  ctx.out.acknowledge(call.agentId, { frameworkId: framework.id, taskId: call.taskId, uuid: call.uuid });
}
